/** What a run may have left in the brokers: every name under the run namespace prefix "bl-". */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';

const PREFIX = 'bl-';

export async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    found.push(...(await redis.keys(`${PREFIX}*`)).map((k) => `redis key ${k}`));
  } finally {
    redis.disconnect();
  }
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  const vhosts = (await (await fetch('http://127.0.0.1:15672/api/vhosts', { headers: { authorization: auth } })).json()) as Array<{ name: string }>;
  found.push(...vhosts.filter((v) => v.name.startsWith(PREFIX)).map((v) => `rabbitmq vhost ${v.name}`));
  const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    found.push(...(await admin.listTopics()).filter((t) => t.startsWith(PREFIX)).map((t) => `kafka topic ${t}`));
    found.push(...(await admin.listGroups()).groups.filter((g) => g.groupId.startsWith(PREFIX)).map((g) => `kafka group ${g.groupId}`));
  } finally {
    await admin.disconnect();
  }
  return found;
}
