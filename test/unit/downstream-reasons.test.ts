// The reasons the lab's services give when they refuse a call as malformed (400): pure, and
// what the learner reads in the examples.
import { describe, expect, it } from 'vitest';
import { changedFieldsProblem, whichCopyProblem } from '../../src/runner/downstream.js';

describe('reasons for a 400', () => {
  it('names the fields a call changed, with what it sent', () => {
    expect(changedFieldsProblem({ to: '0046701', text: 'hi' }, { to: '+46701', text: 'hi' }, ['to', 'text'], "the message's")).toBe(
      'send the message\'s "to" and "text" unchanged (got {"to":"0046701","text":"hi"})',
    );
    expect(changedFieldsProblem({ amountCents: 5 }, { amountCents: 5, currency: 'EUR' }, ['amountCents', 'currency'], 'its')).toBe('send its "amountCents" and "currency" unchanged (got {"amountCents":5,"currency":null})');
    expect(changedFieldsProblem({ to: '+46701', text: 'hi', extra: 1 }, { to: '+46701', text: 'hi' }, ['to', 'text'], "the message's")).toBeUndefined();
  });

  it('asks a call to say which copy made it', () => {
    expect(whichCopyProblem({}, 2)).toBe('no x-instance-id header: say which copy you are (INSTANCE_ID)');
    expect(whichCopyProblem({ 'x-instance-id': '3' }, 2)).toBe('x-instance-id is "3", not one of 1, 2 (INSTANCE_ID)');
    expect(whichCopyProblem({ 'x-instance-id': '2' }, 2)).toBeUndefined();
  });
});
