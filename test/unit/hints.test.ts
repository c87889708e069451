// Hints: the numbered items of a hints.md (pure parsing with literal markdown), then
// revealing them one at a time with the count kept in the progress file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExercise, loadCatalog } from '../../src/catalog/load.js';
import { loadHints, parseHints, showNextHint } from '../../src/workspace/hints.js';
import { loadProgress, statusOf } from '../../src/workspace/progress.js';
import { workspaceAt } from '../../src/workspace/workspace.js';

describe('parseHints', () => {
  it('takes the numbered items, each over several lines, without the title', () => {
    const markdown = [
      '# Hints: something',
      '',
      '1. `subscribe(channel)` starts the subscription; messages then arrive as',
      "   `on('message', ...)`.",
      '2. One line.',
      '3. Lazy continuation',
      'without indentation.',
      '',
    ].join('\n');
    expect(parseHints(markdown)).toEqual([
      "`subscribe(channel)` starts the subscription; messages then arrive as\n`on('message', ...)`.",
      'One line.',
      'Lazy continuation\nwithout indentation.',
    ]);
  });

  it('keeps blank lines, code blocks and nested lists inside an item, relative indentation included', () => {
    const markdown = [
      '1) Declare it like this:',
      '',
      '   ```ts',
      '   await channel.assertQueue(q, {',
      '     durable: true,',
      '   });',
      '   ```',
      '',
      '   1. nested, not a new hint',
      '2) Second.',
    ].join('\n');
    expect(parseHints(markdown)).toEqual([
      'Declare it like this:\n\n```ts\nawait channel.assertQueue(q, {\n  durable: true,\n});\n```\n\n1. nested, not a new hint',
      'Second.',
    ]);
  });

  it('ends the list at a heading or an unindented paragraph after a blank line', () => {
    const markdown = ['1. First.', '', 'A closing remark, not a hint.', '', '## More', '2. Second.', '# Other', 'text'].join('\n');
    expect(parseHints(markdown)).toEqual(['First.', 'Second.']);
  });

  it('handles CRLF, two-digit numbers, and no items at all', () => {
    expect(parseHints('9. nine\r\n10. ten\r\n')).toEqual(['nine', 'ten']);
    expect(parseHints('# Hints\n\nJust prose.\n')).toEqual([]);
  });

  it('finds hints in every exercise of the catalog', () => {
    for (const entry of loadCatalog()) {
      const hints = loadHints(workspaceAt('/nonexistent-workspace'), entry);
      expect(hints.length, entry.scenario.id).toBeGreaterThanOrEqual(2);
      for (const hint of hints) expect(hint).not.toMatch(/^\d+\./);
    }
  });
});

describe('showNextHint', () => {
  const entry = findExercise('redis-pubsub-notifier');

  it("reveals one more each time, records it, and stops at the last; the workspace's own hints.md wins", () => {
    const workspace = workspaceAt(mkdtempSync(path.join(tmpdir(), 'brokerlab-hints-unit-')));
    const dir = path.join(workspace.exercisesDir, entry.scenario.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'hints.md'), '# Hints\n\n1. one\n2. two\n');

    expect(showNextHint(workspace, entry)).toEqual({ hints: ['one'], shown: 1, total: 2, newlyShown: true });
    expect(loadProgress(workspace).exercises[entry.scenario.id]?.hintsShown).toBe(1);
    expect(statusOf(loadProgress(workspace), entry.scenario.id)).toBe('not-started');
    expect(showNextHint(workspace, entry)).toEqual({ hints: ['one', 'two'], shown: 2, total: 2, newlyShown: true });
    expect(showNextHint(workspace, entry)).toEqual({ hints: ['one', 'two'], shown: 2, total: 2, newlyShown: false });
    expect(loadProgress(workspace).exercises[entry.scenario.id]?.hintsShown).toBe(2);
  });

  it("falls back to labs/<id>/hints.md when the workspace has no copy", () => {
    const workspace = workspaceAt(mkdtempSync(path.join(tmpdir(), 'brokerlab-hints-unit-')));
    const result = showNextHint(workspace, entry);
    expect(result.shown).toBe(1);
    expect(result.total).toBe(loadHints(workspace, entry).length);
    expect(result.hints[0]).toContain('subscriber.subscribe(channel)');
  });
});
