/**
 * A learner's HTTP service (the keyed producer, replication, the quorum queue): the port the
 * lab hands over in PORT, and whether the service answers GET /health with 200 yet.
 */
import { createServer } from 'node:net';

/** A TCP port nobody listens on now, picked by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True once GET <url>/health answers 200 (within 1 s); false for anything else. */
export async function answersHealth(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })).status === 200;
  } catch {
    return false;
  }
}
