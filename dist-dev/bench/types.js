export const BENCH_BROKERS = ['redis', 'rabbitmq', 'kafka', 'sqs'];
//# sourceMappingURL=types.js.map