// `brokerlab` with no arguments: without a terminal, the list and the next step (exit 0);
// in a terminal (a tmux pane), the interactive menu: Pick an exercise -> the exercise ->
// Read the task shows its README, and Quit leaves with 0.
import { loadCatalog } from '../../src/catalog/load.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, tempDir } from '../helpers.js';

const parent = tempDir('brokerlab-menu-');
let workspace: string;

afterAll(() => rmSync(parent, { recursive: true, force: true }));

beforeAll(async () => {
  workspace = path.join(parent, 'ws');
  const init = await cli(['init', workspace, '--quiet']);
  expect(init.code, init.stderr).toBe(0);
});

describe('brokerlab (no command) without a terminal', () => {
  it('prints the exercises with their status and the next step, and exits 0', async () => {
    const r = await cli([], {}, { cwd: workspace });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`brokerlab: 0 of ${loadCatalog().length} exercises done`);
    expect(r.stdout).toContain('Level 1: Foundations');
    expect(r.stdout).toMatch(/week 1 +○ redis-pubsub-notifier +Redis Pub\/Sub notifier/);
    expect(r.stdout).toMatch(/week 4-5 +○ kafka-consumer-group/);
    expect(r.stdout).toContain('Next: brokerlab check redis-pubsub-notifier');
    expect(r.stdout).toContain('edit exercises/redis-pubsub-notifier/notifier.ts');
  });
});

describe('brokerlab (no command) in a terminal', () => {
  it('has tmux to drive a terminal with (scripts/install.sh installs it)', () => {
    expect(spawnSync('tmux', ['-V']).status, 'tmux is missing: apt-get install -y tmux').toBe(0);
  });

  // A tmux server of our own (-L), so a developer's tmux sessions are never touched.
  const socket = `brokerlab-test-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  let exitFile: string;

  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  /** The pane's text, scrollback included. */
  const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'menu', '-S', '-500');

  async function waitForScreen(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(screen())) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} on the screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function exitCode(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(exitFile) || readFileSync(exitFile, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`brokerlab did not exit; the screen:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return readFileSync(exitFile, 'utf8').trim();
  }

  it('Pick an exercise -> the first one -> Read the task shows its README; Back, Quit exits 0', async () => {
    exitFile = path.join(parent, 'exit-code');
    const command = `NO_COLOR=1 '${process.execPath}' '${BIN}'; echo $? > '${exitFile}'; sleep 60`;
    tmux('new-session', '-d', '-s', 'menu', '-x', '160', '-y', '50', '-c', workspace, command);

    await waitForScreen(/What next\?/);
    expect(screen()).toContain('Continue: Redis Pub/Sub notifier');
    tmux('send-keys', '-t', 'menu', 'Down', 'Enter'); // Pick an exercise
    await waitForScreen(/Level 2: Technologies/);
    tmux('send-keys', '-t', 'menu', 'Enter'); // the next one is preselected: Redis Pub/Sub notifier
    await waitForScreen(/Read the task/);
    tmux('send-keys', '-t', 'menu', 'Enter'); // Read the task
    await waitForScreen(/# Week 1: Redis Pub\/Sub notifier/);
    expect(screen()).toContain('(exercises/redis-pubsub-notifier/README.md)');

    // Back (the 5th item; the cursor stays on "Read the task"), then Quit (the 3rd).
    await waitForScreen(/\(exercises\/redis-pubsub-notifier\/README\.md\)[\s\S]*Read the task/);
    tmux('send-keys', '-t', 'menu', 'Down', 'Down', 'Down', 'Down', 'Enter');
    await waitForScreen(/\? brokerlab: .*What next\?/);
    tmux('send-keys', '-t', 'menu', 'Down', 'Down', 'Enter');
    expect(await exitCode()).toBe('0');
  });
});
