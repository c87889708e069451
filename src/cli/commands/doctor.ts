/**
 * brokerlab doctor: is this machine ready for the exercises? One line per thing checked,
 * ✔ or ✘, and under each problem the command that fixes it:
 *
 *   Node.js against package.json `engines`; each broker (runtime, health, URL, and for one
 *   that is down whether another process holds its port); the native installs (packages,
 *   Kafka and ElasticMQ jars, the toxiproxy binary); java, mvn and go on PATH; free disk
 *   where BROKERLAB_HOME lives; the workspace in use.
 *
 * Exits 0 when everything the exercises need is fine (warnings allowed), else 4 with a
 * one-line summary. What counts as a problem or a warning: see cli/doctor-findings.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { BROKER_NAMES, type BrokerName, type BrokerStatus, status } from '../../brokers/index.js';
import { makeColors } from '../../brokers/format.js';
import { isListening } from '../../brokers/net.js';
import { portsOf } from '../../brokers/ports.js';
import { findExecutable } from '../../brokers/process.js';
import { brokerDef } from '../../brokers/registry.js';
import { nativeDirs } from '../../brokers/runtimes/native.js';
import { tildify, versions } from '../../brokers/versions.js';
import { type CatalogEntry, loadCatalog } from '../../catalog/load.js';
import { EnvironmentError } from '../../errors.js';
import { PACKAGE_ROOT, brokerlabHome, runsDir } from '../../paths.js';
import { loadProgress, statusOf } from '../../workspace/progress.js';
import { exerciseDir, findWorkspace } from '../../workspace/workspace.js';
import {
  type Finding,
  brokerFinding,
  diskFinding,
  formatFindings,
  installFinding,
  nodeFinding,
  toolFinding,
  verdictLine,
} from '../doctor-findings.js';
import { stdout } from '../output.js';

interface DoctorOptions {
  json?: boolean;
  quiet?: boolean;
}

/** Brokers that run on the JVM natively: without Java they cannot start. */
const JVM_BROKERS: readonly BrokerName[] = ['kafka', 'kafka-cluster', 'sqs'];

/** Kafka, ElasticMQ and toxiproxy are vendored at pinned versions; say which. */
function installLabel(name: BrokerName): string {
  const pinned = versions();
  if (name === 'kafka') return `Kafka ${pinned.kafka}`;
  if (name === 'kafka-cluster') return `Kafka ${pinned.kafka} (the 3-node cluster, same jars)`;
  if (name === 'rabbitmq-cluster') return 'RabbitMQ (the 3-node cluster, same install)';
  if (name === 'sqs') return `ElasticMQ ${pinned.elasticmq}`;
  if (name === 'toxiproxy') return `toxiproxy ${pinned.toxiproxy}`;
  if (name === 'sns') return `moto ${pinned.moto} (SNS)`;
  if (name === 'pubsub') return `Pub/Sub emulator (pstest ${pinned.pubsub})`;
  return brokerDef(name).label;
}

/** A shell word, quoted only when it needs to be. */
function quote(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command, run from brokerlab's own folder when we are somewhere else. */
function inPackageRoot(command: string): string {
  return path.resolve(process.cwd()) === PACKAGE_ROOT ? command : `cd ${quote(tildify(PACKAGE_ROOT))} && ${command}`;
}

/** "apt-get install -y <pkg>" (with sudo unless root) on Debian-like systems, else advice. */
function packageFix(debianPackage: string, what: string): string {
  if (!existsSync('/usr/bin/apt-get')) return `install ${what} with your system's package manager`;
  return `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y ${debianPackage}`;
}

function nodeCheck(): Finding {
  let range: string | undefined;
  try {
    range = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
  } catch {
    range = undefined;
  }
  return nodeFinding(process.versions.node, range);
}

async function takenPorts(name: BrokerName): Promise<number[]> {
  const ports = portsOf(name);
  const listening = await Promise.all(ports.map((port) => isListening(port)));
  return ports.filter((_, i) => listening[i]);
}

async function brokerChecks(rows: readonly BrokerStatus[], needed: ReadonlySet<BrokerName>): Promise<Finding[]> {
  return Promise.all(
    rows.map(async (row) => {
      const def = brokerDef(row.name);
      // Only a local broker that does not answer can be blocked by someone else's process.
      const taken = row.health === 'unreachable' && row.runtime !== 'external' ? await takenPorts(row.name) : [];
      return brokerFinding(row, { label: def.label, externalEnv: def.externalEnv, externalExample: def.externalExample() }, needed.has(row.name), taken);
    }),
  );
}

/** Native installs, only for brokers the native runtime would run (not external/compose). */
function installChecks(rows: readonly BrokerStatus[], needed: ReadonlySet<BrokerName>): Finding[] {
  const setup = inPackageRoot('npm run setup');
  return rows
    .filter((row) => row.runtime === 'native')
    .map((row) => {
      let error: string | undefined;
      try {
        brokerDef(row.name).native.checkInstalled(nativeDirs(row.name));
      } catch (thrown) {
        error = (thrown as Error).message;
      }
      // A missing install only blocks the exercises when the broker is needed and not already
      // answering (someone else may run it).
      return installFinding(row.name, installLabel(row.name), error, needed.has(row.name) && row.health !== 'healthy', setup);
    });
}

/** "17.0.12" from `java -version` (it prints to stderr), or undefined. */
function javaVersion(java: string): string | undefined {
  const run = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  return /version "([^"]+)"/.exec(`${run.stderr ?? ''}${run.stdout ?? ''}`)?.[1];
}

function toolChecks(rows: readonly BrokerStatus[], needed: ReadonlySet<BrokerName>): Finding[] {
  // Java is a hard requirement only when a needed JVM broker has to be started here.
  const jvmNeeded = rows.some((row) => JVM_BROKERS.includes(row.name) && needed.has(row.name) && row.runtime === 'native' && row.health !== 'healthy');
  const javaLevel = jvmNeeded ? 'problem' : 'warning';
  const javaFix = packageFix('openjdk-17-jre-headless', 'a Java 17 runtime');
  const findings: Finding[] = [];

  const java = findExecutable(['java']);
  const version = java ? javaVersion(java) : undefined;
  const major = version === undefined ? undefined : Number.parseInt(version.startsWith('1.') ? version.slice(2) : version, 10);
  if (java && major !== undefined && major < 17) {
    findings.push({ id: 'tool:java', level: javaLevel, message: `java ${version} on PATH (${java}) is too old: Kafka and ElasticMQ need Java 17 or newer`, fix: javaFix });
  } else {
    findings.push(
      toolFinding('java', java ? { path: java, ...(version ? { version } : {}) } : undefined, 'Kafka and ElasticMQ run on Java 17 or newer', javaLevel, javaFix),
    );
  }
  const mvn = findExecutable(['mvn']);
  findings.push(
    toolFinding('mvn', mvn ? { path: mvn } : undefined, '`npm run setup` uses Maven to fetch the Kafka and ElasticMQ jars (and you need it for solutions in Java)', 'warning', packageFix('maven', 'Apache Maven')),
  );
  const go = findExecutable(['go']);
  findings.push(
    toolFinding('go', go ? { path: go } : undefined, '`npm run setup` builds toxiproxy with Go (and you need it for solutions in Go)', 'warning', packageFix('golang-go', 'the Go toolchain')),
  );
  return findings;
}

/** The nearest folder that exists at or above `dir` (BROKERLAB_HOME may not exist yet). */
function existingAncestor(dir: string): string {
  let current = path.resolve(dir);
  while (!existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function diskCheck(runs: string): Finding {
  const home = brokerlabHome();
  try {
    const stats = statfsSync(existingAncestor(home));
    return diskFinding(tildify(home), stats.bavail * stats.bsize, `rm -rf ${quote(tildify(runs))}`);
  } catch (error) {
    return { id: 'disk', level: 'info', message: `disk: could not measure the free space where ${tildify(home)} lives (${(error as Error).message})` };
  }
}

/** The workspace in use, its progress file, and (initialised) its exercise folders and packages. */
function workspaceChecks(catalog: readonly CatalogEntry[] | undefined): Finding[] {
  const workspace = findWorkspace();
  const findings: Finding[] = [];
  let done: number | undefined;
  try {
    const progress = loadProgress(workspace);
    done = catalog?.filter((entry) => statusOf(progress, entry.scenario.id) === 'done').length;
  } catch (error) {
    const file = quote(tildify(workspace.progressPath));
    findings.push({
      id: 'progress',
      level: 'problem',
      message: `${(error as Error).message} (moving it aside starts your progress afresh; your exercise files are untouched)`,
      fix: `mv ${file} ${file}.broken`,
    });
  }
  const solved = done === undefined || catalog === undefined ? '' : `, ${done} of ${catalog.length} exercises done`;
  const here = tildify(process.cwd());
  if (!workspace.initialised) {
    findings.unshift({
      id: 'workspace',
      level: 'ok',
      message: `workspace: this repository's labs/${solved} (no brokerlab.json in ${here} or above; \`brokerlab init <dir>\` makes a folder of your own)`,
    });
    return findings;
  }
  findings.unshift({ id: 'workspace', level: 'ok', message: `workspace: ${tildify(workspace.root)} (initialised${solved})` });
  const missing = (catalog ?? []).filter((entry) => !existsSync(exerciseDir(workspace, entry))).map((entry) => entry.scenario.id);
  if (missing.length > 0) {
    findings.push({
      id: 'workspace:exercises',
      level: 'warning',
      message: `workspace: no folder in exercises/ for ${missing.join(', ')}; a reset puts its files back`,
      fix: missing.map((id) => `brokerlab reset ${id}`).join(' && '),
    });
  }
  // The learner's TypeScript imports the broker clients; `init` links or installs them.
  if (!existsSync(path.join(workspace.root, 'node_modules', 'ioredis'))) {
    findings.push({
      id: 'workspace:packages',
      level: 'problem',
      message: `workspace: ${tildify(path.join(workspace.root, 'node_modules'))} lacks the broker clients your programs import (ioredis, amqplib, kafkajs)`,
      fix: `cd ${quote(tildify(workspace.root))} && npm install`,
    });
  }
  return findings;
}

export async function gatherFindings(): Promise<Finding[]> {
  const findings: Finding[] = [nodeCheck()];
  let catalog: CatalogEntry[] | undefined;
  try {
    catalog = loadCatalog();
  } catch (error) {
    findings.push({ id: 'catalog', level: 'problem', message: `the exercise catalog does not load: ${(error as Error).message}`, fix: inPackageRoot('git status scenarios') });
  }
  // The brokers some exercise uses must answer; the others are only reported.
  const needed = new Set<BrokerName>(catalog ? catalog.flatMap((entry) => entry.scenario.brokers) : BROKER_NAMES);
  const rows = await status(BROKER_NAMES);
  findings.push(...(await brokerChecks(rows, needed)));
  findings.push(...installChecks(rows, needed));
  findings.push(...toolChecks(rows, needed));
  const workspace = findWorkspace();
  findings.push(diskCheck(runsDir(workspace.root)));
  findings.push(...workspaceChecks(catalog));
  return findings;
}

/** One line for the error: what is wrong, shortest first words. */
function problemSummary(problems: readonly Finding[]): string {
  const what = problems.map((finding) => finding.message.split(/[;(]/)[0]!.trim()).join('; ');
  return `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}: ${what}`;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check this machine: Node, brokers, installs, tools, disk space, workspace; each problem with its fix')
    .option('--json', 'print the findings as JSON')
    .option('-q, --quiet', 'show only problems and warnings')
    .action(async (options: DoctorOptions) => {
      const findings = await gatherFindings();
      const colors = makeColors();
      if (options.json) {
        stdout(JSON.stringify(findings, null, 2));
      } else {
        const lines = formatFindings(findings, colors, options.quiet);
        stdout(`${lines ? `${lines}\n\n` : ''}${verdictLine(findings, colors)}`);
      }
      const problems = findings.filter((finding) => finding.level === 'problem');
      if (problems.length > 0) {
        throw new EnvironmentError(`doctor found ${problemSummary(problems)}`, options.json ? 'Each finding with level "problem" has its "fix".' : undefined);
      }
    });
}
