import { expect } from 'chai';
import { givenCounters } from '../../src/counters/resolveCounters.js';
import { registration } from '../../src/hooks/registration/index.js';
import { loadErrors, rulesetOf } from '../helpers/tempRules.js';

const COUNTERS = `counters:
  signupsPerIp:
    key: { var: ipAddress }
    window: 10m
    appliesTo: [self.service.registration]
`;

describe('counters in rule files', () => {
  it('compiles counters, and knows which rules read which counters and which request types count them', async () => {
    const ruleset = await rulesetOf({
      'a.yaml': `${COUNTERS}  perDomain:
    key: { var: emailDomain }
    window: 1h
    count: allowed
    onError: allow
`,
      'b.yaml': `rules:
  - id: ip-limit
    description: d
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIp }, 5] }
    then: { deny: { message: no } }
  - id: domain-limit
    description: d
    appliesTo: [progressive.profile]
    when: { ">": [{ var: counters.perDomain }, 50] }
    then: { deny: { message: no } }
`,
    });
    const ip = ruleset.counters.get('signupsPerIp')!;
    expect(ip).to.include({ windowMs: 600_000, count: 'attempts', onError: 'deny' });
    expect(ruleset.counters.get('perDomain')).to.include({ windowMs: 3_600_000, count: 'allowed', onError: 'allow' });
    expect(ruleset.rules.find((r) => r.id === 'ip-limit')!.counters).to.deep.equal(['signupsPerIp']);
    const uses = (type: 'self.service.registration' | 'progressive.profile') => ruleset.countersFor[type].map((u) => `${u.counter.name}:${u.counted ? 'counted' : 'read'}`);
    expect(uses('self.service.registration')).to.deep.equal(['signupsPerIp:counted', 'perDomain:counted']);
    expect(uses('progressive.profile')).to.deep.equal(['perDomain:counted']); // signupsPerIp neither counts nor is read there
  });

  it('an unknown counter is an error at the var that reads it', async () => {
    const errors = await loadErrors({
      'r.yaml': `${COUNTERS}rules:
  - id: r1
    description: d
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIP }, 5] }
    then: { deny: { message: no } }
  - id: r2
    description: d
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIp }, 5] }
    then: { deny: { message: no } }
`,
    });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ name: 'r.yaml', line: 10 });
    expect(errors[0]!.message).to.equal('unknown counter "signupsPerIP" (known: signupsPerIp)');
  });

  it('a counter no rule reads is an error at its name; so are a bad window, a key that reads counters, and `counters` alone', async () => {
    const errors = await loadErrors({
      'r.yaml': `counters:
  unused:
    key: { var: ipAddress }
    window: 10m
  tooLong:
    key: { var: counters.unused }
    window: 90d
rules:
  - id: r1
    description: d
    appliesTo: [self.service.registration]
    when: { "==": [{ var: counters }, 1] }
    then: { allow: true }
  - id: r2
    description: d
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.tooLong }, 1] }
    then: { allow: true }
`,
    });
    const text = errors.map((e) => `${e.line}:${e.column} ${e.message}`);
    expect(text).to.include.members([
      '2:3 counter "unused" is read by no rule (read it as {var: counters.unused}, or remove it)',
      "6:17 a counter's key cannot read counters",
      '7:13 window "90d": from 1s to 31d',
      '12:27 read a counter by its name: counters.NAME',
    ]);
    expect(text).to.have.length(4); // a read of tooLong is not also "unknown": it is defined, with errors
  });

  it('the schema checks count, onError and window forms', async () => {
    const errors = await loadErrors({
      'r.yaml': `counters:
  c:
    key: { var: ipAddress }
    window: 10 minutes
    count: requests
    onError: retry
`,
    });
    const messages = errors.map((e) => e.message).join('\n');
    expect(messages).to.match(/window/);
    expect(messages).to.match(/count: must be one of "attempts", "allowed"/);
    expect(messages).to.match(/onError: must be one of "deny", "allow", "skip"/);
  });

  it('a key may use in_list and matches: the lists and patterns are those of its ruleset, bound when it compiles', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `lists:
  partners: [partner.example]
counters:
  perIp:
    key: { if: [{ or: [{ in_list: [{ var: emailDomain }, partners] }, { matches: [{ var: email }, "^test-"] }] }, null, { var: ipAddress }] }
    window: 10m
rules:
  - id: limit
    description: d
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.perIp }, 5] }
    then: { deny: { message: no } }
`,
    });
    const request = (email: string) => ({ requestType: 'self.service.registration', data: { userProfile: { email }, context: { request: { ipAddress: '203.0.113.9' } } } }) as never;
    const reading = (email: string) => givenCounters(ruleset, registration.context(request(email))).readings[0]!;
    expect(reading('a@partner.example')).to.include({ key: null, value: 0 }).and.not.have.property('failed');
    expect(reading('test-1@example.com')).to.include({ key: null, value: 0 }).and.not.have.property('failed');
    expect(reading('a@example.com')).to.include({ value: 1 }).and.not.have.property('failed');
    expect(reading('a@example.com').key).to.be.a('string');
  });
});
