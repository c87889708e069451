// The 14-week plan (src/catalog/curriculum.ts) against the catalog: every graded exercise is
// in the plan exactly once, in the level and week its scenario.json names.
import { describe, expect, it } from 'vitest';
import { CURRICULUM, curriculumExerciseIds } from '../../src/catalog/curriculum.js';
import { loadCatalog } from '../../src/catalog/load.js';

describe('curriculum', () => {
  const catalog = loadCatalog();

  it('names every catalog id exactly once, and only catalog ids', () => {
    const ids = curriculumExerciseIds();
    for (const entry of catalog) {
      expect(ids.filter((id) => id === entry.scenario.id), entry.scenario.id).toHaveLength(1);
    }
    expect([...ids].sort()).toEqual(catalog.map((e) => e.scenario.id).sort());
  });

  it("places each exercise in its scenario's level and week", () => {
    for (const level of CURRICULUM) {
      for (const week of level.weeks) {
        for (const topic of week.topics) {
          if (!('exercise' in topic)) continue;
          const scenario = catalog.find((e) => e.scenario.id === topic.exercise)?.scenario;
          expect({ id: topic.exercise, level: scenario?.level, week: scenario?.week }).toEqual({ id: topic.exercise, level: level.level, week: week.week });
        }
      }
    }
  });

  it('is the 14-week plan in four levels, weeks in order, no empty week', () => {
    expect(CURRICULUM.map((l) => [l.level, l.name])).toEqual([
      [1, 'Foundations'],
      [2, 'Technologies'],
      [3, 'Advanced'],
      [4, 'Mastery'],
    ]);
    const weeks = CURRICULUM.flatMap((l) => l.weeks.map((w) => w.week));
    expect(weeks).toEqual(['1', '2', '3', '4-5', '6', '7', '8', '9', '10-11', '12', '13-14']);
    for (const level of CURRICULUM) for (const week of level.weeks) expect(week.topics.length, `week ${week.week}`).toBeGreaterThan(0);
  });
});
