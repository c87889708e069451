/**
 * compose/docker-compose.yml must stay in step with the native runtime: same host ports as
 * ports.ts, one profile per broker, pinned images (versions.env where it applies), and the
 * settings the native runtime writes into its config files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KAFKA_CLUSTER_ID, KAFKA_HEAP, KAFKA_SHARED_SETTINGS } from '../../src/brokers/kafka.js';
import { portsOf } from '../../src/brokers/ports.js';
import { POSTGRES_SHARED_SETTINGS } from '../../src/brokers/postgres.js';
import { prometheusArgs, prometheusConfig } from '../../src/brokers/prometheus.js';
import { RABBITMQ_PLUGINS, RABBITMQ_SHARED_CONF } from '../../src/brokers/rabbitmq.js';
import { elasticmqConf } from '../../src/brokers/sqs.js';
import { BROKER_NAMES } from '../../src/brokers/types.js';
import { RABBITMQ_CLUSTER_NODE_IDS, rabbitmqClusterConf, rabbitmqClusterNodeName } from '../../src/brokers/rabbitmq-cluster.js';
import { KAFKA_CLUSTER_CLUSTER_ID, KAFKA_CLUSTER_HEAP, KAFKA_CLUSTER_JVM, KAFKA_CLUSTER_NODE_IDS, KAFKA_CLUSTER_SHARED_SETTINGS, clusterNodeSettings } from '../../src/brokers/kafka-cluster.js';
import { BROKERS } from '../../src/brokers/registry.js';
import { composeServices } from '../../src/brokers/runtimes/compose.js';
import { repoRoot, versions } from '../../src/brokers/versions.js';

interface Service {
  profiles?: string[];
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  network_mode?: string;
  volumes?: string[];
  healthcheck?: { test: string[] };
  configs?: { source: string; target: string }[];
}
interface ComposeFile {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
}

const compose = parse(readFileSync(join(repoRoot(), 'compose', 'docker-compose.yml'), 'utf8')) as ComposeFile;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};
/** "127.0.0.1:9092:9092" -> { host: "127.0.0.1", published: 9092, target: 9092 } */
const mapping = (port: string) => {
  const [host, published, target] = port.split(':');
  return { host, published: Number(published), target: Number(target) };
};
/** Config text without comment lines, whitespace collapsed. */
const squash = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('compose/docker-compose.yml', () => {
  it('has exactly one service per broker (one per node of the cluster), each in a profile named like the broker, with a healthcheck', () => {
    const expected = BROKER_NAMES.flatMap((name) => composeServices(BROKERS[name]));
    expect(expected).toContain('kafka-cluster-3');
    expect(Object.keys(compose.services).sort()).toEqual(expected.sort());
    for (const name of BROKER_NAMES) {
      for (const svc of composeServices(BROKERS[name])) {
        expect(service(svc).profiles).toEqual([name]);
        expect(service(svc).healthcheck?.test.length).toBeGreaterThan(0);
      }
    }
  });

  it('runs the cluster on the host network with the native nodes\' settings, cluster id, heap and ports', () => {
    for (const id of KAFKA_CLUSTER_NODE_IDS) {
      const svc = service(`kafka-cluster-${id}`);
      expect(svc.network_mode).toBe('host');
      expect(svc.image).toBe(`apache/kafka:${versions().kafka}`);
      const env = svc.environment ?? {};
      for (const [key, value] of Object.entries({ ...KAFKA_CLUSTER_SHARED_SETTINGS, ...clusterNodeSettings(id) })) {
        expect(env[`KAFKA_${key.toUpperCase().replaceAll('.', '_')}`], `node ${id} ${key}`).toBe(value);
      }
      expect(env.CLUSTER_ID).toBe(KAFKA_CLUSTER_CLUSTER_ID);
      expect(env.KAFKA_HEAP_OPTS).toBe(KAFKA_CLUSTER_HEAP.join(' '));
      expect(env.KAFKA_JVM_PERFORMANCE_OPTS).toBe(KAFKA_CLUSTER_JVM.join(' '));
      expect(env.KAFKA_LISTENERS).toBe(`PLAINTEXT://127.0.0.1:${9100 + id},CONTROLLER://127.0.0.1:${9110 + id}`);
    }
  });

  it('runs the RabbitMQ cluster on the host network with the native nodes\' names, ports and config', () => {
    const confs = compose.configs as Record<string, { content: string }>;
    for (const id of RABBITMQ_CLUSTER_NODE_IDS) {
      const svc = service(`rabbitmq-cluster-${id}`);
      expect(svc.network_mode).toBe('host');
      expect(svc.image).toBe(service('rabbitmq').image);
      expect(svc.environment?.RABBITMQ_NODENAME).toBe(rabbitmqClusterNodeName(id));
      expect(svc.environment?.RABBITMQ_DIST_PORT).toBe(String(25_680 + id));
      const target = (svc.configs ?? []).find((c) => c.target === '/etc/rabbitmq/conf.d/90-brokerlab.conf');
      const content = confs[target?.source ?? '']?.content ?? '';
      for (const line of rabbitmqClusterConf(id).split('\n').filter((l) => l && !l.startsWith('#'))) expect(content, `node ${id}`).toContain(line);
    }
  });

  it('publishes the same ports as ports.ts, on 127.0.0.1 only', () => {
    for (const name of BROKER_NAMES) {
      if (name === 'kafka-cluster' || name === 'rabbitmq-cluster') continue; // the host's network (above)
      const svc = service(name);
      if (svc.network_mode === 'host') {
        // toxiproxy and Prometheus share the host's network: no mappings, the port is on the command line.
        expect(['toxiproxy', 'prometheus']).toContain(name);
        expect(svc.ports).toBeUndefined();
        if (name === 'toxiproxy') expect(svc.command).toEqual(['-host=127.0.0.1', `-port=${portsOf(name)[0]}`]);
        else expect(svc.command).toContain(`--web.listen-address=127.0.0.1:${portsOf(name)[0]}`);
        continue;
      }
      const ports = (svc.ports ?? []).map(mapping);
      expect(ports.every((p) => p.host === '127.0.0.1'), `${name} binds 127.0.0.1`).toBe(true);
      expect(ports.every((p) => p.published === p.target), `${name} keeps container ports`).toBe(true);
      expect(ports.map((p) => p.published).sort()).toEqual([...portsOf(name)].sort());
    }
  });

  it('pins every image, and uses versions.env for Kafka, ElasticMQ and toxiproxy', () => {
    for (const name of BROKER_NAMES.filter((n) => n !== 'kafka-cluster' && n !== 'rabbitmq-cluster')) {
      const image = service(name).image;
      const tag = image.split(':')[1];
      expect(tag, `${name} image ${image} has a tag`).toBeTruthy();
      expect(tag).not.toBe('latest');
    }
    const v = versions();
    expect(service('kafka').image).toBe(`apache/kafka:${v.kafka}`);
    expect(service('sqs').image).toMatch(new RegExp(`^softwaremill/elasticmq(-native)?:${v.elasticmq.replaceAll('.', '\\.')}$`));
    expect(service('sns').image).toBe(`motoserver/moto:${v.moto}`);
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v2\.42\.0$/);
    expect(service('toxiproxy').image).toMatch(/^golang:\d+\.\d+-bookworm$/);
    // The Pub/Sub emulator is built from tools/pubsub-emulator, whose go.mod pins pstest's module.
    expect(service('pubsub').image).toMatch(/^golang:\d+\.\d+-bookworm$/);
    expect(readFileSync(join(repoRoot(), 'tools', 'pubsub-emulator', 'go.mod'), 'utf8')).toContain(`cloud.google.com/go/pubsub/v2 ${v.pubsub}`);
    expect(JSON.stringify(service('toxiproxy').entrypoint)).toContain(`github.com/Shopify/toxiproxy/v2/cmd/server@${v.toxiproxy}`);
    expect(service('redis').image).toBe('redis:7.0');
    expect(service('postgres').image).toBe('postgres:15');
    expect(service('rabbitmq').image).toMatch(/^rabbitmq:3\.10(\.\d+)?-management$/);
  });

  it('gives Kafka the native server.properties settings, cluster id and heap', () => {
    const env = service('kafka').environment ?? {};
    for (const [key, value] of Object.entries(KAFKA_SHARED_SETTINGS)) {
      expect(env[`KAFKA_${key.toUpperCase().replaceAll('.', '_')}`], key).toBe(value);
    }
    expect(env.CLUSTER_ID).toBe(KAFKA_CLUSTER_ID);
    expect(env.KAFKA_HEAP_OPTS).toBe(KAFKA_HEAP.join(' '));
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://127.0.0.1:9092,PROXIED://127.0.0.1:9095');
  });

  it('gives RabbitMQ the same plugins and shared config lines', () => {
    const targets = Object.fromEntries((service('rabbitmq').configs ?? []).map((c) => [c.target, c.source]));
    const plugins = compose.configs[targets['/etc/rabbitmq/enabled_plugins']!]!.content;
    expect(plugins.trim()).toBe(`[${RABBITMQ_PLUGINS.join(',')}].`);
    const conf = compose.configs[targets['/etc/rabbitmq/conf.d/90-brokerlab.conf']!]!.content;
    for (const line of RABBITMQ_SHARED_CONF) expect(conf).toContain(line);
  });

  it('gives ElasticMQ the native config, bound to every interface inside the container', () => {
    const [config] = service('sqs').configs ?? [];
    expect(config?.target).toBe('/opt/elasticmq.conf');
    expect(squash(compose.configs[config!.source]!.content)).toBe(squash(elasticmqConf('0.0.0.0')));
  });

  it('gives Prometheus the native config and flags, with the targets folder mounted', () => {
    const [config] = service('prometheus').configs ?? [];
    expect(config?.target).toBe('/etc/prometheus/prometheus.yml');
    expect(compose.configs[config!.source]!.content).toBe(prometheusConfig('/etc/prometheus/targets'));
    expect(service('prometheus').command).toEqual(prometheusArgs('/etc/prometheus/prometheus.yml', '/prometheus'));
    expect(service('prometheus').volumes).toEqual(['${BROKERLAB_HOME:-~/.brokerlab}/prometheus-targets:/etc/prometheus/targets:ro']);
  });

  it('gives PostgreSQL the shared settings and trust auth', () => {
    const command = service('postgres').command ?? [];
    for (const [key, value] of Object.entries(POSTGRES_SHARED_SETTINGS)) expect(command).toContain(`${key}=${value}`);
    expect(service('postgres').environment?.POSTGRES_HOST_AUTH_METHOD).toBe('trust');
  });
});
