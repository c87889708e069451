/**
 * Week 3: an event chain, order -> payment -> shipping. Read README.md in this folder first.
 * Grade this file with:  brokerlab check event-chain
 *
 * This one file is all three services: the lab starts it three times, and each copy gets its
 * part in ROLE (config.role).
 */
import amqp from 'amqplib';
import { type Order, type OrderPaid, type OrderPlaced, charge, config, ship } from './shop.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

if (config.role === 'order-service') {
  await channel.assertQueue(config.ordersQueue, { durable: true });
  await channel.consume(config.ordersQueue, (message) => {
    if (message === null) return;
    const order = JSON.parse(message.content.toString()) as Order;
    // TODO 1: emit an "order.placed" event for the payment service (config.paymentsQueue),
    //         carrying the order's correlationId.
    console.log('order placed', order.orderId);
    channel.ack(message);
  });
} else if (config.role === 'payment-service') {
  await channel.assertQueue(config.paymentsQueue, { durable: true });
  await channel.consume(config.paymentsQueue, (message) => {
    if (message === null) return;
    const placed = JSON.parse(message.content.toString()) as OrderPlaced;
    // TODO 2: charge it with charge({...}) (an idempotency key of the order's own); when it
    //         went through, emit "order.paid" for the shipping service (config.shippingQueue);
    //         when the card was declined, emit "order.failed" on config.orderStatusQueue.
    //         Acknowledge the message only once that is done: the lab kills this service
    //         in the middle of a charge.
    console.log('to charge', placed.orderId);
    void charge;
    channel.ack(message);
  });
} else if (config.role === 'shipping-service') {
  await channel.assertQueue(config.shippingQueue, { durable: true });
  await channel.consume(config.shippingQueue, (message) => {
    if (message === null) return;
    const paid = JSON.parse(message.content.toString()) as OrderPaid;
    // TODO 3: book the shipment with ship({...}), then emit "order.shipped" on
    //         config.orderStatusQueue.
    console.log('to ship', paid.orderId);
    void ship;
    channel.ack(message);
  });
} else {
  throw new Error(`ROLE must be order-service, payment-service or shipping-service, got "${config.role}"`);
}
