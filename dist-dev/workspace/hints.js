/**
 * Progressive hints. An exercise's hints are the numbered items of its hints.md ("1. ...",
 * "2) ..."), one at a time: `brokerlab hint` reveals the next one and remembers how many the
 * learner has seen (hintsShown in the progress file), so the next call goes one further.
 *
 * The hints.md read is the workspace's copy (exercises/<id>/hints.md) when there is one, so a
 * mentor can adapt a workspace's hints; else the catalog's labs/<id>/hints.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hintsShownOf, loadProgress, recordHintsShown, saveProgress } from './progress.js';
import { exerciseDir } from './workspace.js';
export const HINTS_FILE = 'hints.md';
/** "1. text" or "12) text" at the start of a line (not indented: indented numbers belong to
 *  a nested list inside a hint). */
const ITEM = /^(\d+)[.)]\s+(.*)$/;
/**
 * Pure: the numbered items of a markdown list, in order, without their numbers. An item goes
 * on over the following lines (indented continuation lines, lazy continuation lines, code
 * blocks, blank lines inside it) until the next numbered item, a heading, or an unindented
 * paragraph after a blank line. Continuation lines lose their common indentation; text
 * before the first item (the title) is ignored.
 */
export function parseHints(markdown) {
    const items = [];
    let current;
    let afterBlank = false;
    for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
        const item = ITEM.exec(line);
        if (item) {
            current = [item[2] ?? ''];
            items.push(current);
            afterBlank = false;
            continue;
        }
        if (current === undefined)
            continue;
        if (line.trim() === '') {
            current.push('');
            afterBlank = true;
            continue;
        }
        const indented = /^\s/.test(line);
        if (line.startsWith('#') || (afterBlank && !indented)) {
            // A heading or a new unindented paragraph: the list is over.
            current = undefined;
            continue;
        }
        current.push(line);
        afterBlank = false;
    }
    return items.map(tidy).filter((text) => text !== '');
}
/** The first line as is; the others without their common indentation; no trailing blanks. */
function tidy(lines) {
    const [first = '', ...rest] = lines;
    const indents = rest.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)?.[0].length ?? 0);
    const common = indents.length > 0 ? Math.min(...indents) : 0;
    return [first.trim(), ...rest.map((l) => l.slice(common).trimEnd())].join('\n').trim();
}
/** The hints.md used for this exercise in this workspace (see the module comment). */
export function hintsPath(workspace, entry) {
    const own = path.join(exerciseDir(workspace, entry), HINTS_FILE);
    return existsSync(own) ? own : path.join(entry.labDir, HINTS_FILE);
}
/** All hints of an exercise; none when it has no hints.md. */
export function loadHints(workspace, entry) {
    try {
        return parseHints(readFileSync(hintsPath(workspace, entry), 'utf8'));
    }
    catch {
        return [];
    }
}
/** Reveals the next hint of an exercise and records it in the progress file. */
export function showNextHint(workspace, entry) {
    const id = entry.scenario.id;
    const all = loadHints(workspace, entry);
    const progress = loadProgress(workspace);
    // min(): the hints file may have shrunk since (a mentor edited it).
    const before = Math.min(hintsShownOf(progress, id), all.length);
    const newlyShown = before < all.length;
    const shown = newlyShown ? before + 1 : before;
    if (newlyShown)
        saveProgress(workspace, recordHintsShown(progress, id, shown));
    return { hints: all.slice(0, shown), shown, total: all.length, newlyShown };
}
//# sourceMappingURL=hints.js.map