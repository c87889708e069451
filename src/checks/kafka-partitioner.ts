/**
 * Which partition a keyed record goes to, as Kafka's clients compute it (pure, no client):
 *
 * - murmur2: the Java client's default partitioner, and kafkajs's DefaultPartitioner:
 *   (murmur2(key bytes) & 0x7fffffff) % partitions.
 * - crc32: librdkafka's default "consistent_random" for keyed records (confluent-kafka in
 *   Python, Go, .NET): crc32(key bytes) % partitions. The same key lands elsewhere than a
 *   Java or kafkajs producer would put it, unless the producer sets partitioner=murmur2_random.
 */

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = seed ^ length;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), what librdkafka's rd_crc32 computes. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The partition the Java client (and kafkajs) puts `key` in. */
export function murmur2Partition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/** The partition librdkafka's default partitioner puts `key` in. */
export function crc32Partition(key: string, partitions: number): number {
  return crc32(Buffer.from(key, 'utf8')) % partitions;
}
