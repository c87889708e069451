export function faultEvents(history) {
    return history.filter((op) => op.kind === 'fault' && typeof op.value?.phase === 'string');
}
/** True while some fault holds a call, or has struck and not healed (a killed program not
 *  yet restarted). */
export function faultActive(history) {
    const open = new Set();
    for (const { value } of faultEvents(history)) {
        if (value.phase === 'hold' || value.phase === 'start')
            open.add(value.id);
        if (value.phase === 'heal')
            open.delete(value.id);
    }
    return open.size > 0;
}
/** The times (ms) at which the lab killed a learner process. */
export function killTimes(history) {
    return faultEvents(history)
        .filter((op) => op.value.phase === 'start' && op.value.signal === 'SIGKILL')
        .map((op) => op.t);
}
//# sourceMappingURL=events.js.map