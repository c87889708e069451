/**
 * `brokerlab doctor`'s judgement, as pure functions: from facts gathered about the machine
 * (versions, broker status rows, free bytes) to findings, one line each, with the command
 * that fixes each problem. Gathering the facts is in commands/doctor.ts.
 *
 * Levels:
 *   ok       fine
 *   info     worth knowing, nothing to do (a broker no exercise uses yet is not running)
 *   warning  may bite later, the exercises work now (little disk space, no Go on PATH)
 *   problem  an exercise cannot run until it is fixed; `doctor` then exits 4
 */
import type { ChalkInstance } from 'chalk';
import type { BrokerStatus } from '../brokers/types.js';

export type FindingLevel = 'ok' | 'info' | 'warning' | 'problem';

export interface Finding {
  /** Stable id: "node", "broker:redis", "install:kafka", "tool:java", "disk", "workspace", "progress". */
  id: string;
  level: FindingLevel;
  /** One line: what was found. */
  message: string;
  /** The command that fixes it (for warnings and problems; sometimes for info). */
  fix?: string;
  /** For broker findings: the status row they were judged from. */
  broker?: BrokerStatus;
  /** For broker findings: ports on 127.0.0.1 held by some other process. */
  takenPorts?: number[];
}

/** Under this much free space where BROKERLAB_HOME lives, doctor warns (Kafka logs, runs). */
export const LOW_DISK_BYTES = 2 * 1024 ** 3;

/** [major, minor, patch] of "20.12.1" or "v20.12"; missing parts are 0. */
function parts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
}

function atLeast(version: string, minimum: string): boolean {
  const a = parts(version);
  const b = parts(minimum);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}

/**
 * Node's version against package.json's `engines.node`. Only the ">=X.Y.Z" form is
 * understood (it is what brokerlab declares); any other range is reported, not judged.
 */
export function nodeFinding(version: string, range: string | undefined): Finding {
  const minimum = /^\s*>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(range ?? '')?.[1];
  if (minimum === undefined) return { id: 'node', level: 'info', message: `Node.js ${version} (package.json asks for "${range ?? 'any'}", not checked)` };
  if (atLeast(version, minimum)) return { id: 'node', level: 'ok', message: `Node.js ${version} (brokerlab needs ${range})` };
  const major = parts(minimum)[0];
  return {
    id: 'node',
    level: 'problem',
    message: `Node.js ${version} is too old: brokerlab needs ${range}`,
    // nvm's "install <major>" takes the newest release of that major, which satisfies >=major.minor.
    fix: `nvm install ${major}`,
  };
}

/**
 * One broker. `needed`: some exercise uses it, so it must answer. `label`, `externalEnv` and
 * `externalExample` come from the broker's definition; `takenPorts` are its ports that
 * another process holds (only looked up for a local broker that does not answer).
 */
export function brokerFinding(
  row: BrokerStatus,
  broker: { label: string; externalEnv: string; externalExample: string },
  needed: boolean,
  takenPorts: readonly number[],
): Finding {
  const base = { id: `broker:${row.name}`, broker: row };
  // The detail usually starts with the runtime ("native, pid 42, ..."); say it when it does not.
  const how = row.detail.startsWith(row.runtime) ? row.detail : `${row.runtime}, ${row.detail}`;
  if (row.health === 'healthy') return { ...base, level: 'ok', message: `${broker.label}: healthy at ${row.url} (${how})` };
  if (row.health === 'starting') {
    // `up` waits for a broker that is starting, and says so if it never gets ready.
    return { ...base, level: 'warning', message: `${broker.label}: still starting at ${row.url} (${how})`, fix: `brokerlab up ${row.name}` };
  }
  if (row.health === 'degraded') {
    // A cluster with a node down (killed by a fault whose run was interrupted): `up` starts it.
    const down = (row.nodes ?? []).filter((node) => node.state !== 'up').map((node) => `node ${node.id} ${node.state}`).join(', ');
    return { ...base, level: 'warning', message: `${broker.label}: not all nodes are up at ${row.url} (${down || how})`, fix: `brokerlab up ${row.name}` };
  }
  const level: FindingLevel = needed ? 'problem' : 'info';
  const unused = needed ? '' : '; no exercise needs it yet';
  if (row.runtime === 'external') {
    return {
      ...base,
      level: needed ? 'problem' : 'warning',
      message: `${broker.label}: not reachable at ${row.url} (set by ${broker.externalEnv})${unused}; check that address, or use a local ${broker.label} instead`,
      fix: `unset ${broker.externalEnv} && brokerlab up ${row.name}`,
    };
  }
  if (takenPorts.length > 0) {
    const ports = takenPorts.join(', ');
    const plural = takenPorts.length === 1 ? 'port' : 'ports';
    const held = takenPorts.length === 1 ? 'is' : 'are';
    return {
      ...base,
      takenPorts: [...takenPorts],
      level: needed ? 'problem' : 'warning',
      message: `${broker.label}: not running, and ${plural} ${ports} on 127.0.0.1 ${held} held by another process${unused}`,
      // A comment keeps the line copy-pasteable: `ss` names the process; what to do with it
      // (stop it, or use it if it is this broker) only the learner can decide.
      fix: `ss -ltnp '( ${takenPorts.map((port) => `sport = :${port}`).join(' or ')} )'   # shows that process: stop it, or if it is a ${broker.label} you want to use: export ${broker.externalExample}`,
    };
  }
  return { ...base, level, message: `${broker.label}: not running (${row.runtime}, would answer at ${row.url})${unused}`, fix: `brokerlab up ${row.name}` };
}

/** A native install (jars, binaries, packages) as the broker's own checkInstalled judged it. */
export function installFinding(name: string, what: string, error: string | undefined, mustRunNatively: boolean, setupCommand: string): Finding {
  const id = `install:${name}`;
  if (error === undefined) return { id, level: 'ok', message: `${what}: installed for the native runtime` };
  // The broker's message ends with its own advice ("Run: npm run setup"); the fix line says it.
  const message = error.replace(/\s*Run: npm run setup\.?\s*(\(.*\))?\s*$/, '').replace(/\.$/, '');
  return { id, level: mustRunNatively ? 'problem' : 'warning', message, fix: setupCommand };
}

/** A program on PATH; `missingLevel` and `why` say how much its absence matters. */
export function toolFinding(
  tool: string,
  found: { path: string; version?: string } | undefined,
  why: string,
  missingLevel: FindingLevel,
  fix: string,
): Finding {
  const id = `tool:${tool}`;
  if (found) return { id, level: 'ok', message: `${tool}${found.version ? ` ${found.version}` : ''} on PATH (${found.path})` };
  return { id, level: missingLevel, message: `${tool} is not on PATH; ${why}`, fix };
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Free space where brokerlab keeps brokers' data (`where`, for the message). */
export function diskFinding(where: string, freeBytes: number, cleanup: string): Finding {
  if (freeBytes >= LOW_DISK_BYTES) return { id: 'disk', level: 'ok', message: `disk: ${formatBytes(freeBytes)} free where ${where} lives` };
  return {
    id: 'disk',
    level: 'warning',
    message: `disk: only ${formatBytes(freeBytes)} free where ${where} lives (under ${formatBytes(LOW_DISK_BYTES)}; Kafka and the run artifacts need room); old run artifacts can go`,
    fix: cleanup,
  };
}

const MARK: Record<FindingLevel, string> = { ok: '✔', info: '○', warning: '!', problem: '✘' };

/** The findings as lines; with `quiet`, only the ones that need attention. */
export function formatFindings(findings: readonly Finding[], c: ChalkInstance, quiet = false): string {
  const paint: Record<FindingLevel, (text: string) => string> = { ok: c.green, info: c.dim, warning: c.yellow, problem: c.red };
  const lines: string[] = [];
  for (const finding of findings) {
    if (quiet && (finding.level === 'ok' || finding.level === 'info')) continue;
    lines.push(`  ${paint[finding.level](MARK[finding.level])} ${finding.level === 'info' ? c.dim(finding.message) : finding.message}`);
    if (finding.fix && finding.level !== 'ok') lines.push(`      ${finding.level === 'info' ? c.dim('to start it:') : c.cyan('fix:')} ${finding.fix}`);
  }
  return lines.join('\n');
}

/** The closing line: all good, or how many problems and warnings. */
export function verdictLine(findings: readonly Finding[], c: ChalkInstance): string {
  const problems = findings.filter((f) => f.level === 'problem').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  const warned = warnings === 0 ? '' : ` (${warnings} ${warnings === 1 ? 'warning' : 'warnings'} worth a look)`;
  if (problems === 0) return c.green(`Everything the exercises need is ready${warned}.`);
  return c.red(`${problems} ${problems === 1 ? 'problem' : 'problems'} to fix${warned}: run the command under each ✘, then \`brokerlab doctor\` again.`);
}
