import { expect } from 'chai';
import { GENERIC_DENY_MESSAGE } from '../../src/okta/denyMessages.js';
import { ppRequest, ssrRequest } from '../helpers/fixtures.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';

// A rule that throws while a request is decided: the outcome follows ON_RULE_ERROR (deny by
// default, with the generic message; or skip the rule), the failure is logged without
// personal data, and the answer is still a valid Okta answer.

const RULES = `
defaults:
  self.service.registration: allow
rules:
  - id: profile-from-list
    description: updateFrom must return an object; this returns a list, so the rule throws
    appliesTo: [self.service.registration]
    when: { "==": [{ var: submitted.nickName }, "list"] }
    then: { allow: true, updateFrom: { merge: [1, 2] } }
  - id: echo-extra
    description: echoes submitted.extra; a nested object or a password there makes it throw
    appliesTo: [self.service.registration]
    when: true
    then: { allow: true, updateFrom: { var: submitted.extra } }
  - id: deny-evil
    description: a later rule that still decides when the failing rules are skipped
    appliesTo: [self.service.registration]
    when: { "==": [{ var: emailDomain }, evil.org] }
    then: { deny: { message: Not from evil.org. } }
`;

const PERSON = { email: 'ada.lovelace@example.com', firstName: 'Ada', lastName: 'Lovelace', nickName: 'list' };
// Case-sensitive "Ada": a lowercase "ada" turns up in random hex ids (decision ids, versions).
const PII = /lovelace|Ada/;

function body(profile: Record<string, unknown>): string {
  return JSON.stringify(ssrRequest(profile));
}

describe('fail-safe evaluation: a rule that throws, ON_RULE_ERROR=deny (the default)', function () {
  this.timeout(30_000);
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer({}, { 'r.yaml': RULES });
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it('denies with the generic message, decided by the failing rule, and says so only to admins', async () => {
    const before = hostile.server.logs.lines.length;
    const answer = JSON.parse((await hostile.expectAnswer(body(PERSON), 200)).text);
    expect(answer.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
    expect(answer.error).to.deep.equal({
      errorSummary: GENERIC_DENY_MESSAGE['self.service.registration'],
      errorCauses: [{ errorSummary: GENERIC_DENY_MESSAGE['self.service.registration'], reason: 'REGISTRATION_DENIED', locationType: 'body', domain: 'end-user' }],
    });
    // What the end user sees names no rule and no exception; Okta's System Log (debugContext) does.
    expect(JSON.stringify(answer.error)).to.not.match(/profile-from-list|updateFrom|merge|list/);
    expect(answer.debugContext.decidedBy).to.equal('error:profile-from-list');
    expect(answer.debugContext.internalReason).to.equal('rule profile-from-list failed: updateFrom must return an object of attributes, got a list of non-scalar values');

    const lines = hostile.server.logs.lines.slice(before);
    const failed = lines.filter((l) => l.msg === 'rule evaluation failed');
    expect(failed).to.have.length(1);
    expect(failed[0]).to.include({ level: 50, ruleId: 'profile-from-list', decisionId: answer.debugContext.decisionId });
    expect(lines.find((l) => l.event === 'decision')).to.deep.include({ decision: 'deny', decidedBy: { kind: 'error', ruleId: 'profile-from-list' } });
    expect(JSON.stringify(lines)).to.not.match(PII);
  });

  it('a rule that throws only on some input denies those requests only', async () => {
    const fine = JSON.parse((await hostile.expectAnswer(body({ ...PERSON, nickName: 'Ada', extra: { title: 'Countess' } }), 200)).text);
    expect(fine.commands.map((c: { value: unknown }) => c.value)).to.deep.equal([{ title: 'Countess' }, { registration: 'ALLOW' }]);
    for (const extra of [{ title: { ada: 'lovelace' } }, { password: 'lovelace' }]) {
      const before = hostile.server.logs.lines.length;
      const failing = JSON.parse((await hostile.expectAnswer(body({ ...PERSON, nickName: 'Ada', extra }), 200)).text);
      expect(failing.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
      expect(failing.debugContext.decidedBy).to.equal('error:echo-extra');
      const failed = hostile.server.logs.lines.slice(before).filter((l) => l.msg === 'rule evaluation failed');
      expect(failed.map((l) => l.ruleId)).to.deep.equal(['echo-extra']);
    }
    expect(JSON.stringify(hostile.server.logs.lines)).to.not.match(PII);
  });

  it('every failure is logged once: one line per failed rule per request', async () => {
    const before = hostile.server.logs.lines.length;
    for (let i = 0; i < 5; i++) await hostile.expectAnswer(body(PERSON), 200);
    const failed = hostile.server.logs.lines.slice(before).filter((l) => l.msg === 'rule evaluation failed');
    expect(failed.map((l) => l.ruleId)).to.deep.equal(Array(5).fill('profile-from-list'));
    // …and counted: the metric grows by one per failure, labelled with the rule id.
    const scrape = async () => {
      const text = await (await fetch(`${hostile.server.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('okta_hook_rule_errors_total{') && l.includes('rule_id="profile-from-list"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const counted = await scrape();
    await hostile.expectAnswer(body(PERSON), 200);
    expect(await scrape()).to.equal(counted + 1);
    expect(counted).to.be.greaterThanOrEqual(5);
  });

  it('progressive profile: a failing echo denies with the progressive generic message', async () => {
    const defaults = await startHostileServer({});
    try {
      const answer = JSON.parse((await defaults.expectAnswer(JSON.stringify(ppRequest({ nested: { ada: 'lovelace' } })), 200)).text);
      expect(answer.error.errorSummary).to.equal(GENERIC_DENY_MESSAGE['progressive.profile']);
      expect(answer.debugContext.decidedBy).to.equal('error:accept-submitted-attributes');
      expect(JSON.stringify(defaults.server.logs.lines)).to.not.match(PII);
      await defaults.checkAfterwards();
    } finally {
      await defaults.stop();
    }
  });
});

describe('fail-safe evaluation: ON_RULE_ERROR=skip', function () {
  this.timeout(30_000);
  let hostile: HostileServer;
  before(async () => {
    hostile = await startHostileServer({ ON_RULE_ERROR: 'skip' }, { 'r.yaml': RULES });
  });
  after(async () => {
    await hostile.checkAfterwards();
    await hostile.stop();
  });

  it('treats the failing rules as not matched: the default decides, and the failure is still logged', async () => {
    const before = hostile.server.logs.lines.length;
    const answer = JSON.parse((await hostile.expectAnswer(body({ ...PERSON, extra: { password: 'lovelace' } }), 200)).text);
    expect(answer.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }]);
    expect(answer.debugContext).to.include({ decidedBy: 'default', matchedRules: '(none)' });
    const failed = hostile.server.logs.lines.slice(before).filter((l) => l.msg === 'rule evaluation failed');
    expect(failed.map((l) => l.ruleId)).to.deep.equal(['profile-from-list', 'echo-extra']);
    expect(JSON.stringify(hostile.server.logs.lines)).to.not.match(PII);
  });

  it('a later rule still decides after skipped failures', async () => {
    const answer = JSON.parse((await hostile.expectAnswer(body({ ...PERSON, email: 'ada@evil.org' }), 200)).text);
    expect(answer.debugContext.decidedBy).to.equal('rule:deny-evil');
    expect(answer.error.errorSummary).to.equal('Not from evil.org.');
  });
});
