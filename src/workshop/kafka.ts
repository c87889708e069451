/**
 * Kafka for a workshop: per learner a SCRAM-SHA-256 user "<slug>" and ALLOW ACLs on PREFIXED
 * resource patterns, so they may use topics and consumer groups named "bl-<slug>." and
 * nothing else (the cluster must run an authorizer with allow.everyone.if.no.acl.found=false).
 *
 * ACLs go through kafkajs. kafkajs has no AlterUserScramCredentials, and that request only
 * exists in Kafka's "flexible" wire format, which kafkajs's connection cannot send; rather
 * than a second Kafka protocol client here, SCRAM users are made by Kafka's own
 * kafka.admin.ConfigCommand from the jars scripts/install.sh vendors: one short JVM per
 * learner (about a second each), run two at a time.
 *
 * A learner's SCRAM user is brokerlab's when it has the workshop's topic ACL: ACLs are
 * created before the user and deleted after it, so that holds at every step, and a user
 * somebody else created is never overwritten or deleted.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deleteMatching } from '../namespaces/kafka.js';
import kafkajs, { type AclEntry, type AclFilter, type AclResourceTypes as ResourceType, type Admin } from 'kafkajs';
import { java } from '../brokers/kafka.js';
import { run } from '../brokers/process.js';
import type { Endpoints } from '../brokers/types.js';
import { tildify, vendorDir, versions } from '../brokers/versions.js';
import { BrokerlabError, EnvironmentError, UsageError, throwIfInterrupted } from '../errors.js';
import { type Account, type Learner, namespaceOf } from './roster.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } = kafkajs;

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** Kafka's default and minimum for SCRAM-SHA-256. */
const SCRAM_ITERATIONS = 4096;
/** ConfigCommand JVMs at once: each is short but CPU-bound while it starts. */
const JVM_PARALLELISM = 2;

/** What a learner needs on their prefix: exercises create, use and delete their own topics and
 *  groups, and provision them (kafka-topics-partitions grows a topic, ALTER, and sets its
 *  configs, ALTER_CONFIGS). */
const TOPIC_OPERATIONS = ['CREATE', 'READ', 'WRITE', 'DESCRIBE', 'DELETE', 'DESCRIBE_CONFIGS', 'ALTER', 'ALTER_CONFIGS'] as const;
const GROUP_OPERATIONS = ['READ', 'DESCRIBE', 'DELETE'] as const;

/** Topics and groups a learner may use start with this. */
export function kafkaPrefix(slug: string): string {
  return `${namespaceOf(slug)}.`;
}

export function principalOf(slug: string): string {
  return `User:${slug}`;
}

/** The ACLs provisioning creates for one learner. */
export function learnerAcls(slug: string): AclEntry[] {
  const entry = (resourceType: ResourceType, operation: keyof typeof AclOperationTypes): AclEntry => ({
    resourceType,
    resourceName: kafkaPrefix(slug),
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: principalOf(slug),
    host: '*',
    operation: AclOperationTypes[operation],
    permissionType: AclPermissionTypes.ALLOW,
  });
  return [...TOPIC_OPERATIONS.map((op) => entry(AclResourceTypes.TOPIC, op)), ...GROUP_OPERATIONS.map((op) => entry(AclResourceTypes.GROUP, op))];
}

/** Filters matching exactly the ACLs learnerAcls creates (any operation) on the topic and group prefixes. */
function learnerAclFilters(slug: string): AclFilter[] {
  return [AclResourceTypes.TOPIC, AclResourceTypes.GROUP].map((resourceType) => ({
    resourceType,
    resourceName: kafkaPrefix(slug),
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: principalOf(slug),
    host: '*',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  }));
}

/** The admin's errors that mean "wrong cluster setup or wrong admin", as one clear line. */
function explain(error: unknown): Error {
  if (error instanceof BrokerlabError) return error; // already one clear line
  const text = `${(error as Error)?.name ?? ''} ${(error as { type?: string })?.type ?? ''} ${(error as Error)?.message ?? String(error)}`;
  if (/SECURITY_DISABLED/.test(text)) {
    return new EnvironmentError('Kafka has no authorizer (authorizer.class.name), so ACLs cannot confine the learners; the workshop needs a cluster with one');
  }
  if (/SASL|Authentication|CLUSTER_AUTHORIZATION_FAILED/i.test(text)) {
    return new EnvironmentError(
      `Kafka refused the admin (${(error as Error).message}); BROKERLAB_KAFKA_SASL_* must log in as a user allowed to alter ACLs and SCRAM credentials (a super user)`,
    );
  }
  if (/Connection|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|NumberOfRetriesExceeded/i.test(text)) {
    return new EnvironmentError(`Kafka is not reachable at BROKERLAB_KAFKA_BROKERS (${(error as Error).message})`);
  }
  return error as Error;
}

async function withAdmin<T>(endpoint: Endpoints['kafka'], work: (admin: Admin) => Promise<T>): Promise<T> {
  const client = new Kafka({
    clientId: 'brokerlab-workshop',
    brokers: endpoint.brokers,
    ...(endpoint.sasl ? { sasl: endpoint.sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10_000,
    retry: { retries: 2 },
  });
  const admin = client.admin();
  try {
    await admin.connect();
    return await work(admin);
  } catch (error) {
    throw explain(error);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Learners (by slug) that have the workshop's topic ACL, i.e. whose SCRAM user is brokerlab's. */
async function withWorkshopAcls(admin: Admin, learners: readonly Learner[]): Promise<Set<string>> {
  const ours = new Set<string>();
  for (const learner of learners) {
    const [topicFilter] = learnerAclFilters(learner.slug);
    const described = await admin.describeAcls(topicFilter!);
    if (described.resources.some((r) => r.acls.length > 0)) ours.add(learner.slug);
  }
  return ours;
}

// --- ConfigCommand -------------------------------------------------------------------------

/** "a\"b" inside JAAS's double quotes, written in a .properties file (where "\" escapes too). */
function jaasQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`.replace(/\\/g, '\\\\');
}

/** The admin's client settings for Kafka's Java tools. Holds the admin's password: written to
 *  an owner-only temporary folder and removed right after use. */
function clientProperties(endpoint: Endpoints['kafka']): string {
  const sasl = endpoint.sasl;
  if (!sasl) return 'security.protocol=PLAINTEXT\n';
  const module = sasl.mechanism === 'plain' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
  return [
    'security.protocol=SASL_PLAINTEXT',
    `sasl.mechanism=${sasl.mechanism.toUpperCase()}`,
    `sasl.jaas.config=${module} required username=${jaasQuoted(sasl.username)} password=${jaasQuoted(sasl.password)};`,
    '',
  ].join('\n');
}

/** Kafka's log4j (reload4j) writes only errors, to stderr, which we keep for messages. */
const QUIET_LOG4J = [
  'log4j.rootLogger=ERROR, stderr',
  'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stderr.Target=System.err',
  'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stderr.layout.ConversionPattern=%p %m%n',
  '',
].join('\n');

interface ConfigTool {
  run(args: string[]): Promise<{ code: number | null; output: string }>;
  close(): void;
}

function configTool(endpoint: Endpoints['kafka'], env: NodeJS.ProcessEnv): ConfigTool {
  const lib = path.join(vendorDir(env), `kafka-${versions().kafka}`, 'lib');
  if (!existsSync(lib)) {
    throw new EnvironmentError(`Kafka's tools are needed to create SCRAM users and are not installed (no jars in ${tildify(lib)}). Run: npm run setup`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'brokerlab-kafka-admin-'));
  const properties = path.join(dir, 'admin.properties');
  const log4j = path.join(dir, 'log4j.properties');
  writeFileSync(properties, clientProperties(endpoint), { mode: 0o600 });
  writeFileSync(log4j, QUIET_LOG4J);
  const base = [
    '-Xmx128m',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${lib}/*`,
    'kafka.admin.ConfigCommand',
    '--bootstrap-server',
    endpoint.brokers.join(','),
    '--command-config',
    properties,
  ];
  return {
    run: (args) => run(java(), [...base, ...args], { timeoutMs: 120_000 }),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The most telling line of a Java tool's failure ("Caused by: ...: Attempt to ..."). */
function failureLine(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim());
  return lines.find((l) => l.startsWith('Caused by:'))?.replace(/^Caused by:\s*/, '') ?? lines.find((l) => /error|exception/i.test(l)) ?? lines.at(-1) ?? '';
}

/** Users that have a SCRAM credential, from one `--describe`. */
async function scramUsers(tool: ConfigTool): Promise<Set<string>> {
  const result = await tool.run(['--describe', '--entity-type', 'users']);
  if (result.code !== 0) throw explain(new Error(`listing SCRAM users failed: ${failureLine(result.output)}`));
  return new Set([...result.output.matchAll(/user-principal '([^']+)' are .*SCRAM-/g)].map((m) => m[1] ?? ''));
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

// --- provision and teardown -----------------------------------------------------------------

/** Refuses, before changing anything, when a learner's name is a SCRAM user brokerlab did not create. */
export async function checkKafkaUsers(endpoint: Endpoints['kafka'], learners: readonly Learner[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const tool = configTool(endpoint, env);
  try {
    // kafkajs first: an unreachable cluster or a wrong admin login fails in seconds, where
    // Kafka's Java tools would wait out their 60 s API timeout.
    // Every learner's ACLs are read, not only those of existing users: a cluster without an
    // authorizer refuses that (SECURITY_DISABLED) here, before anything was written.
    const { existing, ours } = await withAdmin(endpoint, async (admin) => ({ ours: await withWorkshopAcls(admin, learners), existing: await scramUsers(tool) }));
    const foreign = learners.find((l) => existing.has(l.slug) && !ours.has(l.slug));
    if (foreign) {
      throw new UsageError(`Kafka already has a SCRAM user "${foreign.slug}" that brokerlab did not create; give this learner another name in the roster's learner column`);
    }
  } finally {
    tool.close();
  }
}

/** ACLs first (they mark the user as brokerlab's), then each learner's SCRAM credential (set again: same password, same result). */
export async function provisionKafka(endpoint: Endpoints['kafka'], accounts: readonly Account[], env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<void> {
  await withAdmin(endpoint, (admin) => admin.createAcls({ acl: accounts.flatMap(({ learner }) => learnerAcls(learner.slug)) }));
  const tool = configTool(endpoint, env);
  try {
    await inBatches(accounts, JVM_PARALLELISM, async ({ learner, password }) => {
      throwIfInterrupted(signal);
      const config = `${SCRAM_MECHANISM}=[iterations=${SCRAM_ITERATIONS},password=${password}]`;
      const result = await tool.run(['--alter', '--add-config', config, '--entity-type', 'users', '--entity-name', learner.slug]);
      if (result.code !== 0) throw explain(new Error(`creating Kafka's SCRAM user "${learner.slug}" failed: ${failureLine(result.output)}`));
    });
  } finally {
    tool.close();
  }
}

/**
 * Per learner: the SCRAM user (only if brokerlab's), then its ACLs, then every topic and
 * consumer group under the prefix. A group still in use cannot be deleted; its members go
 * once their session times out (they can no longer log in), so that is waited for, bounded.
 */
export async function teardownKafka(endpoint: Endpoints['kafka'], learners: readonly Learner[], env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<string[]> {
  const removed: string[] = [];
  const ours = await withAdmin(endpoint, (admin) => withWorkshopAcls(admin, learners));
  const tool = configTool(endpoint, env);
  try {
    await inBatches(
      learners.filter((l) => ours.has(l.slug)),
      JVM_PARALLELISM,
      async (learner) => {
        throwIfInterrupted(signal);
        const result = await tool.run(['--alter', '--delete-config', SCRAM_MECHANISM, '--entity-type', 'users', '--entity-name', learner.slug]);
        if (result.code === 0) removed.push(`kafka SCRAM user ${learner.slug}`);
        else if (!/does not exist/.test(result.output)) throw explain(new Error(`deleting Kafka's SCRAM user "${learner.slug}" failed: ${failureLine(result.output)}`));
      },
    );
  } finally {
    tool.close();
  }
  await withAdmin(endpoint, async (admin) => {
    const deleted = await admin.deleteAcls({ filters: learners.flatMap((l) => learnerAclFilters(l.slug)) });
    const count = deleted.filterResponses.reduce((n, r) => n + r.matchingAcls.length, 0);
    if (count > 0) removed.push(`kafka ${count} ACLs`);

    const under = (name: string) => learners.some((l) => name.startsWith(kafkaPrefix(l.slug)));
    try {
      const { topics, groups } = await deleteMatching(admin, under);
      removed.push(...topics.map((t) => `kafka topic ${t}`), ...groups.map((g) => `kafka group ${g}`));
    } catch (error) {
      throw new EnvironmentError(`Kafka did not let brokerlab delete the consumer groups: ${(error as Error).message}`);
    }
  });
  return removed;
}
