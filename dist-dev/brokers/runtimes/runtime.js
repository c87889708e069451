/** How long `status` gives each probe: long enough for a loaded machine, short for a person. */
export const STATUS_PROBE_MS = 3_000;
/** Runs a probe once and says whether it passed; status and idempotent `up` use this. */
export async function answers(def, endpoint, timeoutMs) {
    try {
        await def.probe(endpoint, timeoutMs);
        return true;
    }
    catch {
        return false;
    }
}
/** The first of `ports` something listens on, or undefined. */
export async function firstListening(ports, isListening) {
    for (const port of ports)
        if (await isListening(port))
            return port;
    return undefined;
}
/** The one-line "port taken" message shared by the native and compose runtimes. */
export function portTakenMessage(def, port) {
    return (`cannot start ${def.label}: port ${port} is already in use by another process (not started by brokerlab). ` +
        `Stop it, or use it as an external broker: ${def.externalExample()}`);
}
//# sourceMappingURL=runtime.js.map