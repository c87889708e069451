/**
 * Which runtime runs a broker. Per broker, first match wins:
 *
 *   1. external  if its BROKERLAB_* variable is set (BROKERLAB_REDIS_URL, ...)
 *   2. the runtime asked for with --runtime, else BROKERLAB_RUNTIME
 *   3. native    if this home already runs it natively (so `down` and `status` find what
 *                `up` started even after Docker became available)
 *   4. compose   if a Docker engine answers (`docker info`, 3s timeout, asked once per process)
 *   5. native
 */
import { UsageError } from '../errors.js';
import { run } from './process.js';
export const RUNTIME_KINDS = ['native', 'compose', 'external'];
/** How long `docker info` may take before we decide there is no engine. */
const DOCKER_INFO_TIMEOUT_MS = 3_000;
/** A runtime name from a flag or variable; `source` names it in the error ("--runtime"). */
export function parseRuntime(value, source) {
    if (value === undefined || value.trim() === '')
        return undefined;
    const kind = value.trim().toLowerCase();
    if (RUNTIME_KINDS.includes(kind))
        return kind;
    throw new UsageError(`${source} must be one of ${RUNTIME_KINDS.join(', ')}, not "${value}"`);
}
let dockerAnswer;
/** True when a Docker engine answers (not just a docker client on PATH). Cached per process. */
export function dockerEngineAvailable() {
    dockerAnswer ??= run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: DOCKER_INFO_TIMEOUT_MS }).then((result) => result.code === 0 && result.output.trim() !== '');
    return dockerAnswer;
}
export async function selectRuntime(def, options) {
    if (def.fromEnv(options.env))
        return 'external';
    const requested = options.runtime ?? parseRuntime(options.env.BROKERLAB_RUNTIME, 'BROKERLAB_RUNTIME');
    if (requested === 'external') {
        throw new UsageError(`${def.label} has no external address: set ${def.externalEnv} (for example ${def.externalExample()})`);
    }
    if (requested)
        return requested;
    if (options.runningNatively())
        return 'native';
    return (await options.dockerAvailable()) ? 'compose' : 'native';
}
//# sourceMappingURL=select.js.map