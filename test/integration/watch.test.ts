// `brokerlab watch --manual` in a fresh workspace, driven through stdin as a learner would:
// the starter fails, the fixed file passes on Enter with only what changed, watch moves on
// to the next exercise, and q ends it cleanly. Ctrl-C mid-run exits 130 with nothing left.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { BIN, REPO, cli, processesMatching, tempDir } from '../helpers.js';

const ID = 'redis-pubsub-notifier';

/** The reference solution as a learner would write it in the workspace. */
function correctSolution(): string {
  const reference = readFileSync(path.join(REPO, 'scenarios', ID, 'reference', 'notifier.ts'), 'utf8');
  return reference.replace('../../../labs/redis-pubsub-notifier/shop.js', './shop.js');
}

interface Session {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Resolves when the output (stdout + stderr) matches, from `from` on. */
  waitFor: (pattern: RegExp, from?: number, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

function startWatch(workspace: string, args: string[]): Session {
  const child = spawn(process.execPath, [BIN, 'watch', ...args], {
    cwd: workspace,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitFor = async (pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output.slice(from))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in the output:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output: () => output, waitFor, exited };
}

const parents: string[] = [];

async function newWorkspace(): Promise<string> {
  const parent = tempDir('brokerlab-watch-');
  parents.push(parent);
  const dir = path.join(parent, 'ws');
  const init = await cli(['init', dir, '--quiet']);
  expect(init.code, init.stderr).toBe(0);
  return dir;
}

let workspace: string;

beforeAll(async () => {
  workspace = await newWorkspace();
});
afterAll(() => {
  for (const parent of parents) rmSync(parent, { recursive: true, force: true });
});

describe('brokerlab watch', () => {
  it('--manual: grades, shows only what changed on Enter, moves on when solved, and quits on q', async () => {
    const watch = startWatch(workspace, [ID, '--manual']);
    await watch.waitFor(/Press Enter to grade again, q then Enter to quit/);
    // The first grading: the starter, the full report.
    expect(watch.output()).toContain('NOT YET');
    expect(watch.output()).toContain('graded: exercises/redis-pubsub-notifier/notifier.ts');

    writeFileSync(path.join(workspace, 'exercises', ID, 'notifier.ts'), correctSolution());
    const before = watch.output().length;
    watch.child.stdin.write('\n');
    const next = loadCatalog()[1]?.scenario;
    await watch.waitFor(new RegExp(`Moving on to the next exercise: .*\\(${next?.id}`), before);
    const second = watch.output().slice(before);
    expect(second).toContain('Enter pressed: grading redis-pubsub-notifier again');
    expect(second).toContain('✔ now passing: Subscribes to the orders channel');
    expect(second).toContain('NOT YET → PASSED');
    expect(second).toContain('✔ Solved: Redis Pub/Sub notifier');
    // Only the changes: not the whole report again.
    expect(second).not.toContain('graded: ');
    expect(second).toContain(`edit exercises/${next?.id}/${next?.learner.entry}`);

    watch.child.stdin.write('q\n');
    expect(await watch.exited).toBe(0);
    expect(watch.output()).toContain('Stopped watching.');
    expect(processesMatching(workspace)).toEqual([]);
    const progress = JSON.parse(readFileSync(path.join(workspace, '.brokerlab', 'progress.json'), 'utf8'));
    expect(progress.exercises[ID]).toMatchObject({ status: 'done' });
  });

  it('Ctrl-C during a grading cleans up and exits 130', async () => {
    const watch = startWatch(workspace, ['rabbitmq-retry-worker', '--manual']);
    await watch.waitFor(/starting your program/);
    await new Promise((r) => setTimeout(r, 1_000));
    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(130);
    expect(watch.output()).toContain('interrupted; the run was cleaned up');
    expect(processesMatching(workspace)).toEqual([]);
  });

  it('without --manual, saving the file grades it again', async () => {
    const own = await newWorkspace();
    const watch = startWatch(own, [ID]);
    await watch.waitFor(/Watching exercises\/redis-pubsub-notifier\/: save a file to grade again/);
    expect(watch.output()).toContain('NOT YET');
    const before = watch.output().length;
    writeFileSync(path.join(own, 'exercises', ID, 'notifier.ts'), correctSolution());
    await watch.waitFor(/✔ Solved: Redis Pub\/Sub notifier/, before);
    expect(watch.output().slice(before)).toContain('notifier.ts saved: grading redis-pubsub-notifier again');
    await watch.waitFor(new RegExp(`Watching exercises/${loadCatalog()[1]?.scenario.id}/`), before);
    watch.child.stdin.write('q\n');
    expect(await watch.exited).toBe(0);
    expect(processesMatching(own)).toEqual([]);
  });

  it('an unknown exercise is a usage error (2)', async () => {
    const r = await cli(['watch', 'redis-pubsub', '--manual'], {}, { cwd: workspace });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean redis-pubsub-notifier?');
  });
});
