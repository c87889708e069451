export function recordObservation(history, key, value) {
    history.record({ process: 'lab', kind: 'observe', outcome: 'ok', key, value });
}
export function observationsOf(history, key) {
    return history.filter((op) => op.kind === 'observe' && op.key === key && op.value !== undefined);
}
/** The last observation of that key, if any. */
export function lastObservation(history, key) {
    const all = observationsOf(history, key);
    return all[all.length - 1]?.value;
}
//# sourceMappingURL=observations.js.map