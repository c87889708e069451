/**
 * How `status` and `doctor` show a broker of several nodes (the Kafka cluster): one line per
 * node under its row, the active controller marked; a cluster with a node down is degraded.
 */
import { describe, expect, it } from 'vitest';
import { makeColors, statusTable } from '../../src/brokers/format.js';
import type { BrokerStatus } from '../../src/brokers/types.js';
import { brokerFinding } from '../../src/cli/doctor-findings.js';

const plain = makeColors({ NO_COLOR: '1' });
const cluster = (health: BrokerStatus['health'], node2: 'up' | 'paused' | 'down'): BrokerStatus => ({
  name: 'kafka-cluster',
  runtime: 'native',
  url: '127.0.0.1:9101,127.0.0.1:9102,127.0.0.1:9103',
  health,
  detail: 'native, 3 nodes (pids 11, 12, 13), started 09:00 by brokerlab',
  nodes: [
    { id: 1, address: '127.0.0.1:9101', state: 'up', controller: false, detail: 'pid 11' },
    { id: 2, address: '127.0.0.1:9102', state: node2, controller: false, detail: node2 === 'down' ? '' : 'pid 12' },
    { id: 3, address: '127.0.0.1:9103', state: 'up', controller: true, detail: 'pid 13' },
  ],
});

describe('a broker of several nodes', () => {
  it('status: one indented line per node, the active controller marked', () => {
    const lines = statusTable([cluster('healthy', 'up')], plain).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^kafka-cluster {2}127\.0\.0\.1:9101,127\.0\.0\.1:9102,127\.0\.0\.1:9103 {2}healthy {2}native, 3 nodes/);
    expect(lines[2]).toBe('  node 1  127.0.0.1:9101   up      pid 11');
    expect(lines[3]).toBe('  node 2  127.0.0.1:9102   up      pid 12');
    expect(lines[4]).toBe('  node 3  127.0.0.1:9103   up      pid 13  active controller');
  });

  it('status: a paused or a down node says so', () => {
    expect(statusTable([cluster('degraded', 'paused')], plain)).toContain('  node 2  127.0.0.1:9102   paused  pid 12');
    expect(statusTable([cluster('degraded', 'down')], plain).split('\n')[3]).toBe('  node 2  127.0.0.1:9102   down');
  });

  it('doctor: a degraded cluster is a warning naming the node, fixed by `brokerlab up`', () => {
    const finding = brokerFinding(cluster('degraded', 'down'), { label: 'Kafka cluster', externalEnv: 'BROKERLAB_KAFKA_CLUSTER_BROKERS', externalExample: '' }, false, []);
    expect(finding).toMatchObject({ level: 'warning', fix: 'brokerlab up kafka-cluster' });
    expect(finding.message).toContain('node 2 down');
  });
});
