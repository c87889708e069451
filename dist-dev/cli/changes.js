/**
 * What changed between two gradings of the same exercise, for `brokerlab watch`: after the
 * first full report, a learner who just saved a file wants to know what their edit did (a
 * check that now passes, one that broke, a different first failing example, the verdict),
 * not to re-read the whole report. Pure functions over run results, plus the small rules
 * about which saved files count.
 */
import chalk from 'chalk';
export const VERDICT_LABEL = { pass: 'PASSED', fail: 'NOT YET', unknown: 'UNDECIDED', error: 'ERROR' };
function firstFailure(grading) {
    return grading.checks.find((check) => check.status === 'fail');
}
/**
 * The changes from `previous` to `current`, in reading order: flipped checks (in the
 * scenario's order), the new first failure, new notes, then the verdict.
 */
export function diffGradings(previous, current) {
    const changes = [];
    const before = new Map(previous.checks.map((check) => [check.name, check.status]));
    for (const check of current.checks) {
        const from = before.get(check.name) ?? 'absent';
        if (from !== check.status)
            changes.push({ kind: 'check', name: check.name, title: check.title, from, to: check.status });
    }
    const now = new Set(current.checks.map((check) => check.name));
    for (const check of previous.checks) {
        if (!now.has(check.name))
            changes.push({ kind: 'check', name: check.name, title: check.title, from: check.status, to: 'absent' });
    }
    // A check that just started failing is already shown with its details; otherwise the
    // first failing check matters when it moved (the one before it got fixed) or when the same
    // check now fails on a different example (the learner's fix changed how it fails).
    const first = firstFailure(current);
    const newlyFailing = changes.some((change) => change.kind === 'check' && change.name === first?.name);
    if (first && !newlyFailing) {
        const previousFirst = firstFailure(previous);
        if (previousFirst?.name !== first.name || previousFirst.examples[0] !== first.examples[0]) {
            changes.push({ kind: 'first-failure', name: first.name, title: first.title });
        }
    }
    const oldNotes = new Set(previous.notes);
    for (const note of current.notes)
        if (!oldNotes.has(note))
            changes.push({ kind: 'note', text: note });
    if (previous.verdict !== current.verdict)
        changes.push({ kind: 'verdict', from: previous.verdict, to: current.verdict });
    return changes;
}
/**
 * Whether a diff would say anything useful: without a previous grading, or when either run
 * has no checks at all (the lab could not grade), the full report is what the learner needs.
 */
export function needsFullReport(previous, current) {
    return previous === undefined || previous.checks.length === 0 || current.checks.length === 0;
}
function paintVerdict(verdict, text) {
    if (verdict === 'pass')
        return chalk.green(text);
    if (verdict === 'fail')
        return chalk.red(text);
    return chalk.yellow(text);
}
/** The details a learner needs to act on a failing or undecided check, indented. */
function checkDetails(check) {
    const lines = [`      observed: ${check.observed}`];
    const [example] = check.examples;
    if (example !== undefined)
        lines.push(chalk.dim(`        e.g. ${example}`));
    if (check.hint)
        lines.push(`      ${chalk.cyan('hint:')} ${check.hint}`);
    return lines;
}
/** The "what changed" text for `current` after `previous` (both graded, both with checks). */
export function formatChanges(previous, current) {
    const changes = diffGradings(previous, current);
    const byName = new Map(current.checks.map((check) => [check.name, check]));
    const lines = [];
    for (const change of changes) {
        switch (change.kind) {
            case 'check': {
                const check = byName.get(change.name);
                if (change.to === 'pass')
                    lines.push(`  ${chalk.green('✔')} now passing: ${change.title}`);
                else if (change.to === 'fail')
                    lines.push(`  ${chalk.red('✘')} now failing: ${change.title}`);
                else if (change.to === 'unknown')
                    lines.push(`  ${chalk.yellow('?')} now undecided: ${change.title}`);
                else
                    lines.push(`  ${chalk.dim('-')} no longer reported: ${change.title}`);
                if (check && check.status !== 'pass')
                    lines.push(...checkDetails(check));
                break;
            }
            case 'first-failure': {
                const check = byName.get(change.name);
                lines.push(`  ${chalk.red('✘')} first failing check now: ${change.title}`);
                if (check)
                    lines.push(...checkDetails(check));
                break;
            }
            case 'note':
                lines.push(chalk.yellow(`  note: ${change.text}`));
                break;
            case 'verdict':
                // Written below, once, with the score.
                break;
        }
    }
    const score = chalk.dim(`score ${current.score.earned}/${current.score.max}`);
    const verdict = changes.find((change) => change.kind === 'verdict');
    if (verdict) {
        lines.push(`  ${paintVerdict(verdict.from, VERDICT_LABEL[verdict.from])} → ${paintVerdict(verdict.to, chalk.bold(VERDICT_LABEL[verdict.to]))}  ${score}`);
    }
    else if (lines.length === 0) {
        // Nothing moved: say so, and remind which check to look at, in one line.
        const first = firstFailure(current);
        const still = `  No change since the last run: still ${paintVerdict(current.verdict, VERDICT_LABEL[current.verdict])}  ${score}`;
        lines.push(first ? `${still}; first failing check: ${first.title}` : still);
    }
    else {
        lines.push(`  still ${paintVerdict(current.verdict, VERDICT_LABEL[current.verdict])}  ${score}`);
    }
    return lines.join('\n');
}
/**
 * Files whose changes must not trigger a grading: editors' swap, backup and lock files (vim
 * .swp and its "4913" write test, emacs #autosave# and .#lock, foo~ backups, JetBrains
 * ___jb_tmp___), OS litter, and Python's bytecode cache, which a run itself writes.
 */
export function isIgnoredFile(name) {
    return (/\.sw[a-p]$/.test(name) ||
        name === '4913' ||
        name.endsWith('~') ||
        /^\.?#/.test(name) ||
        name.includes('___jb_') ||
        /\.(tmp|temp|bak|orig|crdownload)$/i.test(name) ||
        name.startsWith('.~lock.') ||
        name === '.DS_Store' ||
        name === '__pycache__' ||
        name.endsWith('.pyc'));
}
//# sourceMappingURL=changes.js.map