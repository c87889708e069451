/**
 * What the rest of brokerlab knows about brokers: their names, where they listen, and how
 * they were started. Each broker is one module in this folder; each runtime (native,
 * compose, external) is one module in ./runtimes. The runner only ever sees `Endpoints`.
 */
/** Every broker (and helper service) brokerlab can run. Order = start order for `up`. */
export const BROKER_NAMES = ['redis', 'rabbitmq', 'kafka', 'sqs', 'postgres', 'toxiproxy'];
//# sourceMappingURL=types.js.map