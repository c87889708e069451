/** Brokers a network fault can stand between (Kafka's clients would bypass a proxy: its
 *  brokers advertise their own address). */
export const PROXIED_BROKERS = ['redis', 'rabbitmq', 'postgres'];
//# sourceMappingURL=types.js.map