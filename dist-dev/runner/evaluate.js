import { CHECKS } from '../checks/index.js';
export function evaluate(specs, history) {
    return specs.map((spec) => {
        const definition = CHECKS.get(spec.check);
        if (!definition)
            throw new Error(`check "${spec.check}" is not registered`);
        const result = definition.run(history, definition.parseParams(spec.params));
        // The hint names the mistake the evidence points to: the scenario's hint for that cause,
        // else the check's own, else the scenario's general hint. On "unknown" there is no
        // mistake to name.
        const hint = result.cause === undefined ? spec.hint : (spec.hints?.[result.cause] ?? definition.causes?.[result.cause] ?? spec.hint);
        return {
            name: spec.check,
            weight: spec.weight ?? 1,
            ...result,
            ...(result.status === 'fail' ? { hint } : {}),
        };
    });
}
//# sourceMappingURL=evaluate.js.map