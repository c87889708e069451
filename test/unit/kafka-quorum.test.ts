/**
 * The hand-made DescribeQuorum request (brokers/kafka-quorum.ts) against bytes a Kafka 3.9
 * controller sent back (captured from the lab's cluster, node 1 leading).
 */
import { describe, expect, it } from 'vitest';
import { describeQuorumRequest, leaderFromResponse } from '../../src/brokers/kafka-quorum.js';

const CAPTURED =
  '0000000100000002135f5f636c75737465725f6d65746164617461020000000000000000000100000001000000000000001e0400000001000000000000001e0000000002000000000000001e0000000003000000000000001e0001000000';

describe('DescribeQuorum', () => {
  it('asks for partition 0 of __cluster_metadata, version 0, with its size in front', () => {
    const request = describeQuorumRequest(7, 'x');
    expect(request.readInt32BE(0)).toBe(request.length - 4);
    expect(request.readInt16BE(4)).toBe(55);
    expect(request.readInt16BE(6)).toBe(0);
    expect(request.readInt32BE(8)).toBe(7);
    expect(request.toString('latin1')).toContain('__cluster_metadata');
  });

  it('reads the leader id from the answer', () => {
    expect(leaderFromResponse(Buffer.from(CAPTURED, 'hex'))).toBe(1);
  });

  it('says nothing while the quorum has no leader (an error code, or leader -1)', () => {
    const withError = Buffer.from(CAPTURED, 'hex');
    // The partition's error code sits after correlation id, tags, error, topics, name, partitions, index.
    const partitionError = 4 + 1 + 2 + 1 + 1 + 18 + 1 + 4;
    withError.writeInt16BE(6, partitionError);
    expect(leaderFromResponse(withError)).toBeUndefined();
    const noLeader = Buffer.from(CAPTURED, 'hex');
    noLeader.writeInt32BE(-1, partitionError + 2);
    expect(leaderFromResponse(noLeader)).toBeUndefined();
  });
});
