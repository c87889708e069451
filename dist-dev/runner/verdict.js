export function verdictOf(checks) {
    if (checks.some((c) => c.status === 'fail'))
        return 'fail';
    if (checks.length === 0 || checks.some((c) => c.status === 'unknown'))
        return 'unknown';
    return 'pass';
}
/** Partial credit: the weight of passed checks over the weight of all checks. */
export function scoreOf(checks) {
    const max = checks.reduce((sum, c) => sum + c.weight, 0);
    const earned = checks.filter((c) => c.status === 'pass').reduce((sum, c) => sum + c.weight, 0);
    return { earned, max };
}
//# sourceMappingURL=verdict.js.map