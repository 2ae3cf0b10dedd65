import { expect } from 'chai';
import type { Decision } from '../../src/engine/Decision.js';
import { registrationAnswer, toOktaResponse } from '../../src/hooks/registration/index.js';
import { OKTA_RESPONSE_LIMIT_BYTES } from '../../src/okta/answerLimit.js';
import { validateResponse } from '../../src/okta/validateRequest.js';

const allow: Decision = {
  requestType: 'self.service.registration',
  outcome: 'allow',
  decidedBy: { kind: 'rule', ruleId: 'tag' },
  matchedRuleIds: ['tag'],
  updates: {},
  updatedBy: {},
  rulesetVersion: 'abc123def456',
  trace: [],
};
const meta = { decisionId: '0b7e1f6c-2d1a-4f0e-9a51-0c5f3f2a9b11' };

/** An allow whose answer is exactly `bytes` long (one update attribute padded to fit). */
function allowOfSize(bytes: number): Decision {
  const empty = Buffer.byteLength(JSON.stringify(toOktaResponse({ ...allow, updates: { note: '' }, updatedBy: { note: 'tag' } }, meta)));
  const decision = { ...allow, updates: { note: 'x'.repeat(bytes - empty) }, updatedBy: { note: 'tag' } };
  expect(Buffer.byteLength(JSON.stringify(toOktaResponse(decision, meta)))).to.equal(bytes);
  return decision;
}

describe("registrationAnswer: never an answer Okta rejects for its size", () => {
  it('sends an answer one byte under 256 KB as it is', () => {
    const decision = allowOfSize(OKTA_RESPONSE_LIMIT_BYTES - 1);
    for (const mode of ['deny', 'skip'] as const) {
      const answer = registrationAnswer(decision, { ...meta, onRuleError: mode });
      expect(answer.tooLarge).to.equal(undefined);
      expect(answer.decision).to.equal(decision);
      expect(answer.body).to.equal(JSON.stringify(toOktaResponse(decision, meta)));
    }
  });

  it('at 256 KB (256,000 bytes), with ON_RULE_ERROR=deny: the generic deny, the reason for admins only', () => {
    const answer = registrationAnswer(allowOfSize(OKTA_RESPONSE_LIMIT_BYTES), { ...meta, onRuleError: 'deny' });
    expect(answer.tooLarge).to.deep.equal({ bytes: OKTA_RESPONSE_LIMIT_BYTES, limit: OKTA_RESPONSE_LIMIT_BYTES, rules: ['tag'] });
    expect(answer.decision).to.include({ outcome: 'deny' });
    expect(answer.decision.decidedBy).to.deep.equal({ kind: 'error' });
    expect(answer.response.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
    expect(answer.response.error?.errorSummary).to.equal('Registration cannot be completed at this time.');
    expect(answer.response.debugContext?.internalReason).to.equal(`the answer would be ${OKTA_RESPONSE_LIMIT_BYTES} bytes; Okta rejects ${OKTA_RESPONSE_LIMIT_BYTES} or more`);
    expect(Buffer.byteLength(answer.body)).to.be.lessThan(2_000);
    expect(validateResponse(JSON.parse(answer.body)).ok).to.equal(true);
  });

  it('with ON_RULE_ERROR=skip: the allow stands, without the profile updates that made it too large', () => {
    const answer = registrationAnswer(allowOfSize(OKTA_RESPONSE_LIMIT_BYTES + 5_000), { ...meta, onRuleError: 'skip' });
    expect(answer.tooLarge?.bytes).to.equal(OKTA_RESPONSE_LIMIT_BYTES + 5_000);
    expect(answer.decision).to.include({ outcome: 'allow' });
    expect(answer.decision.updates).to.deep.equal({});
    expect(answer.response.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }]);
  });

  it('cuts the rule ids from debugContext when even they would reach the limit', () => {
    const many = Array.from({ length: 30_000 }, (_, i) => `rule-number-${i}`);
    const answer = registrationAnswer({ ...allow, matchedRuleIds: many }, { ...meta, onRuleError: 'skip' });
    expect(answer.tooLarge).to.not.equal(undefined);
    expect(answer.decision.outcome).to.equal('deny');
    expect(answer.response.debugContext?.matchedRules).to.equal('(none)');
    expect(Buffer.byteLength(answer.body)).to.be.lessThan(OKTA_RESPONSE_LIMIT_BYTES);
  });
});
