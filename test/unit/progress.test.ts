// The progress model with literal progress files: statuses, what a graded run records, what
// to do next, hints seen, and the plan view `brokerlab progress` prints.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CurriculumLevel } from '../../src/catalog/curriculum.js';
import type { CatalogEntry } from '../../src/catalog/load.js';
import { planWithProgress } from '../../src/workspace/plan.js';
import {
  type Progress,
  emptyProgress,
  hintsShownOf,
  loadProgress,
  nextExercise,
  recordHintsShown,
  recordRun,
  saveProgress,
  statusOf,
} from '../../src/workspace/progress.js';
import { workspaceAt } from '../../src/workspace/workspace.js';

/** Just enough of a catalog entry for the progress functions (they read id, title, level, week). */
function entry(id: string, level = 1, week = '1'): CatalogEntry {
  return { scenario: { id, title: `Title of ${id}`, level, week } } as unknown as CatalogEntry;
}
const catalog = [entry('first'), entry('second'), entry('third', 2, '4-5')];

const T1 = new Date('2026-01-01T10:00:00.000Z');
const T2 = new Date('2026-01-02T10:00:00.000Z');

describe('statusOf', () => {
  const progress: Progress = {
    formatVersion: 1,
    exercises: {
      first: { status: 'done', attempts: 2, lastVerdict: 'fail', lastRunAt: T2.toISOString(), passedAt: T1.toISOString(), hintsShown: 1 },
      second: { status: 'attempted', attempts: 1, lastVerdict: 'fail', lastRunAt: T1.toISOString(), hintsShown: 0 },
      third: { status: 'not-started', attempts: 0, hintsShown: 2 },
    },
  };
  it('reads done, attempted, hints-only and missing entries', () => {
    expect(statusOf(progress, 'first')).toBe('done');
    expect(statusOf(progress, 'second')).toBe('attempted');
    expect(statusOf(progress, 'third')).toBe('not-started');
    expect(statusOf(progress, 'never-heard-of')).toBe('not-started');
  });
});

describe('recordRun', () => {
  it('a first failing run makes it attempted and current', () => {
    const after = recordRun(emptyProgress(), 'first', 'fail', T1);
    expect(after).toEqual({
      formatVersion: 1,
      current: 'first',
      exercises: { first: { status: 'attempted', attempts: 1, lastVerdict: 'fail', lastRunAt: T1.toISOString(), hintsShown: 0 } },
    });
  });

  it('a pass makes it done with passedAt; a later failure keeps it done and the first passedAt', () => {
    const passed = recordRun(recordRun(emptyProgress(), 'first', 'fail', T1), 'first', 'pass', T1);
    expect(passed.exercises.first).toMatchObject({ status: 'done', attempts: 2, lastVerdict: 'pass', passedAt: T1.toISOString() });
    const failedLater = recordRun(passed, 'first', 'fail', T2);
    expect(failedLater.exercises.first).toMatchObject({ status: 'done', attempts: 3, lastVerdict: 'fail', lastRunAt: T2.toISOString(), passedAt: T1.toISOString() });
  });

  it('keeps hints seen before the first run, and entries of ids it does not know', () => {
    const before: Progress = {
      formatVersion: 1,
      exercises: {
        first: { status: 'not-started', attempts: 0, hintsShown: 2 },
        'renamed-long-ago': { status: 'done', attempts: 1, lastVerdict: 'pass', lastRunAt: T1.toISOString(), hintsShown: 0 },
      },
    };
    const after = recordRun(before, 'first', 'unknown', T2);
    expect(after.exercises.first).toEqual({ status: 'attempted', attempts: 1, lastVerdict: 'unknown', lastRunAt: T2.toISOString(), hintsShown: 2 });
    expect(after.exercises['renamed-long-ago']).toEqual(before.exercises['renamed-long-ago']);
  });

  it('is pure: the progress given is not changed', () => {
    const before = emptyProgress();
    recordRun(before, 'first', 'pass', T1);
    expect(before).toEqual(emptyProgress());
  });
});

describe('recordHintsShown', () => {
  it('creates a not-started entry for an exercise never graded: a hint is not an attempt', () => {
    const after = recordHintsShown(emptyProgress(), 'second', 1);
    expect(after.exercises.second).toEqual({ status: 'not-started', attempts: 0, hintsShown: 1 });
    expect(statusOf(after, 'second')).toBe('not-started');
    expect(hintsShownOf(after, 'second')).toBe(1);
    expect(after.current).toBeUndefined();
  });

  it('changes only hintsShown of a graded exercise', () => {
    const graded = recordRun(emptyProgress(), 'first', 'fail', T1);
    const after = recordHintsShown(graded, 'first', 3);
    expect(after.exercises.first).toEqual({ ...graded.exercises.first, hintsShown: 3 });
    expect(hintsShownOf(after, 'third')).toBe(0);
  });
});

describe('nextExercise', () => {
  it('starts with the first exercise in curriculum order', () => {
    expect(nextExercise(catalog, emptyProgress())?.scenario.id).toBe('first');
  });

  it('stays on the current exercise while it is not done', () => {
    const progress = recordRun(emptyProgress(), 'second', 'fail', T1);
    expect(nextExercise(catalog, progress)?.scenario.id).toBe('second');
  });

  it('moves to the first one not done once the current one is done', () => {
    const progress = recordRun(recordRun(emptyProgress(), 'first', 'pass', T1), 'third', 'pass', T2);
    expect(nextExercise(catalog, progress)?.scenario.id).toBe('second');
  });

  it('is undefined when everything is done', () => {
    let progress = emptyProgress();
    for (const e of catalog) progress = recordRun(progress, e.scenario.id, 'pass', T1);
    expect(nextExercise(catalog, progress)).toBeUndefined();
  });
});

describe('the progress file', () => {
  it('round-trips, keeps unknown ids, and a missing file is empty progress', () => {
    const workspace = workspaceAt(mkdtempSync(path.join(tmpdir(), 'brokerlab-progress-unit-')));
    expect(loadProgress(workspace)).toEqual(emptyProgress());
    const progress = recordRun(recordHintsShown(emptyProgress(), 'gone-id', 1), 'first', 'pass', T1);
    saveProgress(workspace, progress);
    expect(loadProgress(workspace)).toEqual(progress);
    expect(JSON.parse(readFileSync(workspace.progressPath, 'utf8')).exercises['gone-id']).toEqual({ status: 'not-started', attempts: 0, hintsShown: 1 });
  });

  it('refuses a broken file with a message that says what to do', () => {
    const workspace = workspaceAt(mkdtempSync(path.join(tmpdir(), 'brokerlab-progress-unit-')));
    saveProgress(workspace, emptyProgress());
    writeFileSync(workspace.progressPath, '{ "formatVersion": 99, "exercises": {} }');
    expect(() => loadProgress(workspace)).toThrow(/cannot read your progress file .*unsupported format \(formatVersion 99\)/);
  });
});

describe('planWithProgress', () => {
  const curriculum: CurriculumLevel[] = [
    { level: 1, name: 'Foundations', weeks: [{ week: '1', topics: [{ exercise: 'first' }, { planned: 'Something later' }, { exercise: 'second' }] }] },
  ];

  it('joins the plan with statuses, shows planned topics, places exercises the plan lacks, counts', () => {
    const progress = recordRun(recordRun(emptyProgress(), 'first', 'pass', T1), 'second', 'fail', T2);
    const plan = planWithProgress(catalog, progress, curriculum);
    expect(plan.levels[0]?.weeks[0]?.topics).toEqual([
      { id: 'first', title: 'Title of first', status: 'done', attempts: 1, hintsShown: 0 },
      { title: 'Something later', status: 'planned' },
      { id: 'second', title: 'Title of second', status: 'attempted', attempts: 1, hintsShown: 0 },
    ]);
    // "third" is in the catalog but not in this plan: it still shows, in its level and week.
    expect(plan.levels[1]).toEqual({
      level: 2,
      name: '',
      weeks: [{ week: '4-5', topics: [{ id: 'third', title: 'Title of third', status: 'not-started', attempts: 0, hintsShown: 0 }] }],
    });
    expect(plan.next).toEqual({ id: 'second', title: 'Title of second' });
    expect([plan.done, plan.total]).toEqual([1, 3]);
  });
});
