/**
 * Text for `brokerlab up|down|status`: progress lines and the status table. Pure functions of
 * their input and a chalk instance, so the commands stay thin and this stays testable.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { BROKER_LABELS } from './registry.js';
import type { DownResult, UpResult } from './runtimes/runtime.js';
import type { BrokerStatus } from './types.js';

/** chalk, switched off when NO_COLOR is set to anything non-empty (https://no-color.org). */
export function makeColors(env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return noColor ? new Chalk({ level: 0 }) : new Chalk();
}

/** The end of a "starting Kafka ... " line, or a whole line when nothing was started. */
export function upLine(result: UpResult, c: ChalkInstance): string {
  const label = BROKER_LABELS[result.name];
  switch (result.action) {
    case 'started':
      return `${c.green('ready')} in ${elapsed(result.ms)} ${c.dim(`(${result.runtime}, ${result.url})`)}`;
    case 'already-running':
      return `${label} is already running ${c.dim(`(${result.url}, ${result.detail})`)}`;
    case 'external':
      return `${label} is ${result.detail} and answers at ${result.url}; nothing to start`;
  }
}

/** The end of a "stopping Kafka ... " line, or a whole line when nothing was stopped. */
export function downLine(result: DownResult, c: ChalkInstance): string {
  const label = BROKER_LABELS[result.name];
  switch (result.action) {
    case 'stopped':
      return `${c.green('stopped')} in ${elapsed(result.ms)} ${c.dim(`(${result.detail})`)}`;
    case 'not-running':
      return `${label}: ${result.detail}`;
    case 'external':
      return `${label} is ${result.detail}; nothing to stop`;
  }
}

/** "7.2s": elapsed time with one decimal. */
function elapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

const HEALTH_COLOR = { healthy: 'green', starting: 'yellow', degraded: 'yellow', unreachable: 'red' } as const;
const NODE_COLOR = { up: 'green', paused: 'yellow', down: 'red' } as const;

/** The `brokerlab status` table: broker, URL, health, how it was started; under a broker of
 *  several nodes, one indented line per node ("node 2  127.0.0.1:9102  up  pid 123  controller"). */
export function statusTable(rows: readonly BrokerStatus[], c: ChalkInstance): string {
  const header = ['BROKER', 'URL', 'HEALTH', 'STARTED'];
  const cells = rows.map((row) => [row.name, row.url, row.health, row.detail]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const pad = (text: string, i: number): string => (i === header.length - 1 ? text : text.padEnd(widths[i]!));
  const lines = [c.bold(header.map(pad).join('  '))];
  for (const [i, cell] of cells.entries()) {
    const health = rows[i]!.health;
    lines.push(cell.map((text, col) => (col === 2 ? c[HEALTH_COLOR[health]](pad(text, col)) : pad(text, col))).join('  '));
    for (const node of rows[i]!.nodes ?? []) {
      const role = node.controller ? c.bold('active controller') : '';
      const state = c[NODE_COLOR[node.state]](node.state.padEnd(6));
      lines.push(`  ${`node ${node.id}`.padEnd(8)}${node.address.padEnd(17)}${state}  ${[node.detail, role].filter(Boolean).join('  ')}`.trimEnd());
    }
  }
  return lines.join('\n');
}
