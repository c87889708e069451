// report.html from a real graded run, opened in headless Chromium as a learner's browser would
// open it: the verdict, one row per check, the fault on the timeline, no errors, no requests.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cli, isOneCleanLine, tempRunsDir } from '../helpers.js';

// Debian's Chromium (scripts/install.sh installs it); playwright-core never downloads one.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('brokerlab report', () => {
  it('writes report.html for a graded run; it renders in Chromium with the verdict, the checks and the fault', async () => {
    // Fail, never skip: a skipped browser test would hide that the report is unchecked.
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing: ${CHROMIUM} not found. Install it with \`apt-get install -y chromium\` (scripts/install.sh does it when run as root).`);

    const runs = tempRunsDir();
    const env = { BROKERLAB_RUNS_DIR: runs };
    const checked = await cli(['check', 'rabbitmq-retry-worker', '--solution', 'reference', '--quiet'], env);
    expect(checked.code, checked.stderr).toBe(0);
    const runDir = realpathSync(path.join(runs, 'latest'));
    const report = path.join(runDir, 'report.html');
    expect(existsSync(report)).toBe(true);
    expect(checked.stdout).toContain('report.html');
    const results = JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as { tests: unknown[]; brokerlab: Record<string, unknown> };
    expect(results.brokerlab).not.toHaveProperty('history');

    // Without a terminal it prints the path, even with a display; --json and a run id too.
    const plain = await cli(['report'], { ...env, DISPLAY: ':0' });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toBe(report);
    const json = await cli(['report', path.basename(runDir), '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ path: report });
    const unknown = await cli(['report', 'no-such-run'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`newest: ${path.basename(runDir)}`);
    expect(isOneCleanLine(unknown.stderr)).toBe(true);

    // An older run without report.html gets one rebuilt from results.json and history.jsonl
    // (then the original is put back: it alone has expected/observed of passed checks).
    const original = readFileSync(report, 'utf8');
    rmSync(report);
    const rebuilt = await cli(['report', runDir, '--print'], env);
    expect(rebuilt.stdout.trim()).toBe(report);
    expect(readFileSync(report, 'utf8')).toContain('data-fault="SIGKILL learner-1"');
    writeFileSync(report, original);

    const profile = mkdtempSync(path.join(tmpdir(), 'brokerlab-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1200, height: 900 } });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(report).href);

      expect(await page.title()).toBe('PASSED · RabbitMQ worker: acks, retries, dead letters · brokerlab');
      expect(await page.locator('.verdict').textContent()).toBe('PASSED');
      expect(await page.locator('article.check').count()).toBe(results.tests.length);
      expect(await page.locator('article.check.pass').count()).toBe(results.tests.length);
      // Two kills (mid-task, then between a poison task's attempts), each with its restart.
      const fault = page.locator('svg g.fault[data-fault="SIGKILL learner-1"]');
      expect(await fault.count()).toBe(2);
      expect(await fault.first().isVisible()).toBe(true);
      expect(await page.locator('svg g.fault.heal').count()).toBe(2);

      const shot = path.join(path.dirname(report), 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`report screenshot: ${shot}`);
      expect(errors).toEqual([]);
      // Self-contained: the page itself is the only thing loaded.
      expect(requests).toEqual([pathToFileURL(report).href]);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
