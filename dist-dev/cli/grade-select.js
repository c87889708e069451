import { UsageError } from '../errors.js';
/** The weeks a week label covers: "4-5" -> [4, 5], "2" -> [2]; [] when it is not a week. */
export function weeksOf(label) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(label.trim());
    if (!match)
        return [];
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const weeks = [];
    for (let week = first; week <= last; week++)
        weeks.push(week);
    return weeks;
}
/** Parses the value of --week: a whole number of a week in the plan. */
export function parseWeek(value, curriculum) {
    const planned = curriculum.flatMap((level) => level.weeks.flatMap((week) => weeksOf(week.week)));
    const first = Math.min(...planned);
    const last = Math.max(...planned);
    const week = Number(value);
    if (!/^\d+$/.test(value.trim()) || !planned.includes(week)) {
        throw new UsageError(`there is no week "${value}" in the plan: weeks go from ${first} to ${last} (\`brokerlab progress\` shows them).`);
    }
    return week;
}
export function exercisesOfWeek(catalog, week) {
    const found = catalog.filter((entry) => weeksOf(entry.scenario.week).includes(week));
    if (found.length === 0) {
        const graded = [...new Set(catalog.map((entry) => entry.scenario.week))].join(', ');
        throw new UsageError(`week ${week} has no graded exercise yet (weeks with one: ${graded}); \`brokerlab progress\` shows what is coming.`);
    }
    return found;
}
/** The started exercises (done or attempted) that are in the workspace, in catalog order. */
export function startedExercises(catalog, progress, inWorkspace) {
    return catalog.filter((entry) => {
        const status = progress.exercises[entry.scenario.id]?.status;
        return (status === 'done' || status === 'attempted') && inWorkspace(entry);
    });
}
/** Checks that at most one way of choosing was used. */
export function checkSelection(selection) {
    const ways = [selection.ids.length > 0 ? 'exercise ids' : '', selection.week !== undefined ? '--week' : '', selection.all ? '--all' : ''].filter(Boolean);
    if (ways.length > 1)
        throw new UsageError(`choose the exercises one way: ${ways.join(' or ')}, not both.`);
}
//# sourceMappingURL=grade-select.js.map