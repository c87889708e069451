/**
 * The CI files `brokerlab init --ci <choice>` writes into a workspace, as pure functions of
 * what they depend on (the package to install brokerlab from, the brokers' images and settings
 * from compose/docker-compose.yml), so tests can read and validate them.
 *
 *   github-services  .github/workflows/brokerlab.yml: the brokers as job services (containers
 *                    with health checks), brokerlab's external runtime pointed at them
 *   github-native    .github/workflows/brokerlab.yml: the brokers installed on the runner
 *                    (Ubuntu packages, Kafka's jars from Maven Central) and `brokerlab up`
 *   generic          ci/grade.sh for any CI with Node and a POSIX shell, and a .gitlab-ci.yml
 *                    that runs it with the brokers as GitLab services
 *   none             nothing
 *
 * Every choice ends in `brokerlab grade --out brokerlab-results` (results.json, junit.xml,
 * annotations and a job summary in GitHub Actions, the Classroom `result` output) and keeps
 * brokerlab-results/ as the run's artifact, which a mentor's `brokerlab class report` reads.
 *
 * The variable names are the ones the external runtime reads (each broker's fromEnv in
 * src/brokers/*.ts); test/unit/ci-templates.test.ts feeds the workflows' values to those
 * functions, so a rename there fails the test.
 */
import { KAFKA_PROXY_PORT, PORTS } from '../brokers/ports.js';

export const CI_CHOICES = ['github-services', 'github-native', 'generic', 'none'] as const;
export type CiChoice = (typeof CI_CHOICES)[number];
export const DEFAULT_CI: CiChoice = 'github-services';

export const GITHUB_WORKFLOW_PATH = '.github/workflows/brokerlab.yml';
export const GENERIC_SCRIPT_PATH = 'ci/grade.sh';
export const GITLAB_CI_PATH = '.gitlab-ci.yml';
/** Where `brokerlab grade` writes, and what every template keeps as the run's artifact. */
export const RESULTS_DIR = 'brokerlab-results';
/** The brokers the exercises use; a new one needs a service here (the test compares this
 *  with the brokers the catalog's scenarios name). */
export const CI_BROKERS = ['redis', 'rabbitmq', 'kafka', 'sqs', 'sns', 'postgres'] as const;
export type CiBroker = (typeof CI_BROKERS)[number];
/** Brokers that run on the CI machine itself in every template, never as a service: Prometheus
 *  scrapes the learner's program at 127.0.0.1 and reads the runs' target files from brokerlab's
 *  home (src/brokers/prometheus.ts), neither of which a service container can see. The 3-node
 *  Kafka and RabbitMQ clusters too: the replication and high-availability exercises stop and
 *  kill their nodes' processes, which only a cluster brokerlab runs natively allows. Where
 *  Kafka or RabbitMQ is not installed (the service templates), the templates say so and the
 *  rest is graded. */
export const CI_RUNNER_BROKERS = ['prometheus', 'kafka-cluster', 'rabbitmq-cluster'] as const;

/** Debian's and Ubuntu's Prometheus package, installed without starting its system service
 *  (as scripts/install.sh does); `brokerlab up prometheus` then runs it with brokerlab's config. */
const PROMETHEUS_INSTALL = `printf '#!/bin/sh\\nexit 101\\n' | sudo tee /usr/sbin/policy-rc.d >/dev/null
          sudo chmod +x /usr/sbin/policy-rc.d
          sudo apt-get update -q
          sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus
          sudo rm -f /usr/sbin/policy-rc.d`;

/**
 * Toxiproxy, for the exercises whose network faults stand between the learner's program and
 * a broker. On GitHub it runs on the runner itself (built with Go, the version brokerlab pins
 * in scripts/versions.env), so its proxies are on the runner's loopback like the program.
 */
const TOXIPROXY_STEPS = `      - uses: actions/setup-go@v5
        with:
          go-version: stable
          cache: false
      - name: Start toxiproxy (network faults between your program and a broker)
        run: |
          lab=node_modules/brokerlab
          version=$(sed -n 's/^TOXIPROXY_VERSION=//p' "$lab/scripts/versions.env")
          bin="$HOME/.brokerlab/vendor/toxiproxy-$version/bin"
          mkdir -p "$bin"
          GOBIN="$bin" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$version"
          mv "$bin/server" "$bin/toxiproxy-server"`;

/** What the templates take from one service of compose/docker-compose.yml. */
export interface ComposeService {
  image: string;
  environment?: Record<string, string>;
  healthcheck?: { test: string | string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
}

/** compose/docker-compose.yml, as far as the templates read it: the brokers' services
 *  and the RabbitMQ settings file it mounts. */
export interface ComposeFile {
  services: Record<CiBroker, ComposeService>;
  /** The content of compose's `configs.rabbitmq-conf` (rabbitmq.conf lines). */
  rabbitmqConf: string;
}

export interface CiOptions {
  /** What `npm install` fetches brokerlab from, e.g. "brokerlab@0.1.0". */
  brokerlabPackage: string;
  compose: ComposeFile;
  /** toxiproxy's Go module version (scripts/versions.env), for the GitLab service. */
  toxiproxyVersion: string;
}

export interface CiFile {
  /** Relative to the workspace, with forward slashes. */
  path: string;
  content: string;
  /** Written with mode 0755 (a script). */
  executable?: boolean;
}

export function ciFiles(choice: CiChoice, options: CiOptions): CiFile[] {
  switch (choice) {
    case 'github-services':
      return [{ path: GITHUB_WORKFLOW_PATH, content: githubServicesWorkflow(options) }];
    case 'github-native':
      return [{ path: GITHUB_WORKFLOW_PATH, content: githubNativeWorkflow(options) }];
    case 'generic':
      return [
        { path: GENERIC_SCRIPT_PATH, content: genericScript(options), executable: true },
        { path: GITLAB_CI_PATH, content: gitlabCi(options) },
      ];
    case 'none':
      return [];
  }
}

// --- helpers -------------------------------------------------------------------------------

/** A YAML scalar that stays a string whatever it holds ('1', 'true', 'a: b'). */
function q(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function indent(lines: string[], spaces: number): string {
  return lines.map((line) => `${' '.repeat(spaces)}${line}`).join('\n');
}

function envLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}: ${q(value)}`);
}

/** compose's healthcheck as `docker create` options, which is what GitHub's service
 *  `options:` are: the runner waits for the container to be healthy before the first step. */
export function healthOptions(service: ComposeService): string {
  const check = service.healthcheck;
  if (!check) throw new Error(`compose service ${service.image} has no healthcheck`);
  const [kind, ...rest] = typeof check.test === 'string' ? ['CMD-SHELL', check.test] : check.test;
  // docker's --health-cmd always runs through a shell, so CMD's words are joined.
  const command = kind === 'CMD' || kind === 'CMD-SHELL' ? rest.join(' ') : [kind, ...rest].join(' ');
  if (command.includes('"')) throw new Error(`compose healthcheck of ${service.image} has a double quote, which --health-cmd "..." cannot hold`);
  const options = [`--health-cmd "${command}"`];
  if (check.interval) options.push(`--health-interval ${check.interval}`);
  if (check.timeout) options.push(`--health-timeout ${check.timeout}`);
  if (check.retries !== undefined) options.push(`--health-retries ${check.retries}`);
  if (check.start_period) options.push(`--health-start-period ${check.start_period}`);
  return options.join(' ');
}

/** compose mounts a rabbitmq.conf; a service container cannot mount a file of the repository
 *  (services start before the checkout), so its `key = value` lines become `-rabbit key value`
 *  Erlang arguments, which set the same application settings. */
export function rabbitmqErlArgs(conf: string): string {
  const args: string[] = [];
  for (const raw of conf.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^([a-z_]+)\s*=\s*(\S+)$/);
    if (!m) throw new Error(`compose's rabbitmq.conf line "${line}" has no -rabbit equivalent the CI templates know`);
    args.push(`-rabbit ${m[1]} ${m[2]}`);
  }
  return args.join(' ');
}

/** The BROKERLAB_* variables for the brokers at their hosts: 127.0.0.1 for a GitHub service's
 *  published ports, the service's alias in GitLab. */
export function brokerEnv(hostOf: (broker: CiBroker) => string): Record<string, string> {
  return {
    BROKERLAB_REDIS_URL: `redis://${hostOf('redis')}:${PORTS.redis.redis}`,
    BROKERLAB_AMQP_URL: `amqp://guest:guest@${hostOf('rabbitmq')}:${PORTS.rabbitmq.amqp}`,
    BROKERLAB_RABBITMQ_MANAGEMENT_URL: `http://${hostOf('rabbitmq')}:${PORTS.rabbitmq.management}`,
    BROKERLAB_KAFKA_BROKERS: `${hostOf('kafka')}:${PORTS.kafka.broker}`,
    BROKERLAB_SQS_ENDPOINT: `http://${hostOf('sqs')}:${PORTS.sqs.sqs}`,
    BROKERLAB_SNS_ENDPOINT: `http://${hostOf('sns')}:${PORTS.sns.sns}`,
    BROKERLAB_POSTGRES_URL: `postgres://postgres@${hostOf('postgres')}:${PORTS.postgres.postgres}/postgres`,
  };
}

/** Kafka's container settings with the address clients are told to use. */
function kafkaEnv(compose: ComposeFile, advertisedHost: string): Record<string, string> {
  const env = { ...(compose.services.kafka.environment ?? {}) };
  env.KAFKA_ADVERTISED_LISTENERS = `PLAINTEXT://${advertisedHost}:${PORTS.kafka.broker},PROXIED://${advertisedHost}:${KAFKA_PROXY_PORT}`;
  return env;
}

const INSTALL_STEP = `      - name: Install your packages and brokerlab
        run: |
          npm install --no-audit --no-fund
          npm install --no-save --no-audit --no-fund "$BROKERLAB_PACKAGE"`;

/** The steps after the brokers answer: grade, keep the results, report to Classroom. */
const GRADE_STEPS = `      # The exercises .brokerlab/progress.json lists as started (commit it after your first
      # \`brokerlab check\`); add --all to grade every exercise, as a class assignment would.
      # Failed checks become annotations on your files and the run's summary; the step's
      # \`result\` output is GitHub Classroom's grader result.
      - name: Grade
        id: grade
        run: ./node_modules/.bin/brokerlab grade --allow-empty --out ${RESULTS_DIR}
      # Your mentor's \`brokerlab class report\` reads these (results.json).
      - name: Keep the results
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: ${RESULTS_DIR}
          path: ${RESULTS_DIR}/
          if-no-files-found: ignore
      # In a GitHub Classroom assignment, set the repository (or organisation) variable
      # BROKERLAB_CLASSROOM to true: this step then reports the points to Classroom.
      - name: Report the points to GitHub Classroom
        if: \${{ !cancelled() && vars.BROKERLAB_CLASSROOM == 'true' }}
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: \${{ steps.grade.outputs.result }}
        with:
          runners: grade`;

function workflowHead(choice: CiChoice, description: string): string {
  return `# Grades your exercises on every push (made by \`brokerlab init --ci ${choice}\`; edit freely).
#
${description}
name: brokerlab

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  # For GitHub Classroom's reporter (the last step): it posts the points as a check run.
  checks: write
  actions: read
`;
}

/** The start of the grading job, the same in both GitHub workflows; each adds its own env. */
function gradeJobHead(options: CiOptions): string {
  return `jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    outputs:
      # Base64 of GitHub Classroom's grader result, for a workflow that calls this one.
      result: \${{ steps.grade.outputs.result }}
    env:
      # Where npm gets brokerlab: a version, or a git URL or tarball of the brokerlab you use.
      BROKERLAB_PACKAGE: ${q(options.brokerlabPackage)}`;
}

// --- github-services ---------------------------------------------------------------------------

export function githubServicesWorkflow(options: CiOptions): string {
  const { services } = options.compose;
  // toxiproxy runs natively on the runner (TOXIPROXY_STEPS), the brokers as services.
  // Prometheus too (CI_RUNNER_BROKERS): it scrapes your program on the runner's loopback.
  const env = {
    BROKERLAB_RUNTIME: 'external',
    ...brokerEnv(() => '127.0.0.1'),
    BROKERLAB_TOXIPROXY_URL: `http://127.0.0.1:${PORTS.toxiproxy.api}`,
    BROKERLAB_PROMETHEUS_URL: `http://127.0.0.1:${PORTS.prometheus.web}`,
  };
  return `${workflowHead(
    'github-services',
    `# Redis, RabbitMQ, Kafka, SQS (ElasticMQ) and PostgreSQL run as service containers, with the images and settings of
# brokerlab's own compose/docker-compose.yml; brokerlab uses them through its "external"
# runtime (the BROKERLAB_* variables below). Then \`brokerlab grade\` grades your exercises
# and writes ${RESULTS_DIR}/, which is kept as the run's artifact.`,
  )}
${gradeJobHead(options)}
${indent(envLines(env), 6)}
    services:
      redis:
        image: ${q(services.redis.image)}
        ports: ['${PORTS.redis.redis}:${PORTS.redis.redis}']
        options: >-
          ${healthOptions(services.redis)}
      rabbitmq:
        image: ${q(services.rabbitmq.image)}
        ports: ['${PORTS.rabbitmq.amqp}:${PORTS.rabbitmq.amqp}', '${PORTS.rabbitmq.management}:${PORTS.rabbitmq.management}']
        env:
          # compose's rabbitmq.conf, as Erlang arguments (a service cannot mount a file).
          RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: ${q(rabbitmqErlArgs(options.compose.rabbitmqConf))}
        options: >-
          ${healthOptions(services.rabbitmq)}
      kafka:
        image: ${q(services.kafka.image)}
        ports: ['${PORTS.kafka.broker}:${PORTS.kafka.broker}']
        env:
          # One node in KRaft mode (broker and controller), clients told 127.0.0.1:${PORTS.kafka.broker}.
${indent(envLines(kafkaEnv(options.compose, '127.0.0.1')), 10)}
        options: >-
          ${healthOptions(services.kafka)}
      sqs:
        # ElasticMQ with the image's own settings (a service cannot mount compose's
        # elasticmq.conf): queue URLs name localhost:${PORTS.sqs.sqs}, the published port.
        image: ${q(services.sqs.image)}
        ports: ['${PORTS.sqs.sqs}:${PORTS.sqs.sqs}']
        options: >-
          ${healthOptions(services.sqs)}
      sns:
        # moto: SNS and the SQS queues its topics deliver to, on one port.
        image: ${q(services.sns.image)}
        ports: ['${PORTS.sns.sns}:${PORTS.sns.sns}']
        env:
${indent(envLines(services.sns.environment ?? {}), 10)}
        options: >-
          ${healthOptions(services.sns)}
      postgres:
        image: ${q(services.postgres.image)}
        ports: ['${PORTS.postgres.postgres}:${PORTS.postgres.postgres}']
        env:
${indent(envLines(services.postgres.environment ?? {}), 10)}
        options: >-
          ${healthOptions(services.postgres)}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
${INSTALL_STEP}
${TOXIPROXY_STEPS}
          BROKERLAB_RUNTIME=native ./node_modules/.bin/brokerlab up toxiproxy
      - name: Start Prometheus (it scrapes your program's /metrics, on the runner itself)
        run: |
          ${PROMETHEUS_INSTALL}
          BROKERLAB_RUNTIME=native ./node_modules/.bin/brokerlab up prometheus
      - name: Start the 3-node Kafka cluster (the replication exercise stops and kills its nodes, on the runner itself)
        run: |
          BROKERLAB_RUNTIME=native ./node_modules/.bin/brokerlab up kafka-cluster || echo "::warning::the Kafka cluster did not start (Kafka is not installed on this runner: use --ci github-native): the replication exercise cannot be graded"
      - name: Start the 3-node RabbitMQ cluster (the high-availability exercise stops and kills its nodes, on the runner itself)
        run: |
          BROKERLAB_RUNTIME=native ./node_modules/.bin/brokerlab up rabbitmq-cluster || echo "::warning::the RabbitMQ cluster did not start (RabbitMQ is not installed on this runner: use --ci github-native): the high-availability exercise cannot be graded"
${GRADE_STEPS}
`;
}

// --- github-native -----------------------------------------------------------------------------

export function githubNativeWorkflow(options: CiOptions): string {
  return `${workflowHead(
    'github-native',
    `# No containers: Redis, RabbitMQ and PostgreSQL are installed from Ubuntu's packages, Kafka's and ElasticMQ's jars from
# Maven Central (with the pom and the version brokerlab ships), moto (SNS) with pip, and \`brokerlab up\` starts
# them on the runner exactly as on your machine. Then \`brokerlab grade\` grades your
# exercises and writes ${RESULTS_DIR}/, which is kept as the run's artifact.`,
  )}
${gradeJobHead(options)}
      # The runner has Docker, which brokerlab would otherwise pick: run the brokers natively.
      BROKERLAB_RUNTIME: native
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      # Kafka and ElasticMQ run on Java 17 (Maven, which resolves their jars, is on the runner).
      - uses: actions/setup-java@v4
        with:
          distribution: temurin
          java-version: '17'
${INSTALL_STEP}
      - name: Install the brokers
        run: |
          # As brokerlab's scripts/install.sh: keep the packages from starting system-wide
          # services; brokerlab runs its own broker processes, with data under ~/.brokerlab.
          printf '#!/bin/sh\\nexit 101\\n' | sudo tee /usr/sbin/policy-rc.d >/dev/null
          sudo chmod +x /usr/sbin/policy-rc.d
          sudo apt-get update -q
          sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server rabbitmq-server postgresql prometheus
          sudo rm -f /usr/sbin/policy-rc.d
          lab=node_modules/brokerlab
          kafka=$(sed -n 's/^KAFKA_VERSION=//p' "$lab/scripts/versions.env")
          mvn -B -q -f "$lab/scripts/vendor/kafka.pom.xml" "-Dkafka.version=$kafka" \\
            dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$HOME/.brokerlab/vendor/kafka-$kafka/lib"
          elasticmq=$(sed -n 's/^ELASTICMQ_VERSION=//p' "$lab/scripts/versions.env")
          mvn -B -q -f "$lab/scripts/vendor/elasticmq.pom.xml" "-Delasticmq.version=$elasticmq" \\
            dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$HOME/.brokerlab/vendor/elasticmq-$elasticmq/lib"
          # moto's server plays SNS: a venv of its own, as scripts/install.sh makes it.
          moto=$(sed -n 's/^MOTO_VERSION=//p' "$lab/scripts/versions.env")
          python3 -m venv "$HOME/.brokerlab/vendor/moto-$moto"
          "$HOME/.brokerlab/vendor/moto-$moto/bin/pip" install -q --disable-pip-version-check "moto[sns,sqs]==$moto" flask==3.1.3 flask-cors==6.0.5
${TOXIPROXY_STEPS}
      - name: Start the brokers
        run: ./node_modules/.bin/brokerlab up ${CI_BROKERS.join(' ')} toxiproxy ${CI_RUNNER_BROKERS.join(' ')}
${GRADE_STEPS}
`;
}

// --- generic: a shell script and GitLab CI -----------------------------------------------------

export function genericScript(options: CiOptions): string {
  return `#!/bin/sh
# Grades this brokerlab workspace on any CI (GitLab, Jenkins, ...) or any machine with Node.js
# 20+ and a POSIX shell (made by \`brokerlab init --ci generic\`; edit freely). From anywhere:
#
#   sh ci/grade.sh [grade options]        e.g. sh ci/grade.sh --all
#
# 1. installs your packages and brokerlab (BROKERLAB_PACKAGE, default ${options.brokerlabPackage});
# 2. makes sure ${CI_BROKERS.join(', ')} answer with \`brokerlab up\`: the ones your CI runs when
#    BROKERLAB_REDIS_URL, BROKERLAB_AMQP_URL (+ BROKERLAB_RABBITMQ_MANAGEMENT_URL),
#    BROKERLAB_KAFKA_BROKERS, BROKERLAB_SQS_ENDPOINT and BROKERLAB_POSTGRES_URL name them (CI services), else it starts them here (with Docker
#    when the machine has it, else the brokers installed on it; see brokerlab's README);
#    brokers it starts keep running: \`./node_modules/.bin/brokerlab down\` stops them;
# 3. runs \`brokerlab grade\`, which writes ${RESULTS_DIR}/ (results.json, junit.xml; the
#    BROKERLAB_RESULTS variable changes where), and exits with its code: 0 every exercise
#    passed, 1 a check failed, 2 usage, 3 undecided, 4 a broker is missing.
set -eu

cd "$(dirname "$0")/.."
package=\${BROKERLAB_PACKAGE:-${options.brokerlabPackage}}
results=\${BROKERLAB_RESULTS:-${RESULTS_DIR}}

if ! command -v npm >/dev/null 2>&1; then
  echo "ci/grade.sh: npm is missing; brokerlab needs Node.js 20 or newer" >&2
  exit 4
fi

echo "==> installing your packages and $package"
npm install --no-audit --no-fund
npm install --no-save --no-audit --no-fund "$package"
brokerlab=./node_modules/.bin/brokerlab

# CI services may still be starting when the job does: give brokers named by BROKERLAB_*
# a minute to answer. Brokers started here are waited for by \`up\` itself.
tries=1
if [ -n "\${BROKERLAB_REDIS_URL:-}\${BROKERLAB_AMQP_URL:-}\${BROKERLAB_KAFKA_BROKERS:-}\${BROKERLAB_SQS_ENDPOINT:-}\${BROKERLAB_POSTGRES_URL:-}" ]; then
  tries=30
fi
n=1
while :; do
  code=0
  "$brokerlab" up ${CI_BROKERS.join(' ')} || code=$?
  if [ "$code" -eq 0 ]; then
    break
  fi
  # 4: not reachable (yet); anything else will not get better by waiting.
  if [ "$code" -ne 4 ] || [ "$n" -ge "$tries" ]; then
    exit "$code"
  fi
  n=$((n + 1))
  sleep 2
done

# Exercises with network faults need toxiproxy between your program and the brokers: the one
# BROKERLAB_TOXIPROXY_URL names (a CI service), else one installed on this machine.
if ! "$brokerlab" up toxiproxy >/dev/null 2>&1; then
  echo "ci/grade.sh: toxiproxy is not running: exercises whose faults cut or slow the network will not be graded (set BROKERLAB_TOXIPROXY_URL, or install brokerlab's brokers with its scripts/install.sh)" >&2
fi

# The monitoring exercise needs Prometheus on this machine: it scrapes your program at
# 127.0.0.1 and reads the run's target files from brokerlab's home.
if ! "$brokerlab" up prometheus >/dev/null 2>&1; then
  echo "ci/grade.sh: Prometheus is not running: the monitoring exercise cannot be graded (install the prometheus package, or set BROKERLAB_PROMETHEUS_URL to one on this machine)" >&2
fi

# The replication exercise needs brokerlab's own 3-node Kafka cluster on this machine: it stops
# and kills the nodes' processes.
if ! "$brokerlab" up kafka-cluster >/dev/null 2>&1; then
  echo "ci/grade.sh: the Kafka cluster is not running: the replication exercise cannot be graded (install brokerlab's brokers with its scripts/install.sh)" >&2
fi

# The high-availability exercise needs brokerlab's own 3-node RabbitMQ cluster on this machine:
# it stops and kills the nodes' processes.
if ! "$brokerlab" up rabbitmq-cluster >/dev/null 2>&1; then
  echo "ci/grade.sh: the RabbitMQ cluster is not running: the high-availability exercise cannot be graded (install brokerlab's brokers with its scripts/install.sh)" >&2
fi

echo "==> grading"
exec "$brokerlab" grade --allow-empty --out "$results" "$@"
`;
}

export function gitlabCi(options: CiOptions): string {
  const { services } = options.compose;
  return `# Grades the exercises on every push in GitLab CI (made by \`brokerlab init --ci generic\`;
# edit freely). ci/grade.sh does the work; it runs on any CI with Node.js and a POSIX shell.
# Here the brokers run as GitLab services, with the images and settings of brokerlab's
# compose/docker-compose.yml, and the BROKERLAB_* variables point brokerlab at them.
grade:
  image: node:20-bookworm
  timeout: 30 minutes
  services:
    - name: ${q(services.redis.image)}
      alias: redis
    - name: ${q(services.rabbitmq.image)}
      alias: rabbitmq
      variables:
        # compose's rabbitmq.conf, as Erlang arguments.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: ${q(rabbitmqErlArgs(options.compose.rabbitmqConf))}
    - name: ${q(services.kafka.image)}
      alias: kafka
      variables:
        # One node in KRaft mode, clients told kafka:${PORTS.kafka.broker} (the service's alias).
${indent(envLines(kafkaEnv(options.compose, 'kafka')), 8)}
    - name: ${q(services.sqs.image)}
      alias: sqs
      # Queue URLs name the host the client asked (sqs:${PORTS.sqs.sqs}), not the image's localhost.
      command: ['-Dgenerate-node-address=true']
    - name: ${q(services.sns.image)}
      alias: sns
      variables:
${indent(envLines(services.sns.environment ?? {}), 8)}
    - name: ${q(services.postgres.image)}
      alias: postgres
      variables:
${indent(envLines(services.postgres.environment ?? {}), 8)}
    # toxiproxy, built with Go as in brokerlab's compose file; it reaches the brokers by
    # their aliases and your program reaches its proxies by its own (FF_NETWORK_PER_BUILD).
    - name: 'golang:1.23-bookworm'
      alias: toxiproxy
      entrypoint: ['sh', '-c', 'go install github.com/Shopify/toxiproxy/v2/cmd/server@${options.toxiproxyVersion} && exec /go/bin/server -host=0.0.0.0 -port=${PORTS.toxiproxy.api}']
  variables:
    # Services on one network with the job, so toxiproxy's proxies are reachable both ways.
    FF_NETWORK_PER_BUILD: 'true'
    # Where npm gets brokerlab: a version, or a git URL or tarball of the brokerlab you use.
    BROKERLAB_PACKAGE: ${q(options.brokerlabPackage)}
${indent(envLines({ ...brokerEnv((broker) => broker), BROKERLAB_TOXIPROXY_URL: `http://toxiproxy:${PORTS.toxiproxy.api}` }), 4)}
  before_script:
    # Prometheus runs in the job itself (ci/grade.sh starts it): it scrapes your program at
    # 127.0.0.1 and reads the run's target files, which a service cannot.
    - printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    - apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus
    - rm -f /usr/sbin/policy-rc.d
  script:
    # Add --all to grade every exercise, not only the ones .brokerlab/progress.json lists.
    - sh ${GENERIC_SCRIPT_PATH}
  artifacts:
    when: always
    paths:
      - ${RESULTS_DIR}/
    reports:
      junit: ${RESULTS_DIR}/junit.xml
`;
}
