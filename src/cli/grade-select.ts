/**
 * Which exercises `brokerlab grade` grades, as pure functions of the catalog, the curriculum
 * and the learner's progress:
 *
 * - `--all`: every graded exercise (those with a scenario), in curriculum order;
 * - `--week N`: the graded exercises of week N; a scenario's week "4-5" covers weeks 4 and 5;
 * - neither (and no ids): the exercises the progress file lists as started (done or
 *   attempted) whose folder is in the workspace, as the CI workflow `brokerlab init` writes
 *   has always chosen them (src/workspace/templates.ts).
 * Exercise ids given by name are looked up by the command (findExercise says "did you mean").
 */
import type { CurriculumLevel } from '../catalog/curriculum.js';
import type { CatalogEntry } from '../catalog/load.js';
import { UsageError } from '../errors.js';
import type { Progress } from '../workspace/progress.js';

/** The weeks a week label covers: "4-5" -> [4, 5], "2" -> [2]; [] when it is not a week. */
export function weeksOf(label: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(label.trim());
  if (!match) return [];
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  const weeks: number[] = [];
  for (let week = first; week <= last; week++) weeks.push(week);
  return weeks;
}

/** Parses the value of --week: a whole number of a week in the plan. */
export function parseWeek(value: string, curriculum: readonly CurriculumLevel[]): number {
  const planned = curriculum.flatMap((level) => level.weeks.flatMap((week) => weeksOf(week.week)));
  const first = Math.min(...planned);
  const last = Math.max(...planned);
  const week = Number(value);
  if (!/^\d+$/.test(value.trim()) || !planned.includes(week)) {
    throw new UsageError(`there is no week "${value}" in the plan: weeks go from ${first} to ${last} (\`brokerlab progress\` shows them).`);
  }
  return week;
}

export function exercisesOfWeek(catalog: readonly CatalogEntry[], week: number): CatalogEntry[] {
  const found = catalog.filter((entry) => weeksOf(entry.scenario.week).includes(week));
  if (found.length === 0) {
    const graded = [...new Set(catalog.map((entry) => entry.scenario.week))].join(', ');
    throw new UsageError(`week ${week} has no graded exercise yet (weeks with one: ${graded}); \`brokerlab progress\` shows what is coming.`);
  }
  return found;
}

/** The started exercises (done or attempted) that are in the workspace, in catalog order. */
export function startedExercises(catalog: readonly CatalogEntry[], progress: Progress, inWorkspace: (entry: CatalogEntry) => boolean): CatalogEntry[] {
  return catalog.filter((entry) => {
    const status = progress.exercises[entry.scenario.id]?.status;
    return (status === 'done' || status === 'attempted') && inWorkspace(entry);
  });
}

export interface Selection {
  ids: readonly string[];
  week?: string | undefined;
  all?: boolean | undefined;
}

/** Checks that at most one way of choosing was used. */
export function checkSelection(selection: Selection): void {
  const ways = [selection.ids.length > 0 ? 'exercise ids' : '', selection.week !== undefined ? '--week' : '', selection.all ? '--all' : ''].filter(Boolean);
  if (ways.length > 1) throw new UsageError(`choose the exercises one way: ${ways.join(' or ')}, not both.`);
}
