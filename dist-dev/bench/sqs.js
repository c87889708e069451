/** SendMessageBatch and ReceiveMessage take at most 10 messages. */
export const SQS_BATCH = 10;
/**
 * Receivers polling at once. One receiver alternates ReceiveMessage and DeleteMessageBatch,
 * two round trips per 10 messages, and would cap every variant at that; several keep the
 * queue drained, as several consumer threads would.
 */
const RECEIVERS = 4;
/** Long-poll wait; also bounds how long stop() takes. */
const WAIT_SECONDS = 1;
const VARIANTS = [
    { id: 'one-by-one', label: 'SendMessage, one message per request', batch: 1 },
    { id: `batch${SQS_BATCH}`, label: `SendMessageBatch, ${SQS_BATCH} messages per request`, batch: SQS_BATCH },
];
function client(sdk, endpoint) {
    // Same reason as the broker probe: brokerlab pins Node 20 on purpose; the SDK's warning
    // about it would land in the middle of the bench's output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    return new sdk.SQSClient({
        endpoint: endpoint.endpoint,
        region: endpoint.region,
        maxAttempts: 3,
        // ElasticMQ accepts any credentials; real ones from the environment win for a real SQS.
        ...(process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'brokerlab', secretAccessKey: 'brokerlab' } }),
    });
}
export const sqsBench = {
    name: 'sqs',
    label: 'SQS (ElasticMQ)',
    client: '@aws-sdk/client-sqs',
    variants: VARIANTS,
    defaultMessages: 2_000,
    async open(endpoint, namespace) {
        // Loaded when a bench runs, not at start-up: every brokerlab command imports this module.
        const sdk = await import('@aws-sdk/client-sqs');
        const sqs = client(sdk, endpoint);
        let closed = false;
        return {
            async start(variant, size, onDelivered) {
                const { QueueUrl: queueUrl } = await sqs.send(new sdk.CreateQueueCommand({ QueueName: `${namespace}-${variant.id}-${size}`, Attributes: { VisibilityTimeout: '60' } }));
                if (!queueUrl)
                    throw new Error('CreateQueue returned no queue URL');
                let receiving = onDelivered !== undefined;
                const receive = async () => {
                    while (receiving) {
                        const { Messages: messages = [] } = await sqs.send(new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: SQS_BATCH, WaitTimeSeconds: WAIT_SECONDS }));
                        for (const message of messages)
                            if (message.Body !== undefined)
                                onDelivered?.(message.Body);
                        if (messages.length > 0) {
                            await sqs.send(new sdk.DeleteMessageBatchCommand({
                                QueueUrl: queueUrl,
                                Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
                            }));
                        }
                    }
                };
                // A receiver that fails shows up as lost messages.
                const receivers = onDelivered ? Array.from({ length: RECEIVERS }, () => receive().catch(() => { })) : [];
                return {
                    async send(payloads) {
                        if (payloads.length === 1) {
                            await sqs.send(new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: payloads[0].toString('latin1') }));
                            return;
                        }
                        const result = await sqs.send(new sdk.SendMessageBatchCommand({
                            QueueUrl: queueUrl,
                            Entries: payloads.map((payload, i) => ({ Id: String(i), MessageBody: payload.toString('latin1') })),
                        }));
                        if (result.Failed && result.Failed.length > 0)
                            throw new Error(`SendMessageBatch failed: ${result.Failed[0]?.Message ?? 'unknown'}`);
                    },
                    async flush() { },
                    async stop() {
                        receiving = false;
                        await Promise.all(receivers);
                    },
                };
            },
            async close() {
                if (closed)
                    return;
                closed = true;
                try {
                    const { QueueUrls: urls = [] } = await sqs.send(new sdk.ListQueuesCommand({ QueueNamePrefix: namespace }));
                    for (const url of urls)
                        await sqs.send(new sdk.DeleteQueueCommand({ QueueUrl: url }));
                }
                finally {
                    sqs.destroy();
                }
            },
        };
    },
};
//# sourceMappingURL=sqs.js.map