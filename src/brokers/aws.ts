/**
 * How the lab's own AWS SDK clients (SQS on ElasticMQ, SNS and its queues on moto) are set up:
 * one place for what every one of them needs.
 */

/** The options of an SQS or SNS client of the lab's: the emulator's endpoint and region,
 *  `maxAttempts` tries per request, and placeholder credentials (the emulators accept any;
 *  real ones from the environment win, for a real AWS). */
export function labAwsClientConfig(endpoint: { endpoint: string; region: string }, maxAttempts: number) {
  // The SDK warns on every process that Node 20 support ends in 2027; brokerlab pins Node 20
  // deliberately, and the warning would land in the middle of the CLI's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    maxAttempts,
    ...(process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'brokerlab', secretAccessKey: 'brokerlab' } }),
  };
}
