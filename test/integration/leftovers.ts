/** What runs may have left in the test's brokers: every name under "bl-" (namespaces/sweep.ts). */
import { rabbitmq } from '../../src/brokers/rabbitmq.js';
import { leftovers as leftoversIn } from '../../src/namespaces/sweep.js';

export async function leftovers(): Promise<string[]> {
  return leftoversIn({ redis: { url: 'redis://127.0.0.1:6379' }, rabbitmq: rabbitmq.defaultEndpoint, kafka: { brokers: ['127.0.0.1:9092'] } });
}
