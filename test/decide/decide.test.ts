import { expect } from 'chai';
import { memoryRuntime } from '../../src/counters/counterRuntime.js';
import { stateConfigFromEnv } from '../../src/counters/stateConfig.js';
import { decide } from '../../src/decide/index.js';
import { registration } from '../../src/hooks/registration/index.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { rulesetOf } from '../helpers/tempRules.js';

const RULES = `
counters:
  signupsPerIp:
    key: { var: ipAddress }
    window: 1h
rules:
  - id: burst
    description: More than two sign-ups from one address are refused.
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIp }, 2] }
    then: { deny: { message: Too many sign-ups. } }
`;

const request = (eventId: string, ip?: string): OktaHookRequest => ({
  eventId,
  requestType: 'self.service.registration',
  data: { context: ip ? { request: { ipAddress: ip } } : {}, userProfile: { email: 'jo@example.com' } },
});

describe('decide: modes and the stage contract', () => {
  const sources = () => ({ counters: memoryRuntime(stateConfigFromEnv({}, false, [])), deadlineMs: 2_000 });

  it('live counts, peek reads without counting, given takes the values it is given', async () => {
    const ruleset = await rulesetOf({ 'r.yaml': RULES });
    const live = { kind: 'live', sources: sources(), onRuleError: 'deny' } as const;
    const peek = { kind: 'peek', sources: live.sources, onRuleError: 'deny' } as const;
    for (const id of ['e1', 'e2']) await decide(registration, request(id, '192.0.2.1'), ruleset, live);
    // Peeking twice as a third request: 3 each time (this one included), nothing recorded.
    for (let i = 0; i < 2; i++) expect((await decide(registration, request('e3', '192.0.2.1'), ruleset, peek)).counters[0]!.value).to.equal(3);
    const third = await decide(registration, request('e3', '192.0.2.1'), ruleset, live);
    expect(third.counters[0]!.value).to.equal(3);
    expect(third.answer.decision.outcome).to.equal('deny');
    const given = decide(registration, request('e4', '192.0.2.1'), ruleset, { kind: 'given', given: { counters: { signupsPerIp: 1 } }, onRuleError: 'deny' });
    if (given instanceof Promise) throw new Error('given values are answered at once');
    expect(given.answer.decision.outcome).to.equal('allow');
  });

  it('answers at once, without a promise, when no counter needs the store (a null key)', async () => {
    const ruleset = await rulesetOf({ 'r.yaml': RULES });
    const decided = decide(registration, request('e1'), ruleset, { kind: 'live', sources: sources(), onRuleError: 'deny' });
    expect(decided).to.not.be.instanceOf(Promise);
  });

  it('builds the context once, frozen: the stages and the engine leave it as it was', async () => {
    const ruleset = await rulesetOf({ 'r.yaml': RULES });
    const decided = await decide(registration, request('e1', '192.0.2.9'), ruleset, { kind: 'live', sources: sources(), onRuleError: 'deny' });
    expect(Object.isFrozen(decided.context)).to.equal(true);
    expect(Object.isFrozen(decided.context.data)).to.equal(true);
    expect(decided.context.data).to.not.have.property('counters');
    expect(decided.context).to.include({ type: 'self.service.registration', eventId: 'e1' });
  });
});
