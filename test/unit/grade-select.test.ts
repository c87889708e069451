// Which exercises `brokerlab grade` picks: --week, --all, the started ones; one-line errors.
import { describe, expect, it } from 'vitest';
import { CURRICULUM, type CurriculumLevel } from '../../src/catalog/curriculum.js';
import type { CatalogEntry } from '../../src/catalog/load.js';
import { checkSelection, exercisesOfWeek, parseWeek, startedExercises, weeksOf } from '../../src/cli/grade-select.js';
import { parseParallel } from '../../src/cli/parallel.js';
import { UsageError } from '../../src/errors.js';
import { emptyProgress, recordHintsShown, recordRun } from '../../src/workspace/progress.js';

const entry = (id: string, week: string) => ({ scenario: { id, week } }) as unknown as CatalogEntry;
const catalog = [entry('redis-pubsub-notifier', '1'), entry('rabbitmq-retry-worker', '2'), entry('kafka-consumer-group', '4-5')];
const ids = (entries: CatalogEntry[]) => entries.map((e) => e.scenario.id);

describe('weeks', () => {
  it('a week label covers one week or a range', () => {
    expect(weeksOf('2')).toEqual([2]);
    expect(weeksOf('4-5')).toEqual([4, 5]);
    expect(weeksOf('13-14')).toEqual([13, 14]);
    expect(weeksOf('later')).toEqual([]);
  });

  it('--week N picks the graded exercises of that week, a range included', () => {
    expect(ids(exercisesOfWeek(catalog, 1))).toEqual(['redis-pubsub-notifier']);
    expect(ids(exercisesOfWeek(catalog, 4))).toEqual(['kafka-consumer-group']);
    expect(ids(exercisesOfWeek(catalog, 5))).toEqual(['kafka-consumer-group']);
  });

  it('a week of the plan without a graded exercise is a usage error that names the graded weeks', () => {
    expect(() => exercisesOfWeek(catalog, 3)).toThrow(new UsageError('week 3 has no graded exercise yet (weeks with one: 1, 2, 4-5); `brokerlab progress` shows what is coming.'));
  });

  it('a week outside the plan, or not a number, is a usage error', () => {
    expect(parseWeek('4', CURRICULUM)).toBe(4);
    expect(parseWeek('14', CURRICULUM)).toBe(14);
    expect(() => parseWeek('99', CURRICULUM)).toThrow(new UsageError('there is no week "99" in the plan: weeks go from 1 to 14 (`brokerlab progress` shows them).'));
    expect(() => parseWeek('two', CURRICULUM)).toThrow(UsageError);
    expect(() => parseWeek('4-5', CURRICULUM)).toThrow(UsageError);
    const small: CurriculumLevel[] = [{ level: 1, name: 'x', weeks: [{ week: '1', topics: [] }, { week: '2-3', topics: [] }] }];
    expect(() => parseWeek('4', small)).toThrow('weeks go from 1 to 3');
  });
});

describe('the default: started exercises', () => {
  it('takes done and attempted ones that are in the workspace, in catalog order', () => {
    let progress = recordRun(emptyProgress(), 'kafka-consumer-group', 'fail', new Date(0));
    progress = recordRun(progress, 'redis-pubsub-notifier', 'pass', new Date(0));
    progress = recordHintsShown(progress, 'rabbitmq-retry-worker', 1); // a hint read is not a start
    expect(ids(startedExercises(catalog, progress, () => true))).toEqual(['redis-pubsub-notifier', 'kafka-consumer-group']);
    expect(ids(startedExercises(catalog, progress, (e) => e.scenario.id !== 'kafka-consumer-group'))).toEqual(['redis-pubsub-notifier']);
    expect(startedExercises(catalog, emptyProgress(), () => true)).toEqual([]);
  });
});

describe('options', () => {
  it('one way of choosing at a time', () => {
    expect(() => checkSelection({ ids: ['a'] })).not.toThrow();
    expect(() => checkSelection({ ids: [], week: '1', all: false })).not.toThrow();
    expect(() => checkSelection({ ids: ['a'], all: true })).toThrow(new UsageError('choose the exercises one way: exercise ids or --all, not both.'));
    expect(() => checkSelection({ ids: [], week: '1', all: true })).toThrow('--week or --all');
  });

  it('--parallel takes 1 to 8', () => {
    expect(parseParallel('1')).toBe(1);
    expect(parseParallel('8')).toBe(8);
    for (const bad of ['0', '9', '1.5', 'two', '', '-1']) expect(() => parseParallel(bad), bad).toThrow('must be a whole number from 1 to 8');
  });
});
