/**
 * A second Kafka for tests that need authentication: the vendored jars, KRaft, one node, on
 * free ports, with a SASL_PLAINTEXT listener (SCRAM-SHA-256), the StandardAuthorizer and
 * allow.everyone.if.no.acl.found=false, i.e. what a workshop's shared cluster looks like.
 * The admin's SCRAM credential is written at format time. Data in a temporary folder; the
 * broker runs in a process group of its own, killed as a whole by stop().
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_SHARED_SETTINGS } from '../../src/brokers/kafka.js';
import { vendorDir, versions } from '../../src/brokers/versions.js';

export const ADMIN = { username: 'admin', password: 'admin-secret' } as const;

export interface SecureKafka {
  brokers: string[];
  /** The external runtime's variables for the admin (provision/teardown read these). */
  adminEnv: Record<string, string>;
  /** How long it took from spawn to an authenticated describeCluster. */
  startMs: number;
  logFile: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startSecureKafka(): Promise<SecureKafka> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'brokerlab-secure-kafka-'));
  const lib = path.join(vendorDir(), `kafka-${versions().kafka}`, 'lib');
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${ADMIN.username}" password="${ADMIN.password}";`;
  const settings: Record<string, string> = {
    ...KAFKA_SHARED_SETTINGS,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SASL_PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256',
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': jaas,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    // The controller listener stays PLAINTEXT (loopback only), so the broker reaches the
    // controller as ANONYMOUS, which therefore needs the cluster actions a super user has.
    'super.users': `User:${ADMIN.username};User:ANONYMOUS`,
    'allow.everyone.if.no.acl.found': 'false',
    'log.dirs': path.join(dir, 'data'),
  };
  const properties = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j.properties');
  writeFileSync(properties, Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  writeFileSync(log4j, ['log4j.rootLogger=WARN, stdout', 'log4j.appender.stdout=org.apache.log4j.ConsoleAppender', 'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout', 'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n', ''].join('\n'));
  const classpath = ['-cp', `${lib}/*`];
  const log4jFlag = `-Dlog4j.configuration=file:${log4j}`;

  const started = Date.now();
  // A cluster id that starts with "-" would be read by StorageTool as an option.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  execFileSync('java', ['-Xmx256m', log4jFlag, ...classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties, '--add-scram', `SCRAM-SHA-256=[name=${ADMIN.username},password=${ADMIN.password}]`], { stdio: 'pipe' });
  const logFile = path.join(dir, 'server.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn('java', ['-Xms256m', '-Xmx384m', '-XX:+UseSerialGC', log4jFlag, ...classpath, 'kafka.Kafka', properties], {
    detached: true, // its own process group: stop() kills all of it
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(10_000)]);
    rmSync(dir, { recursive: true, force: true });
  };

  const brokers = [`127.0.0.1:${port}`];
  const admin = new Kafka({ brokers, sasl: { mechanism: 'scram-sha-256', ...ADMIN }, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2_000 }).admin();
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      break;
    } catch (error) {
      await admin.disconnect().catch(() => {});
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`the secured Kafka did not start: ${String(error)} (log: ${logFile})`);
      }
      await sleep(250);
    }
  }
  return {
    brokers,
    adminEnv: {
      BROKERLAB_KAFKA_BROKERS: brokers.join(','),
      BROKERLAB_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      BROKERLAB_KAFKA_SASL_USERNAME: ADMIN.username,
      BROKERLAB_KAFKA_SASL_PASSWORD: ADMIN.password,
    },
    startMs: Date.now() - started,
    logFile,
    stop,
  };
}
