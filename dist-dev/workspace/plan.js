/**
 * The curriculum (catalog/curriculum.ts) joined with the learner's progress: what
 * `brokerlab progress` prints and what its --json gives. Pure, so the menu can show it too.
 */
import { CURRICULUM } from '../catalog/curriculum.js';
import { hintsShownOf, nextExercise, statusOf } from './progress.js';
export function planWithProgress(catalog, progress, curriculum = CURRICULUM) {
    const byId = new Map(catalog.map((entry) => [entry.scenario.id, entry]));
    const graded = (entry) => ({
        id: entry.scenario.id,
        title: entry.scenario.title,
        status: statusOf(progress, entry.scenario.id),
        attempts: progress.exercises[entry.scenario.id]?.attempts ?? 0,
        hintsShown: hintsShownOf(progress, entry.scenario.id),
    });
    const placed = new Set();
    const levels = curriculum.map((level) => ({
        level: level.level,
        name: level.name,
        weeks: level.weeks.map((week) => ({
            week: week.week,
            topics: week.topics.map((topic) => {
                if ('planned' in topic)
                    return { title: topic.planned, status: 'planned' };
                const entry = byId.get(topic.exercise);
                // A plan line naming an id the catalog lacks (a test catches it) is shown as planned.
                if (!entry)
                    return { title: topic.exercise, status: 'planned' };
                placed.add(entry.scenario.id);
                return graded(entry);
            }),
        })),
    }));
    // An exercise added to the catalog but not yet to the plan still shows, in its level and
    // week from scenario.json, so a learner never misses it.
    for (const entry of catalog) {
        if (placed.has(entry.scenario.id))
            continue;
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
//# sourceMappingURL=plan.js.map