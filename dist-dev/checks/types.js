export function matches(op, selector) {
    if (op.kind !== selector.kind)
        return false;
    if (selector.stream !== undefined && op.stream !== selector.stream)
        return false;
    if (selector.process !== undefined) {
        const p = selector.process;
        if (p.endsWith('*') ? !op.process.startsWith(p.slice(0, -1)) : op.process !== p)
            return false;
    }
    return true;
}
export function select(history, selector, outcome) {
    return history.filter((op) => matches(op, selector) && (outcome === undefined || op.outcome === outcome));
}
/** Tags the lab put on a produced message ("poison", "transient", "vip"). */
export function tagsOf(op) {
    const value = op.value;
    return Array.isArray(value?.tags) ? value.tags : [];
}
/** "12 of 200", "1 of 1": counts read better than percentages for small runs. */
export function countOf(n, total, noun) {
    return `${n} of ${total} ${noun}${total === 1 ? '' : 's'}`;
}
export function firstFew(items, n = 5) {
    return items.slice(0, n);
}
export function seconds(ms) {
    return `${(ms / 1000).toFixed(1)}s`;
}
// --- param parsing helpers: one line per field, errors name the field -------------------
export function str(raw, field, fallback) {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'string')
        throw new Error(`"${field}" must be a string`);
    return v;
}
export function num(raw, field, fallback) {
    const v = raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`"${field}" must be a number`);
    return v;
}
export function selector(raw, field) {
    const v = raw[field];
    if (typeof v !== 'object' || v === null || typeof v.kind !== 'string') {
        throw new Error(`"${field}" must be a selector like {"kind": "consume", "stream": "notifications"}`);
    }
    return v;
}
export function optionalStr(raw, field) {
    const v = raw[field];
    if (v === undefined)
        return undefined;
    if (typeof v !== 'string')
        throw new Error(`"${field}" must be a string`);
    return v;
}
//# sourceMappingURL=types.js.map