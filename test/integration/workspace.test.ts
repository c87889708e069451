// A learner's whole path through a workspace, with the real binary and a real Redis: init,
// progress, hints, the locked solution, solving the exercise, the unlocked solution, reset.
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findExercise, loadCatalog } from '../../src/catalog/load.js';
import { parseHints } from '../../src/workspace/hints.js';
import { REPO, cli, isOneCleanLine, tempDir } from '../helpers.js';

const ID = 'redis-pubsub-notifier';
const catalog = loadCatalog();

describe('a workspace, from init to reset', () => {
  const parent = tempDir('brokerlab-workspace-test-');
  const root = path.join(parent, 'ws');
  const learnerFile = path.join(root, 'exercises', ID, 'notifier.ts');
  const entry = findExercise(ID);
  const hintCount = parseHints(readFileSync(path.join(entry.labDir, 'hints.md'), 'utf8')).length;
  // Every command runs from inside the workspace, as a learner would.
  const inWorkspace = (args: string[]) => cli(args, {}, { cwd: path.join(root, 'exercises') });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('init creates the workspace, and refuses to create it twice', async () => {
    const r = await cli(['init', root, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ workspace: root, exercises: catalog.map((e) => e.scenario.id) });
    expect(JSON.parse(readFileSync(path.join(root, 'brokerlab.json'), 'utf8'))).toMatchObject({ formatVersion: 1 });
    expect(readFileSync(learnerFile, 'utf8')).toBe(readFileSync(entry.starterPath, 'utf8'));
    expect(JSON.parse(readFileSync(path.join(root, '.brokerlab', 'progress.json'), 'utf8'))).toEqual({ formatVersion: 1, exercises: {} });
    expect(lstatSync(path.join(root, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(readlinkSync(path.join(root, 'node_modules')), 'ioredis'))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ type: 'module', private: true, dependencies: { kafkajs: '2.2.4' } });
    expect(Object.values(pkg.dependencies as Record<string, string>).every((v) => /^\d+\.\d+\.\d+$/.test(v))).toBe(true);
    // The default CI (--ci github-services): the same brokers as compose as services,
    // brokerlab pointed at them, `brokerlab grade`, its results kept (see ci-templates.test.ts).
    expect(JSON.parse(r.stdout)).toMatchObject({ ci: 'github-services', ciFiles: ['.github/workflows/brokerlab.yml'] });
    const workflow = readFileSync(path.join(root, '.github', 'workflows', 'brokerlab.yml'), 'utf8');
    const job = parse(workflow).jobs.grade;
    const compose = parse(readFileSync(path.join(REPO, 'compose', 'docker-compose.yml'), 'utf8')).services;
    for (const broker of ['redis', 'rabbitmq', 'kafka']) expect(job.services[broker].image, broker).toBe(compose[broker].image);
    expect(job.services.kafka.env).toEqual(compose.kafka.environment);
    expect(job.env).toMatchObject({ BROKERLAB_REDIS_URL: expect.any(String), BROKERLAB_AMQP_URL: expect.any(String), BROKERLAB_KAFKA_BROKERS: expect.any(String) });
    expect(job.steps.find((s: { id?: string }) => s.id === 'grade').run).toBe('./node_modules/.bin/brokerlab grade --allow-empty --out brokerlab-results');
    expect(existsSync(path.join(root, 'ci'))).toBe(false);
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toMatch(/^node_modules$/m);
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toMatch(/^brokerlab-results\/$/m);

    const again = await cli(['init', root]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is already a brokerlab workspace');
    const notEmpty = await cli(['init', path.join(root, 'exercises', ID, '..', '..', '..')]);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('is not empty and is not a brokerlab workspace');
  });

  it('init --ci picks the CI files: generic (a script + GitLab), github-native, none; a bad choice is exit 2', async () => {
    const generic = path.join(parent, 'ws-generic');
    const g = await cli(['init', generic, '--ci', 'generic', '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ ci: 'generic', ciFiles: ['ci/grade.sh', '.gitlab-ci.yml'] });
    expect(statSync(path.join(generic, 'ci', 'grade.sh')).mode & 0o111).toBe(0o111);
    expect(parse(readFileSync(path.join(generic, '.gitlab-ci.yml'), 'utf8')).grade.script).toEqual(['sh ci/grade.sh']);
    expect(existsSync(path.join(generic, '.github'))).toBe(false);
    expect(readFileSync(path.join(generic, 'README.md'), 'utf8')).toContain('`ci/grade.sh`');

    const native = path.join(parent, 'ws-native');
    expect((await cli(['init', native, '--ci', 'github-native', '--quiet'])).code).toBe(0);
    const job = parse(readFileSync(path.join(native, '.github', 'workflows', 'brokerlab.yml'), 'utf8')).jobs.grade;
    expect(job.services).toBeUndefined();
    expect(job.env.BROKERLAB_RUNTIME).toBe('native');

    const none = path.join(parent, 'ws-none');
    expect((await cli(['init', none, '--ci', 'none', '--quiet'])).code).toBe(0);
    expect(existsSync(path.join(none, '.github'))).toBe(false);
    expect(existsSync(path.join(none, 'ci'))).toBe(false);
    expect(existsSync(path.join(none, 'brokerlab.json'))).toBe(true);

    const bad = await cli(['init', path.join(parent, 'ws-bad'), '--ci', 'travis']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are github-services, github-native, generic, none');
    expect(isOneCleanLine(bad.stderr)).toBe(true);
    expect(existsSync(path.join(parent, 'ws-bad'))).toBe(false);
  });

  it('progress --json: every graded exercise not started, planned ones listed', async () => {
    const r = await inWorkspace(['progress', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.workspace).toBe(root);
    const topics = plan.levels.flatMap((l: { weeks: { topics: unknown[] }[] }) => l.weeks.flatMap((w) => w.topics));
    const graded = topics.filter((t: { id?: string }) => t.id);
    expect(graded.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual(catalog.map((e) => [e.scenario.id, 'not-started']));
    // The curriculum's topics not graded yet are listed too, each as planned.
    const planned = topics.filter((t: { status: string }) => t.status === 'planned');
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.length + graded.length).toBe(topics.length);
    expect(plan).toMatchObject({ next: { id: ID }, done: 0, total: catalog.length });
  });

  it('hint shows one hint, then two', async () => {
    const first = await inWorkspace(['hint', ID]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Hint 1 of ${hintCount}`);
    expect(first.stdout).toContain('1. `subscriber.subscribe(channel)`');
    expect(first.stdout).not.toContain('2. ');
    const second = await inWorkspace(['hint', ID, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ exercise: ID, shown: 2, total: hintCount, newlyShown: true });
    expect(JSON.parse(second.stdout).hints).toHaveLength(2);
  });

  it('solution is refused before the exercise is solved (exit 1), kindly', async () => {
    const r = await inWorkspace(['solution', ID]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`solve it first; \`brokerlab hint ${ID}\` helps`);
    expect(r.stdout).toBe('');
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });

  it('check grades the workspace\'s file: the reference copied in passes and the exercise is done', async () => {
    const reference = readFileSync(entry.referencePath, 'utf8').replace(`../../../labs/${ID}/shop.js`, './shop.js');
    expect(reference).toContain("from './shop.js'");
    writeFileSync(learnerFile, reference);
    const r = await inWorkspace(['check', ID, '--quiet']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('PASSED');
    const progress = JSON.parse((await inWorkspace(['progress', '--json'])).stdout);
    expect(progress).toMatchObject({ done: 1, total: catalog.length, next: { id: catalog[1]?.scenario.id } });
    const saved = JSON.parse(readFileSync(path.join(root, '.brokerlab', 'progress.json'), 'utf8'));
    expect(saved.exercises[ID]).toMatchObject({ status: 'done', attempts: 1, lastVerdict: 'pass', hintsShown: 2 });
  });

  it('solution now prints the reference, with its path', async () => {
    const r = await inWorkspace(['solution', ID]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(path.join('reference', 'notifier.ts'));
    expect(r.stdout).toContain(readFileSync(entry.referencePath, 'utf8').trim());
    const json = JSON.parse((await inWorkspace(['solution', ID, '--json'])).stdout);
    expect(json).toEqual({ path: entry.referencePath, content: readFileSync(entry.referencePath, 'utf8') });
  });

  it('reset needs --yes without a terminal (exit 2), and with it restores the starter, keeping progress', async () => {
    const refused = await inWorkspace(['reset', ID]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to reset without asking');
    expect(readFileSync(learnerFile, 'utf8')).not.toBe(readFileSync(entry.starterPath, 'utf8'));

    const r = await inWorkspace(['reset', ID, '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ exercises: [ID], restored: [path.join('exercises', ID, 'notifier.ts')] });
    expect(readFileSync(learnerFile, 'utf8')).toBe(readFileSync(entry.starterPath, 'utf8'));
    const saved = JSON.parse(readFileSync(path.join(root, '.brokerlab', 'progress.json'), 'utf8'));
    expect(saved.exercises[ID].status).toBe('done');
  });

  it("reset in brokerlab's own repository points at git instead", async () => {
    const r = await cli(['reset', ID, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`git checkout -- labs/${ID}`);
  });
});
