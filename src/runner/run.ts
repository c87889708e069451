/**
 * One graded run, as phases:
 *
 *   setup     brokers reachable? create this run's namespace (workload.prepare)
 *   start     the learner's program, N copies, each in its own process group
 *   ready     wait (bounded) until it subscribed / consumes / joined its group
 *   workload  traffic through the real brokers; faults strike as the scenario says
 *   heal      faults' restarts complete; drain waits (bounded) for outputs to settle
 *   stop      SIGTERM, then SIGKILL, the learner's process groups
 *   collect   final observations (dead-letter queue, committed offsets)
 *   check     pure functions over the recorded history
 *   cleanup   always: kill processes, delete the namespace, close clients
 *
 * The result never depends on what the learner's program says about itself: only on what
 * the lab saw in the brokers and in its downstream services.
 */
import { writeFileSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import path from 'node:path';
import { BROKER_LABELS, ensureReachable } from '../brokers/index.js';
import type { Endpoints } from '../brokers/types.js';
import type { CatalogEntry } from '../catalog/load.js';
import type { CheckResult } from '../checks/types.js';
import { InterruptedError, UsageError } from '../errors.js';
import type { BrokerName } from '../brokers/types.js';
import { activeFaults, onFaultEvent } from '../faults/events.js';
import { type Proxy, brokerAddress, kafkaProxy, toxiproxyApi } from '../faults/toxiproxy.js';
import type { ProxiedBroker } from '../faults/types.js';
import { FAULTS } from '../faults/index.js';
import type { FaultContext, Inlet, Probe } from '../faults/types.js';
import { loadWorkload } from '../workloads/index.js';
import { validateChecks } from '../catalog/checks.js';
import { LearnerNotReadyError, type WorkloadContext, type WorkloadSession } from '../workloads/types.js';
import { type CallHook, CallCounter, Downstream } from './downstream.js';
import { evaluate } from './evaluate.js';
import { type History, HistoryRecorder } from './history.js';
import { LOG_HEAD_BYTES } from './capped-log.js';
import { LEARNER_MEMORY_LIMIT_BYTES, type LearnerCommand, LearnerGroup, type LearnerProcess } from './learner.js';
import { Random, type Seed, newSeed } from './seed.js';
import { newRunId, runNamespaceOf, scopedNamespace, sharedNamespace } from '../namespaces/names.js';
import { missingImport } from './missing-import.js';
import { killOrphans, killStragglers } from './stragglers.js';
import { type Verdict, scoreOf, verdictOf } from './verdict.js';
import { crashes, notReady, recordLearnerEvent } from './learner-events.js';

export interface RunResult {
  runId: string;
  exercise: string;
  title: string;
  /** What was graded: a file path or the --cmd string. */
  solution: string;
  verdict: Verdict;
  /** One line saying why, for the top of the report. */
  summary: string;
  checks: CheckResult[];
  score: { earned: number; max: number };
  durationMs: number;
  runDir: string;
  /** The schedule's seed: `--seed` with it replays this run's schedule (absent in runs
   *  recorded before seeds existed). */
  seed?: Seed;
  /** Things worth knowing that are not checks: unexpected exits, cleanup leftovers. */
  notes: string[];
  /** Every operation the lab performed or observed (also saved as history.jsonl). */
  history: History;
}

export interface RunOptions {
  runsDir: string;
  /** Ctrl-C: the run stops, cleans up, then throws InterruptedError. */
  signal?: AbortSignal;
  progress?: (message: string) => void;
  /** The schedule's seed (`--seed`); a fresh one when unset. */
  seed?: Seed;
}

function prepareRunDir(runsDir: string, runId: string): string {
  const dir = path.join(runsDir, runId);
  makeDir(dir);
  // `latest` moves once the run's artifacts are written (reporters/artifacts.ts): an
  // interrupted run never becomes the one `brokerlab report` opens.
  return dir;
}

/** Errors that mean the lab lost a broker mid-run: the verdict is unknown, not fail. */
function isBrokerConnectionError(error: unknown): boolean {
  const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''} ${(error as { code?: string })?.code ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection is closed|Socket closed|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|Channel closed|Connection closed|fetch failed|max retries per request|Stream isn.t writeable/i.test(text);
}

export async function runScenario(entry: CatalogEntry, command: LearnerCommand, options: RunOptions): Promise<RunResult> {
  const { scenario } = entry;
  const progress = options.progress ?? (() => {});
  const workload = await loadWorkload(scenario.workload.name);
  let workloadOptions: unknown;
  try {
    workloadOptions = workload.parseOptions(scenario.workload.options);
  } catch (error) {
    throw new UsageError(`scenarios/${scenario.id}/scenario.json: workload options: ${(error as Error).message}`);
  }
  await validateChecks(scenario, `scenarios/${scenario.id}/scenario.json`);

  const shared = sharedNamespace();
  // Learner processes of earlier runs whose brokerlab was killed before it could clean up.
  const orphans = killOrphans();
  const faults = scenario.faults.map((spec, id) => {
    const definition = FAULTS.get(spec.fault);
    if (!definition) throw new Error(`fault "${spec.fault}" is not registered`);
    return { definition, params: definition.parseParams(spec.params), id };
  });
  // A scenario that scales out mid-run starts with fewer copies (faults/scale-learner.ts).
  const startingInstances = Math.min(scenario.learner.instances, ...faults.map((f) => f.definition.initialInstances?.(f.params) ?? scenario.learner.instances));
  if (startingInstances < 1) throw new UsageError(`scenarios/${scenario.id}/scenario.json: the run must start with at least one copy of the program`);
  const needed = new Set<BrokerName>([...scenario.brokers, ...faults.flatMap((f) => f.definition.needs?.(f.params) ?? [])]);
  const endpoints = await ensureReachable([...needed]);
  const runId = newRunId(scenario.id);
  const namespace = runNamespaceOf(runId);
  // For messages and run.json: where this run's names are (Kafka's form in shared mode).
  const namesUnder = scopedNamespace(namespace, shared, '.');
  const runDir = prepareRunDir(options.runsDir, runId);
  const started = Date.now();
  const history = new HistoryRecorder();
  const seed = options.seed ?? newSeed();
  const calls = new CallCounter();
  const probes = new Map<string, Probe>();
  const inlets = new Map<string, Inlet>();
  const notes: string[] = [];
  if (orphans.length > 0) notes.push(`stopped ${orphans.length} process${orphans.length === 1 ? '' : 'es'} left running by an earlier run that could not clean up (pid ${orphans.join(', ')})`);

  // The run's own abort: Ctrl-C from outside, or the hard cap on the run's length.
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(new InterruptedError());
  // A Ctrl-C that came before the run started (e.g. between two gradings in watch mode)
  // stops it at once; addEventListener alone would never fire for it.
  if (options.signal?.aborted) throw new InterruptedError();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // Ends whatever faults still wait for their trigger once the run is over.
  const runEnded = new AbortController();
  const armCap = () => setTimeout(() => controller.abort(new Error(`the run hit its time limit of ${scenario.timeouts.runMs / 1000}s`)), scenario.timeouts.runMs);
  let cap = armCap();

  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const downstreams: Downstream[] = [];
  const callHooks: CallHook[] = [];
  const faultWork: Promise<unknown>[] = [];
  let learners: LearnerGroup | undefined;
  const learnerEnv: Record<string, string> = { BROKERLAB_RUN_ID: runId, BROKERLAB_NAMESPACE: namesUnder };

  // Which faults are active, kept from the fault events as they are recorded.
  const active = activeFaults(history);
  cleanups.push(active.stop);
  const ctx: WorkloadContext = {
    runId,
    namespace,
    shared,
    endpoints: endpoints as Partial<Endpoints>,
    history,
    get learners() {
      if (!learners) throw new Error('learners not started yet');
      return learners;
    },
    instances: scenario.learner.instances,
    startingInstances,
    timeouts: scenario.timeouts,
    signal: controller.signal,
    random: (stream) => new Random(seed, stream),
    registerProbe: (name, probe) => void probes.set(name, probe),
    registerInlet: (name, inlet) => void inlets.set(name, inlet),
    faultActive: () => active.active(),
    onFault: (listener) => void cleanups.push(onFaultEvent(history, listener)),
    async downstream(downstreamOptions) {
      const service = new Downstream(downstreamOptions, history, new Random(seed, `downstream:${downstreamOptions.name}`), calls);
      for (const hook of callHooks) service.onCall(hook);
      const url = await service.start();
      downstreams.push(service);
      return { service, url };
    },
    defer: (cleanup) => void cleanups.push(cleanup),
    async faultsSettled() {
      await Promise.all(faultWork);
    },
    progress,
    async phase(name) {
      history.record({ process: 'lab', kind: 'phase', outcome: 'ok', key: name });
      // Faults waiting for this phase start their work in the promise jobs that follow.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };

  let session: WorkloadSession | undefined;
  let checks: CheckResult[] = [];
  let verdict: Verdict;
  let summary: string;
  try {
    learners = new LearnerGroup(command, learnerEnv, scenario.learner.instances, runDir, history, scenario.learner.roles);
    // Proxies between the learner's program and a broker, for network faults.
    const proxies = new Map<ProxiedBroker, Proxy>();
    const toxiproxy = () => {
      if (!endpoints.toxiproxy) throw new Error('toxiproxy endpoint missing');
      return toxiproxyApi(endpoints.toxiproxy);
    };
    for (const { definition, params, id } of faults) {
      await definition.setup?.(
        {
          async proxy(broker) {
            const existing = proxies.get(broker);
            if (existing) return existing;
            if (broker === 'kafka') {
              const created = await kafkaProxy(namespace, endpoints.toxiproxy as Endpoints['toxiproxy'], { signal: controller.signal, progress });
              cleanups.push(created.release);
              proxies.set(broker, created);
              return created;
            }
            const created = await toxiproxy().create(`${namespace}.${broker}`, brokerAddress(broker, endpoints as Partial<Endpoints>));
            cleanups.push(() => toxiproxy().remove(created.name));
            proxies.set(broker, created);
            return created;
          },
        },
        params,
        id,
      );
    }
    // A wait for Kafka's proxy (another brokerlab's run holds it) is not the run's time.
    clearTimeout(cap);
    cap = armCap();
    const faultContext: FaultContext = {
      history,
      namespace: namesUnder,
      learners,
      onDownstreamCall: (hook) => void callHooks.push(hook),
      probe: (name) => probes.get(name),
      inlet: (name) => (name === undefined ? (inlets.size === 1 ? [...inlets.values()][0] : undefined) : inlets.get(name)),
      // A fault that cannot act (toxiproxy refused, a broker did not come back) ends the run as
      // the lab's failure at once: a run without its fault could pass a wrong program. The
      // catch also keeps its rejection from being unhandled before faultsSettled awaits it.
      track: (work) => {
        work.catch((error: unknown) => {
          if (!controller.signal.aborted) controller.abort(new Error(`a fault could not act: ${(error as Error).message ?? String(error)}`));
        });
        faultWork.push(work);
      },
      awaitReady: async (instance) => {
        const copy = learners?.get(instance);
        if (!copy || !session?.awaitCopyReady) return;
        const crashed = copy.exited.then(() => 'exited' as const);
        try {
          await Promise.race([session.awaitCopyReady(instance), crashed]);
        } catch (error) {
          if (controller.signal.aborted || !copy.running) return;
          const notReady = error instanceof LearnerNotReadyError ? error : new LearnerNotReadyError((error as Error).message, 'See its stderr in the run directory.');
          recordLearnerEvent(history, copy.name, { event: 'not-ready', reason: notReady.message, hint: notReady.hint });
        }
      },
      signal: AbortSignal.any([controller.signal, runEnded.signal]),
      proxies,
      toxiproxy,
    };
    for (const { definition, params, id } of faults) definition.arm(faultContext, params, id);

    progress('setting up this run\'s namespace');
    session = await workload.prepare(ctx, workloadOptions);
    // The learner's program reaches a proxied broker through its proxy, in the same variables.
    Object.assign(learnerEnv, throughProxies(session.env, [...proxies.values()]));
    writeFileSync(path.join(runDir, 'run.json'), `${JSON.stringify({ runId, exercise: scenario.id, solution: command.label, command: command.argv, seed, namespace: namesUnder, env: learnerEnv }, null, 2)}\n`);

    const scaling = startingInstances < scenario.learner.instances ? `, more copies later, up to ${scenario.learner.instances}` : '';
    progress(`starting your program${startingInstances > 1 ? ` (${startingInstances} copies${scaling})` : scaling ? ` (1 copy${scaling})` : ''}`);
    learners.startAll(startingInstances);
    const crashed = learners.firstUnexpectedExit();
    const startup = await Promise.race([session.awaitReady().then(() => 'ready' as const), crashed]);
    stopIfAborted();
    if (startup !== 'ready') {
      const info = await startup.exited;
      const ready = crashResult(startup, info.code, info.signal, history.now(), entry.labDir, command.asGiven);
      checks = [ready];
    } else {
      await ctx.phase('workload');
      await session.run();
      stopIfAborted();
      await ctx.faultsSettled();
      progress('stopping your program and collecting results');
      await learners.stopAll(6_000); // kafkajs may wait out a fetch (5 s) before leaving its group
      await session.collect();
      stopIfAborted();
      checks = await evaluate(scenario.checks, history.history);
      // A copy that ended on its own while the lab still ran the exercise did not keep
      // running, whatever the checks could still see (a topology outlives its program). It
      // comes first: the report says to fix the first failing check, and what a crash left
      // undone is what the other checks saw.
      const ended = endedOnItsOwn(history.history);
      if (ended) checks.unshift(ended);
      const late = startedLateNotReady(history.history);
      if (late) checks.push(late);
    }
    verdict = verdictOf(checks);
    summary = summarize(verdict, checks);
    // A failing program often says why on stderr (an exception, a refused command): point at
    // it, unless every failing check already named a cause that stderr has nothing to add to
    // (a client's complaint about the lab's fault would only mislead there).
    const PROGRAM_LEVEL = new Set(['program-died', 'nothing-arrived', 'unreadable', 'stalled', 'crashed-on-disconnect', 'never-processed']);
    const failing = checks.filter((c) => c.status === 'fail');
    const exitedOnItsOwn = crashes(history.history).length > 0;
    if (verdict === 'fail' && (exitedOnItsOwn || failing.some((c) => c.cause === undefined || PROGRAM_LEVEL.has(c.cause)))) {
      for (const p of learners.processes) {
        const headline = p.stderrHeadline();
        if (headline) notes.push(`${p.name} wrote to stderr: ${JSON.stringify(headline.trim().slice(0, 200))} (${p.stderrCut > 0 ? 'its start and end are' : 'all of it is'} in ${p.name}.stderr.log)`);
      }
    }
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof InterruptedError) {
      await cleanup();
      throw controller.signal.reason;
    }
    if (error instanceof LearnerNotReadyError) {
      checks = [{ name: 'ready', title: 'Your program gets ready', status: 'fail', expected: 'the program is ready to receive messages in time', observed: error.message, examples: [], hint: error.hint, weight: 1 }];
      verdict = 'fail';
      summary = summarize(verdict, checks);
    } else if (controller.signal.aborted || isBrokerConnectionError(error)) {
      verdict = 'unknown';
      const brokers = scenario.brokers.map((b) => BROKER_LABELS[b]).join(' or ');
      const reason = controller.signal.aborted
        ? String((controller.signal.reason as Error)?.message)
        : `it lost its connection to ${brokers} (${(error as Error).message.replace(/\.+$/, '')})`;
      summary = `the lab could not finish the run: ${reason}. This says nothing about your program; check \`brokerlab status\` and run it again.`;
      checks = [];
    } else {
      await cleanup();
      throw error;
    }
  }
  await cleanup();

  const result: RunResult = {
    runId,
    exercise: scenario.id,
    title: scenario.title,
    solution: command.label,
    verdict,
    summary,
    checks,
    score: scoreOf(checks),
    durationMs: Date.now() - started,
    runDir,
    seed,
    notes,
    history: history.history,
  };
  writeFileSync(path.join(runDir, 'history.jsonl'), history.history.map((op) => JSON.stringify(op)).join('\n') + '\n');
  return result;

  /** Workloads return early when the run is aborted; a partial history must not be graded. */
  function stopIfAborted(): void {
    if (controller.signal.aborted) throw controller.signal.reason;
  }

  async function cleanup(): Promise<void> {
    clearTimeout(cap);
    runEnded.abort();
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (learners) {
      await learners.stopAll(1_000);
      const stragglers = killStragglers(runId);
      if (stragglers.length > 0) {
        const pids = stragglers.length > 5 ? `${stragglers.slice(0, 5).join(', ')} and ${stragglers.length - 5} more` : stragglers.join(', ');
        notes.push(`your program left ${stragglers.length} process${stragglers.length === 1 ? '' : 'es'} running after it was stopped (pid ${pids}); the lab killed ${stragglers.length === 1 ? 'it' : 'them'}. Start helpers without detaching them, so they stop with your program.`);
      }
      // Nothing of the program runs any more: its logs get their tails (what a cap cut is said there).
      await learners.closeLogs();
      for (const p of learners.processes) {
        for (const [stream, log] of [['stdout', p.stdoutCut], ['stderr', p.stderrCut]] as const) {
          if (log > 0) notes.push(`${p.name} wrote more to ${stream} than the lab keeps: ${p.name}.${stream}.log has its first and last ${LOG_HEAD_BYTES / 1024 / 1024} MiB, ${log} bytes in between were cut`);
        }
      }
      for (const p of learners.processes) {
        if (p.ignoredSigterm.length === 0) continue;
        const grace = Math.max(...p.ignoredSigterm) / 1000;
        notes.push(`${p.name} did not exit within ${grace} s of SIGTERM${p.ignoredSigterm.length > 1 ? ` (${p.ignoredSigterm.length} times)` : ''}, so the lab killed it (SIGKILL). On SIGTERM, stop taking work, close your connections and exit: a deploy then waits for nothing, and a consumer leaves its group at once.`);
      }
      for (const { process, t, value } of crashes(history.history)) {
        const memory = OUT_OF_MEMORY.test(value.stderr ?? '') ? `: it ran out of memory (each copy may use ${LEARNER_MEMORY_LIMIT_BYTES / 1024 ** 3} GiB; look for what grows without bound)` : '';
        notes.push(`${process} exited on its own (${value.signal ? `signal ${value.signal}` : `code ${value.code}`}) at ${(t / 1000).toFixed(1)}s${memory}; see ${process}.stderr.log`);
      }
    }
    await Promise.allSettled(faultWork);
    await Promise.all(downstreams.map((d) => d.stop()));
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        notes.push(`cleanup failed (${(error as Error).message.replace(/\.+$/, '')}); names under "${namesUnder}" may be left in the broker`);
      }
    }
  }
}

/** What Node, Python, the JVM and C libraries say when an allocation fails. */
const OUT_OF_MEMORY = /out of memory|MemoryError|OutOfMemoryError|allocation failed|Cannot allocate memory|bad_alloc|ENOMEM/i;

/** The learner's env with each proxied broker's address replaced by its proxy's (pure). */
export function throughProxies(env: Record<string, string>, proxies: ReadonlyArray<{ listen: string; upstream: string; replaces?: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, proxies.reduce((v, p) => v.split(p.replaces ?? p.upstream).join(p.listen), value)]));
}

function crashResult(p: LearnerProcess, code: number | null, signal: string | null, t: number, labDir: string, asGiven = false): CheckResult {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = p.stderrTail();
  const missing = missingImport(p.stderrTail(40), labDir, asGiven);
  const headline = p.stderrHeadline();
  return {
    name: 'program-starts',
    title: 'Your program starts and keeps running',
    status: 'fail',
    expected: 'the program starts, connects and keeps running until the lab stops it',
    observed: `it ${how} after ${(t / 1000).toFixed(1)}s, before it was ready${missing ? `: ${missing.what}` : headline ? `, saying ${JSON.stringify(headline.trim().slice(0, 240))}` : ''}`,
    examples: tail.length > 0 ? tail : ['(nothing on stderr)'],
    hint: missing?.hint ?? `Its full output is in ${p.name}.stderr.log in the run directory.`,
    weight: 1,
  };
}

/** The runner's check for a copy that exited on its own after it was ready (pure), or
 *  undefined when every copy ran until the lab stopped it. */
export function endedOnItsOwn(history: History): CheckResult | undefined {
  const exit = crashes(history)[0];
  if (!exit) return undefined;
  const v = exit.value;
  const how = v.signal ? `was killed by ${v.signal}` : `exited with code ${v.code}`;
  return {
    name: 'program-starts',
    title: 'Your program starts and keeps running',
    status: 'fail',
    expected: 'the program starts, connects and keeps running until the lab stops it (SIGTERM)',
    observed: `${exit.process} ${how} after ${(exit.t / 1000).toFixed(1)}s, on its own, while the lab was still running the exercise${v.stderr ? `, saying ${JSON.stringify(v.stderr.slice(0, 240))}` : ''}`,
    examples: [],
    hint:
      v.code === 0 && !v.signal
        ? 'Your program ended by itself. It must keep running, connected, until the lab stops it: in Node keep a connection or a consumer open (do not close it, nor call process.exit); in Python end with a loop that waits (channel.start_consuming(), or while True: time.sleep(1)).'
        : `It crashed: its stderr (${exit.process}.stderr.log in the run directory) says why.`,
    weight: 1,
  };
}

/** The runner's "ready" check for a copy started mid-run (faults/scale-learner.ts) that did
 *  not get ready in time (pure), or undefined when every such copy did. */
export function startedLateNotReady(history: History): CheckResult | undefined {
  const late = notReady(history)[0];
  if (!late) return undefined;
  return {
    name: 'ready',
    title: 'Your program gets ready',
    status: 'fail',
    expected: 'every copy, also one the lab starts mid-run, is ready to receive messages in time',
    observed: `${late.process}, which the lab started mid-run while the others ran: ${late.value.reason}`,
    examples: [],
    hint: late.value.hint,
    weight: 1,
  };
}

function summarize(verdict: Verdict, checks: readonly CheckResult[]): string {
  const failed = checks.filter((c) => c.status === 'fail');
  if (verdict === 'pass') return `all ${checks.length} checks passed`;
  if (verdict === 'fail') return `${failed.length} of ${checks.length} check${checks.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}`;
  return `the lab could not decide: ${checks.filter((c) => c.status === 'unknown').map((c) => `${c.name} (${c.observed})`).join('; ')}`;
}
