// The CI files `brokerlab init --ci ...` writes. No hosted CI is reachable from here, so they
// are checked as far as can be offline: the GitHub workflows against GitHub's own workflow
// parser and schema (@actions/workflow-parser), every `run:` block and ci/grade.sh with
// shellcheck, and their structure against what brokerlab reads: the BROKERLAB_* values go
// through each broker's own fromEnv (so a renamed variable fails here), the services use
// compose's images and settings, the grade step's output is wired, the results are kept.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BROKERS } from '../../src/brokers/registry.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import {
  CI_BROKERS,
  CI_RUNNER_BROKERS,
  CI_CHOICES,
  type CiChoice,
  GENERIC_SCRIPT_PATH,
  GITHUB_WORKFLOW_PATH,
  GITLAB_CI_PATH,
  RESULTS_DIR,
  ciFiles,
  healthOptions,
  rabbitmqErlArgs,
} from '../../src/workspace/ci-templates.js';
import { readComposeFile } from '../../src/workspace/init.js';
import { readme } from '../../src/workspace/templates.js';
import { tempDir } from '../helpers.js';

const compose = readComposeFile();
const options = { brokerlabPackage: 'brokerlab@9.9.9', compose, toxiproxyVersion: 'v2.12.0' };
const composeRaw = parse(readFileSync(path.join(PACKAGE_ROOT, 'compose', 'docker-compose.yml'), 'utf8'));

function fileOf(choice: CiChoice, file: string): string {
  const found = ciFiles(choice, options).find((f) => f.path === file);
  if (!found) throw new Error(`${choice} writes no ${file}`);
  return found.content;
}

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  env: Record<string, string>;
  outputs?: Record<string, string>;
  services?: Record<string, { image: string; ports: string[]; env?: Record<string, string>; options?: string }>;
  steps: Step[];
}

/** GitHub's parser: the errors it reports for a workflow (schema, expressions, conversion). */
async function workflowErrors(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'brokerlab.yml', content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || !parsed.value) return errors;
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

function shellcheck(file: string, shell: 'sh' | 'bash'): string {
  // Fail, never skip: a skipped lint would hide that the scripts are unchecked.
  const which = spawnSync('sh', ['-c', 'command -v shellcheck']);
  if (which.status !== 0) throw new Error('shellcheck is missing: apt-get install -y shellcheck (scripts/install.sh does it when run as root)');
  const r = spawnSync('shellcheck', ['-s', shell, file], { encoding: 'utf8' });
  return r.status === 0 ? '' : r.stdout + r.stderr;
}

/** Every endpoint an environment names, through the brokers' own fromEnv. */
function endpointsFrom(env: Record<string, string>) {
  return {
    redis: BROKERS.redis.fromEnv(env),
    rabbitmq: BROKERS.rabbitmq.fromEnv(env),
    kafka: BROKERS.kafka.fromEnv(env),
  };
}

describe('CI templates', () => {
  it('every --ci choice writes its files; none writes nothing', () => {
    expect(CI_CHOICES).toEqual(['github-services', 'github-native', 'generic', 'none']);
    expect(ciFiles('github-services', options).map((f) => f.path)).toEqual([GITHUB_WORKFLOW_PATH]);
    expect(ciFiles('github-native', options).map((f) => f.path)).toEqual([GITHUB_WORKFLOW_PATH]);
    expect(ciFiles('generic', options).map((f) => [f.path, f.executable ?? false])).toEqual([
      [GENERIC_SCRIPT_PATH, true],
      [GITLAB_CI_PATH, false],
    ]);
    expect(ciFiles('none', options)).toEqual([]);
  });

  it('CI runs every broker the exercises use', () => {
    const used = new Set(loadCatalog().flatMap((entry) => entry.scenario.brokers));
    // Prometheus runs on the CI machine itself in every template (it scrapes the program there).
    expect([...CI_BROKERS, ...CI_RUNNER_BROKERS].sort()).toEqual([...used].sort());
  });

  it("GitHub's workflow parser accepts both workflows, and rejects a broken one (so it does check)", async () => {
    for (const choice of ['github-services', 'github-native'] as const) {
      expect(await workflowErrors(fileOf(choice, GITHUB_WORKFLOW_PATH)), choice).toEqual([]);
    }
    const broken = fileOf('github-services', GITHUB_WORKFLOW_PATH)
      .replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest')
      .replace('${{ steps.grade.outputs.result }}', '${{ steps.grade.outputs.result');
    const errors = await workflowErrors(broken);
    expect(errors.join('\n')).toContain("Unexpected value 'runs_on'");
    expect(errors.join('\n')).toContain('The expression is not closed');
  });

  it('github-services: compose\'s images and settings as services, each with a health check', () => {
    const job = parse(fileOf('github-services', GITHUB_WORKFLOW_PATH)).jobs.grade as Job;
    const services = job.services ?? {};
    expect(Object.keys(services).sort()).toEqual([...CI_BROKERS].sort());
    for (const broker of CI_BROKERS) {
      const service = services[broker]!;
      expect(service.image, broker).toBe(composeRaw.services[broker].image);
      expect(service.options, broker).toMatch(/^--health-cmd ".+" --health-interval \S+ --health-timeout \S+ --health-retries \d+/);
      expect(service.options, broker).toBe(healthOptions(compose.services[broker]));
    }
    // Kafka: exactly compose's single-node KRaft settings.
    expect(services.kafka!.env).toEqual(composeRaw.services.kafka.environment);
    // RabbitMQ: compose's rabbitmq.conf, as Erlang arguments.
    expect(services.rabbitmq!.env).toEqual({ RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-rabbit collect_statistics_interval 1000' });
    expect(composeRaw.configs['rabbitmq-conf'].content).toContain('collect_statistics_interval = 1000');
  });

  it('github-services: the BROKERLAB_* variables are the ones the external runtime reads, at the published ports', () => {
    const job = parse(fileOf('github-services', GITHUB_WORKFLOW_PATH)).jobs.grade as Job;
    const services = job.services ?? {};
    for (const broker of CI_BROKERS) expect(job.env, broker).toHaveProperty(BROKERS[broker].externalEnv);
    expect(job.env.BROKERLAB_RUNTIME).toBe('external');
    const endpoints = endpointsFrom(job.env);
    expect(endpoints).toEqual({
      redis: { url: 'redis://127.0.0.1:6379' },
      rabbitmq: { amqpUrl: 'amqp://guest:guest@127.0.0.1:5672', managementUrl: 'http://127.0.0.1:15672', username: 'guest', password: 'guest' },
      kafka: { brokers: ['127.0.0.1:9092'] },
    });
    // The management URL's variable is read too (a different value comes through).
    expect(BROKERS.rabbitmq.fromEnv({ ...job.env, BROKERLAB_RABBITMQ_MANAGEMENT_URL: 'http://elsewhere:1' })?.managementUrl).toBe('http://elsewhere:1');
    // Each address is a port the service publishes on the runner.
    const published = (broker: string) => (services[broker]?.ports ?? []).map((p) => Number(p.split(':')[0]));
    expect(published('redis')).toContain(Number(new URL(endpoints.redis!.url).port));
    expect(published('rabbitmq')).toContain(Number(new URL(endpoints.rabbitmq!.amqpUrl).port));
    expect(published('rabbitmq')).toContain(Number(new URL(endpoints.rabbitmq!.managementUrl).port));
    expect(published('kafka')).toContain(Number(endpoints.kafka!.brokers[0]!.split(':')[1]));
    // Prometheus (CI_RUNNER_BROKERS) runs on the runner, started natively before grading, and is
    // reached through the variable the external runtime reads.
    expect(BROKERS.prometheus.fromEnv(job.env)).toEqual({ url: 'http://127.0.0.1:9090' });
    const start = job.steps.findIndex((s) => s.name?.startsWith('Start Prometheus'));
    expect(job.steps[start]?.run).toContain('apt-get install -y -q --no-install-recommends prometheus');
    expect(job.steps[start]?.run).toContain('BROKERLAB_RUNTIME=native ./node_modules/.bin/brokerlab up prometheus');
    expect(start).toBeLessThan(job.steps.findIndex((s) => s.id === 'grade'));
  });

  it('both workflows grade with an id, wire its result output, keep the results and report to Classroom', () => {
    for (const choice of ['github-services', 'github-native'] as const) {
      const job = parse(fileOf(choice, GITHUB_WORKFLOW_PATH)).jobs.grade as Job;
      const grade = job.steps.find((s) => s.id === 'grade');
      expect(grade?.run, choice).toBe(`./node_modules/.bin/brokerlab grade --allow-empty --out ${RESULTS_DIR}`);
      expect(job.outputs?.result, choice).toBe('${{ steps.grade.outputs.result }}');
      const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      expect(upload, choice).toMatchObject({ if: '${{ !cancelled() }}', with: { name: RESULTS_DIR, path: `${RESULTS_DIR}/` } });
      expect(job.steps.indexOf(upload!)).toBeGreaterThan(job.steps.indexOf(grade!));
      const reporter = job.steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter@'));
      // The reporter reads <RUNNER>_RESULTS for each runner id it is given.
      expect(reporter, choice).toMatchObject({ env: { GRADE_RESULTS: '${{ steps.grade.outputs.result }}' }, with: { runners: 'grade' } });
      expect(reporter?.if).toContain("vars.BROKERLAB_CLASSROOM == 'true'");
      // brokerlab is installed from BROKERLAB_PACKAGE before it is used.
      expect(job.env.BROKERLAB_PACKAGE).toBe('brokerlab@9.9.9');
      const install = job.steps.findIndex((s) => s.run?.includes('"$BROKERLAB_PACKAGE"'));
      expect(install).toBeGreaterThan(-1);
      expect(install).toBeLessThan(job.steps.indexOf(grade!));
    }
  });

  it('github-native: no services; installs the brokers as scripts/install.sh does, then `brokerlab up`', () => {
    const workflow = fileOf('github-native', GITHUB_WORKFLOW_PATH);
    const job = parse(workflow).jobs.grade as Job;
    expect(job.services).toBeUndefined();
    // The runner has Docker: without this brokerlab would pick its compose runtime.
    expect(job.env.BROKERLAB_RUNTIME).toBe('native');
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-java@'))?.with).toMatchObject({ 'java-version': '17' });
    const install = job.steps.find((s) => s.name === 'Install the brokers')?.run ?? '';
    expect(install).toMatch(/apt-get install .*redis-server rabbitmq-server/);
    expect(install).toContain('policy-rc.d');
    // The files it uses ship with brokerlab, and the jars land where the native Kafka looks
    // (vendor/kafka-<version>/lib under ~/.brokerlab; src/brokers/kafka.ts).
    expect(install).toContain('"$lab/scripts/vendor/kafka.pom.xml"');
    expect(existsSync(path.join(PACKAGE_ROOT, 'scripts', 'vendor', 'kafka.pom.xml'))).toBe(true);
    expect(readFileSync(path.join(PACKAGE_ROOT, 'scripts', 'versions.env'), 'utf8')).toMatch(/^KAFKA_VERSION=\S+$/m);
    expect(install).toContain('-DoutputDirectory=$HOME/.brokerlab/vendor/kafka-$kafka/lib');
    expect(install).toMatch(/apt-get install .* prometheus\n/);
    const up = job.steps.findIndex((s) => s.run === `./node_modules/.bin/brokerlab up ${CI_BROKERS.join(' ')} toxiproxy prometheus kafka-cluster rabbitmq-cluster`);
    // toxiproxy, for network faults: built with Go at the version brokerlab pins.
    const toxiproxy = job.steps.find((s) => s.name?.startsWith('Start toxiproxy'))?.run ?? '';
    expect(toxiproxy).toContain('go install "github.com/Shopify/toxiproxy/v2/cmd/server@$version"');
    expect(up).toBeGreaterThan(job.steps.findIndex((s) => s.name === 'Install the brokers'));
    expect(up).toBeLessThan(job.steps.findIndex((s) => s.id === 'grade'));
  });

  it('every run: block of both workflows passes shellcheck (bash, as GitHub runs them)', () => {
    const dir = tempDir('brokerlab-ci-runs-');
    const problems: string[] = [];
    for (const choice of ['github-services', 'github-native'] as const) {
      const job = parse(fileOf(choice, GITHUB_WORKFLOW_PATH)).jobs.grade as Job;
      job.steps.forEach((step, i) => {
        if (!step.run) return;
        const file = path.join(dir, `${choice}-${i}.sh`);
        writeFileSync(file, step.run);
        const out = shellcheck(file, 'bash');
        if (out) problems.push(`${choice} step ${i}:\n${out}`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('generic: ci/grade.sh is POSIX sh (sh -n, shellcheck -s sh)', () => {
    const dir = tempDir('brokerlab-ci-generic-');
    const script = path.join(dir, 'grade.sh');
    writeFileSync(script, fileOf('generic', GENERIC_SCRIPT_PATH));
    expect(execFileSync('sh', ['-n', script], { encoding: 'utf8' })).toBe('');
    expect(shellcheck(script, 'sh')).toBe('');
    expect(fileOf('generic', GENERIC_SCRIPT_PATH)).toMatch(/^#!\/bin\/sh\n/);
  });

  it('generic: ci/grade.sh installs brokerlab, starts the brokers, waits for CI services, and exits with grade\'s code', () => {
    // A workspace with stand-ins for npm and brokerlab that log what they were asked.
    const ws = tempDir('brokerlab-ci-ws-');
    mkdirSync(path.join(ws, 'ci'));
    const script = path.join(ws, GENERIC_SCRIPT_PATH);
    writeFileSync(script, fileOf('generic', GENERIC_SCRIPT_PATH));
    const bin = path.join(ws, 'fake-bin');
    mkdirSync(bin);
    const log = path.join(ws, 'calls.log');
    writeFileSync(
      path.join(bin, 'npm'),
      `#!/bin/sh
echo "npm $*" >> "${log}"
mkdir -p node_modules/.bin
cat > node_modules/.bin/brokerlab <<'EOF'
#!/bin/sh
echo "brokerlab $*" >> "${log}"
case "$1" in
  up) n=$(cat up-fails 2>/dev/null || echo 0); if [ "$n" -gt 0 ]; then echo $((n - 1)) > up-fails; exit 4; fi ;;
  grade) exit "\${GRADE_CODE:-0}" ;;
esac
EOF
chmod +x node_modules/.bin/brokerlab
`,
    );
    chmodSync(path.join(bin, 'npm'), 0o755);
    const run = (env: Record<string, string>, args: string[] = [], upFails = 0) => {
      writeFileSync(log, '');
      writeFileSync(path.join(ws, 'up-fails'), String(upFails));
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BROKERLAB_')));
      const r = spawnSync('sh', [script, ...args], { cwd: tempDir(), env: { ...clean, PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: 'utf8' });
      return { code: r.status, calls: readFileSync(log, 'utf8').trim().split('\n') };
    };

    const failed = run({ GRADE_CODE: '1' }, ['--all']);
    expect(failed.code).toBe(1);
    expect(failed.calls).toEqual([
      'npm install --no-audit --no-fund',
      'npm install --no-save --no-audit --no-fund brokerlab@9.9.9',
      `brokerlab up ${CI_BROKERS.join(' ')}`,
      'brokerlab up toxiproxy',
      'brokerlab up prometheus',
      'brokerlab up kafka-cluster',
      'brokerlab up rabbitmq-cluster',
      `brokerlab grade --allow-empty --out ${RESULTS_DIR} --all`,
    ]);
    expect(run({ GRADE_CODE: '0', BROKERLAB_PACKAGE: 'brokerlab@1.2.3', BROKERLAB_RESULTS: 'out' }).calls).toEqual([
      'npm install --no-audit --no-fund',
      'npm install --no-save --no-audit --no-fund brokerlab@1.2.3',
      `brokerlab up ${CI_BROKERS.join(' ')}`,
      'brokerlab up toxiproxy',
      'brokerlab up prometheus',
      'brokerlab up kafka-cluster',
      'brokerlab up rabbitmq-cluster',
      'brokerlab grade --allow-empty --out out',
    ]);
    // Brokers it would start itself: `up` already waited, so no retry; its code is the exit code.
    const down = run({}, [], 1);
    expect(down.code).toBe(4);
    expect(down.calls.filter((c) => c.startsWith('brokerlab'))).toEqual([`brokerlab up ${CI_BROKERS.join(' ')}`]);
    // CI services named by BROKERLAB_* may still be starting: it asks again.
    const services = run({ BROKERLAB_REDIS_URL: 'redis://redis:6379' }, [], 1);
    expect(services.code).toBe(0);
    expect(services.calls.filter((c) => c.startsWith('brokerlab up') && c !== 'brokerlab up toxiproxy' && c !== 'brokerlab up prometheus' && c !== 'brokerlab up kafka-cluster' && c !== 'brokerlab up rabbitmq-cluster')).toHaveLength(2);
  });

  it('generic: .gitlab-ci.yml parses, runs ci/grade.sh with the brokers as services, keeps the results', () => {
    const ci = parse(fileOf('generic', GITLAB_CI_PATH)) as {
      grade: {
        image: string;
        services: Array<{ name: string; alias: string; variables?: Record<string, string> }>;
        variables: Record<string, string>;
        script: string[];
        artifacts: { when: string; paths: string[]; reports: { junit: string } };
      };
    };
    const job = ci.grade;
    expect(job.script).toEqual([`sh ${GENERIC_SCRIPT_PATH}`]);
    // Prometheus is installed in the job itself; ci/grade.sh starts it.
    expect((job as { before_script?: string[] }).before_script?.join('\n')).toContain('apt-get install -y -q --no-install-recommends prometheus');
    expect(job.image).toMatch(/^node:20/);
    const aliases = Object.fromEntries(job.services.map((s) => [s.alias, s]));
    for (const broker of CI_BROKERS) expect(aliases[broker]?.name, broker).toBe(composeRaw.services[broker].image);
    // Reached by alias, through the same variables the external runtime reads.
    expect(endpointsFrom(job.variables)).toEqual({
      redis: { url: 'redis://redis:6379' },
      rabbitmq: { amqpUrl: 'amqp://guest:guest@rabbitmq:5672', managementUrl: 'http://rabbitmq:15672', username: 'guest', password: 'guest' },
      kafka: { brokers: ['kafka:9092'] },
    });
    // Kafka tells clients the alias; everything else is compose's.
    expect(aliases.kafka?.variables).toEqual({ ...composeRaw.services.kafka.environment, KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092,PROXIED://kafka:9095' });
    expect(job.artifacts).toEqual({ when: 'always', paths: [`${RESULTS_DIR}/`], reports: { junit: `${RESULTS_DIR}/junit.xml` } });
  });

  it('health checks and RabbitMQ settings convert from compose, and refuse what they cannot express', () => {
    expect(healthOptions({ image: 'x', healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '2s', timeout: '3s', retries: 30 } })).toBe(
      '--health-cmd "redis-cli ping" --health-interval 2s --health-timeout 3s --health-retries 30',
    );
    expect(healthOptions({ image: 'x', healthcheck: { test: ['CMD-SHELL', 'a > /dev/null 2>&1'], start_period: '10s' } })).toBe('--health-cmd "a > /dev/null 2>&1" --health-start-period 10s');
    expect(() => healthOptions({ image: 'x', healthcheck: { test: ['CMD-SHELL', 'echo "hi"'] } })).toThrow(/double quote/);
    expect(() => healthOptions({ image: 'x' })).toThrow(/no healthcheck/);
    expect(rabbitmqErlArgs('# c\ncollect_statistics_interval = 1000\n\nvm_memory_high_watermark = 0.6\n')).toBe(
      '-rabbit collect_statistics_interval 1000 -rabbit vm_memory_high_watermark 0.6',
    );
    expect(() => rabbitmqErlArgs('management.tcp.port = 1')).toThrow(/no -rabbit equivalent/);
  });

  it("the workspace README names the chosen CI's files", () => {
    expect(readme('1.0.0', 'x', 'github-services')).toContain(`\`${GITHUB_WORKFLOW_PATH}\``);
    expect(readme('1.0.0', 'x', 'github-native')).toContain('installed on the runner');
    expect(readme('1.0.0', 'x', 'generic')).toContain(`\`${GENERIC_SCRIPT_PATH}\``);
    expect(readme('1.0.0', 'x', 'none')).not.toMatch(/workflows|grade\.sh/);
  });
});
