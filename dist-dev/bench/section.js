/** One section of `npm run bench`'s output: one or more tables and the notes under them. */
import { markdownTable, textTable } from './table.js';
export const SECTION_IDS = ['tools', 'check', 'cold-start', 'footprint', 'dev-check'];
export function sectionText(section) {
    const parts = [section.title, '='.repeat(section.title.length)];
    for (const table of section.tables) {
        if (table.caption)
            parts.push('', table.caption);
        parts.push('', textTable(table.columns, table.rows));
    }
    if (section.notes.length > 0)
        parts.push('', ...section.notes);
    return parts.join('\n');
}
/** The section's body for docs/benchmarks.md (its heading stays hand-written in the file). */
export function sectionMarkdown(section, measuredOn) {
    const parts = [`_${measuredOn}_`];
    for (const table of section.tables) {
        if (table.caption)
            parts.push('', `**${table.caption}**`);
        parts.push('', markdownTable(table.columns, table.rows));
    }
    if (section.notes.length > 0)
        parts.push('', ...section.notes.map((note) => `- ${note}`));
    return parts.join('\n');
}
//# sourceMappingURL=section.js.map