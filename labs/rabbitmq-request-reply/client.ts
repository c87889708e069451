/**
 * Week 1: request-reply with correlation ids.
 * Read README.md in this folder first.
 * Grade this file with:  brokerlab check rabbitmq-request-reply
 */
import amqp from 'amqplib';
import { type Question, config, reportAnswer } from './pricing.js';

const connection = await amqp.connect(config.amqpUrl);
const channel = await connection.createChannel();

// TODO 1: create this copy's own reply queue and start consuming it. Match every reply to
//         the request it answers by message.properties.correlationId.

// TODO 2: take many questions at once: they are callers waiting, not a to-do list.

await channel.consume(config.questionsQueue, async (message) => {
  if (message === null) return;
  const question = JSON.parse(message.content.toString()) as Question;
  // TODO 3: send {"sku": question.sku} to config.priceRequests with replyTo and a unique
  //         correlationId; wait at most config.deadlineMs for the reply; then report
  //         { questionId, price } or { questionId, timedOut: true } with reportAnswer, and
  //         ack the question.
  console.log('question', question.questionId, 'about', question.sku);
  void reportAnswer;
});
