/**
 * The curriculum (catalog/curriculum.ts) joined with the learner's progress: what
 * `brokerlab progress` prints and what its --json gives. Pure, so the menu can show it too.
 */
import { CURRICULUM, type CurriculumLevel } from '../catalog/curriculum.js';
import type { CatalogEntry } from '../catalog/load.js';
import { type ExerciseStatus, type Progress, hintsShownOf, nextExercise, statusOf } from './progress.js';

/** A graded exercise with its status, or a planned one ("coming later"). */
export type PlanTopic =
  | { id: string; title: string; status: ExerciseStatus; attempts: number; hintsShown: number }
  | { title: string; status: 'planned' };

export interface PlanWeek {
  week: string;
  topics: PlanTopic[];
}

export interface PlanLevel {
  level: number;
  name: string;
  weeks: PlanWeek[];
}

export interface Plan {
  levels: PlanLevel[];
  /** What to do next; undefined when every graded exercise is done. */
  next: { id: string; title: string } | undefined;
  /** Graded exercises done, out of `total` graded exercises. */
  done: number;
  total: number;
}

export function planWithProgress(catalog: readonly CatalogEntry[], progress: Progress, curriculum: readonly CurriculumLevel[] = CURRICULUM): Plan {
  const byId = new Map(catalog.map((entry) => [entry.scenario.id, entry]));
  const graded = (entry: CatalogEntry): PlanTopic => ({
    id: entry.scenario.id,
    title: entry.scenario.title,
    status: statusOf(progress, entry.scenario.id),
    attempts: progress.exercises[entry.scenario.id]?.attempts ?? 0,
    hintsShown: hintsShownOf(progress, entry.scenario.id),
  });
  const placed = new Set<string>();
  const levels: PlanLevel[] = curriculum.map((level) => ({
    level: level.level,
    name: level.name,
    weeks: level.weeks.map((week) => ({
      week: week.week,
      topics: week.topics.map((topic): PlanTopic => {
        if ('planned' in topic) return { title: topic.planned, status: 'planned' };
        const entry = byId.get(topic.exercise);
        // A plan line naming an id the catalog lacks (a test catches it) is shown as planned.
        if (!entry) return { title: topic.exercise, status: 'planned' };
        placed.add(entry.scenario.id);
        return graded(entry);
      }),
    })),
  }));
  // An exercise added to the catalog but not yet to the plan still shows, in its level and
  // week from scenario.json, so a learner never misses it.
  for (const entry of catalog) {
    if (placed.has(entry.scenario.id)) continue;
    let level = levels.find((l) => l.level === entry.scenario.level);
    if (!level) {
      level = { level: entry.scenario.level, name: '', weeks: [] };
      levels.push(level);
      levels.sort((a, b) => a.level - b.level);
    }
    let week = level.weeks.find((w) => w.week === entry.scenario.week);
    if (!week) {
      week = { week: entry.scenario.week, topics: [] };
      level.weeks.push(week);
    }
    week.topics.push(graded(entry));
  }
  const next = nextExercise(catalog, progress);
  return {
    levels,
    next: next ? { id: next.scenario.id, title: next.scenario.title } : undefined,
    done: catalog.filter((entry) => statusOf(progress, entry.scenario.id) === 'done').length,
    total: catalog.length,
  };
}
