/**
 * Shared cluster mode against real brokers with authentication: the local RabbitMQ (guest is
 * an administrator) and Redis (ACL users), and a second, secured Kafka (SASL SCRAM-SHA-256,
 * StandardAuthorizer, deny by default) started here. Two learners are provisioned with the
 * real CLI; each must be confined to their own namespace; `brokerlab check` must pass inside
 * it and leave nothing behind; teardown must remove everything.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitmq } from '../../src/brokers/rabbitmq.js';
import { parseEnvFile } from '../../src/brokers/versions.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { NAMESPACE_PREFIX } from '../../src/namespaces/names.js';
import { managementApi } from '../../src/namespaces/rabbitmq.js';
import { cli, isOneCleanLine, tempDir } from '../helpers.js';
import { amqpOpen } from '../support/amqp-open.js';
import { ADMIN, type SecureKafka, startSecureKafka } from '../support/secure-kafka.js';
import { leftoversUnder } from './leftovers.js';

const suffix = Math.random().toString(36).slice(2, 6);
const ALICE = `alice-${suffix}`;
const BOB = `bob-${suffix}`;
/** The local RabbitMQ as its administrator (guest) sees it. */
const rabbitApi = managementApi(rabbitmq.defaultEndpoint);

let kafka: SecureKafka;
let adminEnv: Record<string, string>;
const dir = tempDir('brokerlab-workshop-');
const roster = path.join(dir, 'roster.csv');
const out = path.join(dir, 'out');
const envOf = (slug: string): Record<string, string> => parseEnvFile(readFileSync(path.join(out, `${slug}.env`), 'utf8'));

/** A client logging in as `slug`. kafkajs reports some refusals only in its debug log (a
 *  group it may not use becomes "Failed to find group coordinator"), so `errors` collects the
 *  error types it logs. */
function kafkaAs(slug: string, password: string, errors?: string[]): Kafka {
  const config: KafkaConfig = { brokers: kafka.brokers, sasl: { mechanism: 'scram-sha-256', username: slug, password }, retry: { retries: 5, initialRetryTime: 200 } };
  if (!errors) return new Kafka({ clientId: `test-${slug}`, ...config, logLevel: logLevel.NOTHING });
  const logCreator = () => (entry: LogEntry) => {
    const type = ((entry.log as Record<string, unknown>).error as { type?: string } | undefined)?.type;
    if (type) errors.push(type);
  };
  return new Kafka({ clientId: `test-${slug}`, ...config, logLevel: logLevel.DEBUG, logCreator });
}

const kafkaAdmin = () => kafkaAs(ADMIN.username, ADMIN.password);

/** The error a consumer in `groupId` gets when it tries to consume `topic` (undefined: it got a message). */
async function consumeOne(client: Kafka, groupId: string, topic: string): Promise<{ value?: string; error?: string }> {
  const consumer = client.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 500, retry: { retries: 0 } });
  try {
    return await new Promise((resolve) => {
      consumer.on(consumer.events.CRASH, (event) => resolve({ error: `${(event.payload.error as { type?: string }).type ?? ''} ${event.payload.error.message}` }));
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => resolve({ value: message.value?.toString() ?? '' }) });
      })().catch((error: unknown) => resolve({ error: `${(error as { type?: string }).type ?? ''} ${(error as Error).message}` }));
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

/** Everything the admin can see under a learner's prefix, on all three brokers. */
const under = (slug: string): Promise<string[]> => leftoversUnder(`${NAMESPACE_PREFIX}${slug}`, { brokers: kafka.brokers, sasl: { mechanism: 'scram-sha-256', ...ADMIN } });

/** The first exercise of each broker a workshop confines learners on, in curriculum order:
 *  each broker confines a learner its own way, so one run on each covers them all. */
function firstExercisePerBroker(): string[] {
  const first = new Map<string, string>();
  for (const { scenario } of loadCatalog()) {
    for (const broker of scenario.brokers) if (['redis', 'rabbitmq', 'kafka'].includes(broker) && !first.has(broker)) first.set(broker, scenario.id);
  }
  return [...first.values()];
}

beforeAll(async () => {
  kafka = await startSecureKafka();
  console.log(`secured Kafka answered (SASL, authorizer) ${kafka.startMs} ms after spawn`);
  adminEnv = {
    BROKERLAB_REDIS_URL: 'redis://127.0.0.1:6379',
    BROKERLAB_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    BROKERLAB_RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:15672',
    ...kafka.adminEnv,
  };
  writeFileSync(roster, `name,email\nAlice ${suffix},alice@example.org\nBob ${suffix},bob@example.org\n`);
});

afterAll(async () => {
  // Whatever a failed test left: the same teardown a mentor would run.
  if (adminEnv) await cli(['workshop', 'teardown', '--learners', roster, '--quiet'], adminEnv);
  await kafka?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('workshop provision', () => {
  it('gives each learner a user, a namespace and an env file; again with the same roster changes nothing', async () => {
    const started = Date.now();
    const first = await cli(['workshop', 'provision', '--learners', roster, '--out', out, '--json'], adminEnv);
    const ms = Date.now() - started;
    expect(first.code, first.stderr).toBe(0);
    console.log(`provisioned 2 learners on redis, rabbitmq and kafka in ${ms} ms (CLI wall clock)`);
    const result = JSON.parse(first.stdout) as { learners: Array<{ slug: string; env: Record<string, string> }> };
    expect(result.learners.map((l) => l.slug)).toEqual([ALICE, BOB]);

    const alice = envOf(ALICE);
    expect(alice).toMatchObject({
      BROKERLAB_NAMESPACE: `bl-${ALICE}`,
      BROKERLAB_RABBITMQ_VHOST: `bl-${ALICE}`,
      BROKERLAB_KAFKA_SASL_USERNAME: ALICE,
      BROKERLAB_KAFKA_BROKERS: kafka.brokers.join(','),
    });
    expect(alice.BROKERLAB_REDIS_URL).toMatch(new RegExp(`^redis://${ALICE}:[A-Za-z0-9]{24}@127\\.0\\.0\\.1:6379$`));
    const state = readFileSync(path.join(out, 'workshop.json'), 'utf8');
    expect(state).not.toContain(ADMIN.password);
    expect(state).not.toContain(alice.BROKERLAB_KAFKA_SASL_PASSWORD);

    const again = await cli(['workshop', 'provision', '--learners', roster, '--out', out, '--quiet'], adminEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n')).toEqual([`${ALICE} ${path.join(out, `${ALICE}.env`)}`, `${BOB} ${path.join(out, `${BOB}.env`)}`]);
    expect(envOf(ALICE)).toEqual(alice); // same password: the learner's file stays valid
  });

  it("never takes over a user it did not create (RabbitMQ's guest), in one line, before changing anything", async () => {
    const taken = path.join(dir, 'taken.csv');
    writeFileSync(taken, 'learner\nguest\n');
    const r = await cli(['workshop', 'provision', '--learners', taken, '--brokers', 'rabbitmq', '--out', path.join(dir, 'taken')], adminEnv);
    expect(r.code).toBe(2); // the roster needs another name
    expect(r.stderr).toContain('RabbitMQ already has a user "guest" that brokerlab did not create');
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect((await rabbitApi('GET', '/vhosts/bl-guest')).status).toBe(404);
    expect(existsSync(path.join(dir, 'taken'))).toBe(false);
  });

  it('refuses a bad roster with one line and exit 2', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'name\nAlice\nalice\n');
    const r = await cli(['workshop', 'provision', '--learners', bad], adminEnv);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`brokerlab: ${bad}: lines 2 and 3 are both learner "alice"; give one of them another value in a learner column`);
  });
});

describe('learners are confined to their namespace', () => {
  it("RabbitMQ: alice can use her vhost and is refused bob's (and the default one)", async () => {
    const alice = envOf(ALICE);
    // RabbitMQ refuses a vhost at connection.open with 530 NOT_ALLOWED "access ... refused"
    // (403 ACCESS_REFUSED is its answer to a bad login or a resource without permission).
    for (const vhost of [`bl-${BOB}`, '/']) {
      expect(await amqpOpen(alice.BROKERLAB_AMQP_URL!, vhost)).toEqual({ ok: false, code: 530, text: `NOT_ALLOWED - access to vhost '${vhost}' refused for user '${ALICE}'` });
    }
    await expect(amqp.connect(`${alice.BROKERLAB_AMQP_URL}/bl-${BOB}`)).rejects.toThrow(/ConnectionClose/); // what amqplib makes of it
    const connection = await amqp.connect(`${alice.BROKERLAB_AMQP_URL}/bl-${ALICE}`);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue('mine', { durable: false, autoDelete: false });
      channel.sendToQueue('mine', Buffer.from('hello'));
      await expect.poll(async () => (await channel.get('mine', { noAck: true })) !== false).toBe(true);
      await channel.deleteQueue('mine');
    } finally {
      await connection.close();
    }
  });

  it("Kafka: alice produces and consumes in bl-alice.*, cannot read bob's topic (TOPIC_AUTHORIZATION_FAILED) or join bob's group (GROUP_AUTHORIZATION_FAILED)", async () => {
    const alice = kafkaAs(ALICE, envOf(ALICE).BROKERLAB_KAFKA_SASL_PASSWORD!);
    const bob = kafkaAs(BOB, envOf(BOB).BROKERLAB_KAFKA_SASL_PASSWORD!);
    for (const [client, slug] of [[alice, ALICE], [bob, BOB]] as const) {
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `bl-${slug}.notes`, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: `bl-${slug}.notes`, messages: [{ value: `${slug}'s note` }] });
      await producer.disconnect();
    }
    expect(await consumeOne(alice, `bl-${ALICE}.readers`, `bl-${ALICE}.notes`)).toEqual({ value: `${ALICE}'s note` });
    expect((await consumeOne(alice, `bl-${ALICE}.spies`, `bl-${BOB}.notes`)).error).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    const logged: string[] = [];
    const aliceLogged = kafkaAs(ALICE, envOf(ALICE).BROKERLAB_KAFKA_SASL_PASSWORD!, logged);
    expect((await consumeOne(aliceLogged, `bl-${BOB}.readers`, `bl-${ALICE}.notes`)).error).toMatch(/Failed to find group coordinator/);
    expect(logged).toContain('GROUP_AUTHORIZATION_FAILED');
    // Nor create a topic outside her prefix.
    const admin = alice.admin();
    await admin.connect();
    try {
      await expect(admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1 }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' })],
      });
    } finally {
      await admin.disconnect();
    }
  });

  it("Redis: alice may use bl-alice:* keys and channels, and gets NOPERM on bob's", async () => {
    const alice = new Redis(envOf(ALICE).BROKERLAB_REDIS_URL!, { maxRetriesPerRequest: 0 });
    const subscriber = new Redis(envOf(ALICE).BROKERLAB_REDIS_URL!, { maxRetriesPerRequest: 0 });
    const bob = new Redis(envOf(BOB).BROKERLAB_REDIS_URL!, { maxRetriesPerRequest: 0 });
    try {
      await bob.set(`bl-${BOB}:secret`, 'x');
      await alice.set(`bl-${ALICE}:mine`, 'y');
      expect(await alice.get(`bl-${ALICE}:mine`)).toBe('y');
      expect(await alice.publish(`bl-${ALICE}:news`, 'hi')).toBe(0);
      await expect(alice.get(`bl-${BOB}:secret`)).rejects.toThrow(/NOPERM/);
      await expect(alice.set('orders:latest', 'z')).rejects.toThrow(/NOPERM/);
      await expect(alice.publish(`bl-${BOB}:news`, 'hi')).rejects.toThrow(/NOPERM/);
      await expect(subscriber.subscribe(`bl-${BOB}:news`)).rejects.toThrow(/NOPERM/);
      await expect(alice.flushall()).rejects.toThrow(/NOPERM/);
    } finally {
      alice.disconnect();
      subscriber.disconnect();
      bob.disconnect();
    }
  });
});

describe('brokerlab check in shared mode, with the learner env file', () => {
  it.each(firstExercisePerBroker())(
    '%s: the reference passes inside bl-alice and leaves nothing there',
    async (exercise) => {
      const before = await under(ALICE);
      const r = await cli(['check', exercise, '--solution', 'reference', '--quiet'], envOf(ALICE));
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(await under(ALICE)).toEqual(before);
    },
  );
});

describe('workshop teardown', () => {
  it('removes users, vhosts, ACLs, SCRAM users, topics, groups and keys; alice can no longer log in', async () => {
    const alicePassword = envOf(ALICE).BROKERLAB_KAFKA_SASL_PASSWORD!;
    const r = await cli(['workshop', 'teardown', '--state', out], adminEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rabbitmq vhost bl-${ALICE}`);
    expect(r.stdout).toContain(`kafka topic bl-${BOB}.notes`);

    for (const slug of [ALICE, BOB]) {
      expect(await under(slug)).toEqual([]);
      expect((await rabbitApi('GET', `/users/${slug}`)).status).toBe(404);
      expect((await rabbitApi('GET', `/vhosts/bl-${slug}`)).status).toBe(404);
    }
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const users = (await redis.call('ACL', 'USERS')) as string[];
      expect(users).not.toContain(ALICE);
      expect(users).not.toContain(BOB);
    } finally {
      redis.disconnect();
    }
    const admin = kafkaAdmin().admin();
    await admin.connect();
    try {
      const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = (await import('kafkajs')).default;
      const acls = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      expect(acls.resources).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    const alice = kafkaAs(ALICE, alicePassword).admin();
    await expect(alice.connect()).rejects.toThrow(/SASL|authenticat/i);
    await alice.disconnect().catch(() => {});

    expect(existsSync(path.join(out, 'workshop.json'))).toBe(false);
    expect(existsSync(path.join(out, `${ALICE}.env`))).toBe(false);
  });
});

describe('workshop commands', () => {
  it.each(['provision', 'teardown'])('workshop %s has --json and --quiet', async (command) => {
    const r = await cli(['workshop', command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--quiet');
  });
});
