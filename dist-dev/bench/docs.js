/**
 * docs/benchmarks.md is part hand-written, part generated: each section's tables sit between
 * `<!-- bench:<id> -->` and `<!-- /bench:<id> -->`, and `npm run bench` replaces only what is
 * between the markers of the sections it ran, so prose around them and sections not re-run
 * (e.g. cold start, which a quick run skips) keep their text.
 */
const open = (id) => `<!-- bench:${id} -->`;
const close = (id) => `<!-- /bench:${id} -->`;
/** Replaces the block's body; a block not yet in the document is appended under `heading`. */
export function replaceBlock(doc, id, body, heading) {
    const start = doc.indexOf(open(id));
    const end = doc.indexOf(close(id));
    if (start >= 0 && end > start) {
        return `${doc.slice(0, start + open(id).length)}\n${body.trim()}\n${doc.slice(end)}`;
    }
    const base = doc.endsWith('\n') ? doc : `${doc}\n`;
    return `${base}\n## ${heading}\n\n${open(id)}\n${body.trim()}\n${close(id)}\n`;
}
//# sourceMappingURL=docs.js.map