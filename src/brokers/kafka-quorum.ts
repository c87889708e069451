/**
 * Which node of a KRaft cluster is the active controller (the leader of the metadata quorum).
 * Clients cannot tell from metadata: in KRaft mode a Metadata response names a random live
 * broker as "controller". The quorum's own answer is DescribeQuorum (API key 55), which kafkajs
 * does not speak, so this sends that one request by hand (version 0, the flexible encoding)
 * to a controller listener and reads the leader's id out of the answer.
 */
import { Socket } from 'node:net';

const DESCRIBE_QUORUM = 55;
const METADATA_TOPIC = '__cluster_metadata';

function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** The request, size prefix included (exported for the unit test). */
export function describeQuorumRequest(correlationId: number, clientId = 'brokerlab'): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(DESCRIBE_QUORUM, 0);
  header.writeInt16BE(0, 2); // version 0
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(Buffer.byteLength(clientId), 8);
  const topic = Buffer.from(METADATA_TOPIC);
  const partition = Buffer.alloc(4); // partition_index 0
  const body = Buffer.concat([
    Buffer.from(clientId),
    uvarint(0), // header's tagged fields
    uvarint(2), // topics: one (compact arrays store length + 1)
    uvarint(topic.length + 1),
    topic,
    uvarint(2), // partitions: one
    partition,
    uvarint(0), // partition's tagged fields
    uvarint(0), // topic's tagged fields
    uvarint(0), // request's tagged fields
  ]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}

/** The leader's id from a DescribeQuorum v0 response (without its size prefix). */
export function leaderFromResponse(response: Buffer): number | undefined {
  let at = 4; // correlation id
  const readUvarint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = response.readUInt8(at++);
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  const skipTags = (): void => {
    for (let tags = readUvarint(); tags > 0; tags--) {
      readUvarint();
      const size = readUvarint();
      at += size;
    }
  };
  skipTags(); // response header v1
  if (response.readInt16BE(at) !== 0) return undefined; // top-level error
  at += 2;
  if (readUvarint() < 2) return undefined; // no topics
  const nameLength = readUvarint() - 1; // read before moving on: `at += readUvarint()` would lose the varint's own byte
  at += nameLength;
  if (readUvarint() < 2) return undefined; // no partitions
  at += 4; // partition index
  if (response.readInt16BE(at) !== 0) return undefined; // e.g. NOT_LEADER while electing
  at += 2;
  const leader = response.readInt32BE(at);
  return leader >= 0 ? leader : undefined;
}

/** Asks one controller listener (host:port) for the quorum's leader. */
export function askQuorumLeader(address: string, timeoutMs: number): Promise<number | undefined> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const done = (leader: number | undefined): void => {
      socket.destroy();
      resolve(leader);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      try {
        done(leaderFromResponse(received.subarray(4, 4 + size)));
      } catch {
        done(undefined);
      }
    });
    socket.connect(port, host, () => socket.write(describeQuorumRequest(1)));
  });
}

/** The quorum's leader as the first controller that answers tells it, or undefined. */
export async function quorumLeader(controllers: readonly string[], timeoutMs: number): Promise<number | undefined> {
  const answers = await Promise.all(controllers.map((address) => askQuorumLeader(address, timeoutMs)));
  return answers.find((leader) => leader !== undefined);
}
