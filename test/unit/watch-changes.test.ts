// `brokerlab watch` shows what changed between two gradings: literal results, no brokers.
import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Grading, diffGradings, formatChanges, isIgnoredFile, needsFullReport } from '../../src/cli/changes.js';
import type { CheckResult, CheckStatus } from '../../src/checks/types.js';
import { scoreOf, verdictOf } from '../../src/runner/verdict.js';

beforeAll(() => {
  chalk.level = 0;
});

function check(name: string, status: CheckStatus, examples: string[] = []): CheckResult {
  return {
    name,
    title: `Title of ${name}`,
    status,
    expected: `expected ${name}`,
    observed: `observed ${name} (${status})`,
    examples,
    ...(status === 'pass' ? {} : { hint: `hint for ${name}` }),
    weight: 1,
  };
}

function grading(checks: CheckResult[], notes: string[] = []): Grading {
  return { verdict: verdictOf(checks), checks, score: scoreOf(checks), summary: 'summary', notes };
}

describe('diffGradings', () => {
  it('reports checks that flipped, in the scenario order, and the verdict', () => {
    const before = grading([check('subscribed', 'fail'), check('no-lost', 'fail'), check('in-order', 'pass')]);
    const after = grading([check('subscribed', 'pass'), check('no-lost', 'pass'), check('in-order', 'fail', ['order-5 after order-6'])]);
    expect(diffGradings(before, after)).toEqual([
      { kind: 'check', name: 'subscribed', title: 'Title of subscribed', from: 'fail', to: 'pass' },
      { kind: 'check', name: 'no-lost', title: 'Title of no-lost', from: 'fail', to: 'pass' },
      { kind: 'check', name: 'in-order', title: 'Title of in-order', from: 'pass', to: 'fail' },
    ]);
  });

  it('names the new first failing check when the one before it got fixed', () => {
    const before = grading([check('subscribed', 'fail'), check('no-lost', 'fail', ['order-1'])]);
    const after = grading([check('subscribed', 'pass'), check('no-lost', 'fail', ['order-1'])]);
    expect(diffGradings(before, after)).toEqual([
      { kind: 'check', name: 'subscribed', title: 'Title of subscribed', from: 'fail', to: 'pass' },
      { kind: 'first-failure', name: 'no-lost', title: 'Title of no-lost' },
    ]);
  });

  it('names the first failing check again when it fails on a different first example', () => {
    const before = grading([check('no-lost', 'fail', ['order-1', 'order-2'])]);
    const after = grading([check('no-lost', 'fail', ['order-7'])]);
    expect(diffGradings(before, after)).toEqual([{ kind: 'first-failure', name: 'no-lost', title: 'Title of no-lost' }]);
  });

  it('is empty when nothing moved, and says so in one line with the first failing check', () => {
    const before = grading([check('subscribed', 'pass'), check('no-lost', 'fail', ['order-1'])]);
    const after = grading([check('subscribed', 'pass'), check('no-lost', 'fail', ['order-1'])]);
    expect(diffGradings(before, after)).toEqual([]);
    expect(formatChanges(before, after)).toBe('  No change since the last run: still NOT YET  score 1/2; first failing check: Title of no-lost');
  });

  it('reports undecided checks, checks no longer reported, and new notes', () => {
    const before = grading([check('a', 'pass'), check('b', 'fail')], ['old note']);
    const after = grading([check('a', 'unknown')], ['old note', 'learner-1 exited with code 1']);
    expect(diffGradings(before, after)).toEqual([
      { kind: 'check', name: 'a', title: 'Title of a', from: 'pass', to: 'unknown' },
      { kind: 'check', name: 'b', title: 'Title of b', from: 'fail', to: 'absent' },
      { kind: 'note', text: 'learner-1 exited with code 1' },
      { kind: 'verdict', from: 'fail', to: 'unknown' },
    ]);
  });
});

describe('formatChanges', () => {
  it('shows a newly failing check with what to do, and the verdict change with the score', () => {
    const before = grading([check('subscribed', 'pass'), check('in-order', 'pass')]);
    const after = grading([check('subscribed', 'pass'), check('in-order', 'fail', ['order-5 after order-6', 'order-9 after order-10'])]);
    expect(formatChanges(before, after).split('\n')).toEqual([
      '  ✘ now failing: Title of in-order',
      '      observed: observed in-order (fail)',
      '        e.g. order-5 after order-6',
      '      hint: hint for in-order',
      '  PASSED → NOT YET  score 1/2',
    ]);
  });

  it('shows fixed checks briefly and the verdict when it passes', () => {
    const before = grading([check('subscribed', 'fail'), check('in-order', 'pass')]);
    const after = grading([check('subscribed', 'pass'), check('in-order', 'pass')]);
    expect(formatChanges(before, after).split('\n')).toEqual(['  ✔ now passing: Title of subscribed', '  NOT YET → PASSED  score 2/2']);
  });

  it('ends with "still" when checks moved but the verdict did not', () => {
    const before = grading([check('a', 'fail'), check('b', 'fail', ['x'])]);
    const after = grading([check('a', 'pass'), check('b', 'fail', ['x'])]);
    expect(formatChanges(before, after).split('\n')).toEqual([
      '  ✔ now passing: Title of a',
      '  ✘ first failing check now: Title of b',
      '      observed: observed b (fail)',
      '        e.g. x',
      '      hint: hint for b',
      '  still NOT YET  score 1/2',
    ]);
  });
});

describe('needsFullReport', () => {
  it('is true for the first grading and when either run has no checks', () => {
    const graded = grading([check('a', 'fail')]);
    const nothing = { ...grading([]), verdict: 'error' as const };
    expect(needsFullReport(undefined, graded)).toBe(true);
    expect(needsFullReport(nothing, graded)).toBe(true);
    expect(needsFullReport(graded, nothing)).toBe(true);
    expect(needsFullReport(graded, graded)).toBe(false);
  });
});

describe('isIgnoredFile', () => {
  it('ignores editor temp files and caches', () => {
    for (const name of ['.notifier.ts.swp', '.notifier.ts.swo', '4913', 'notifier.ts~', '#notifier.ts#', '.#notifier.ts', 'notifier.ts___jb_tmp___', 'x.tmp', '.DS_Store', '__pycache__', 'worker.cpython-312.pyc']) {
      expect(isIgnoredFile(name), name).toBe(true);
    }
  });
  it('keeps source files', () => {
    for (const name of ['notifier.ts', 'shop.ts', 'worker.py', 'README.md', 'Main.java', 'go.mod']) expect(isIgnoredFile(name), name).toBe(false);
  });
});
