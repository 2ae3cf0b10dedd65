import { expect } from 'chai';
import type { Decision } from '../../src/engine/Decision.js';
import { toOktaResponse } from '../../src/hooks/registration/index.js';
import { validateResponse } from '../../src/okta/validateRequest.js';

const base: Decision = {
  requestType: 'self.service.registration',
  outcome: 'allow',
  decidedBy: { kind: 'default' },
  matchedRuleIds: [],
  updates: {},
  updatedBy: {},
  rulesetVersion: 'abc123def456',
  trace: [],
};

describe('toOktaResponse', () => {
  it('answers an allow with an explicit ALLOW and a debugContext', () => {
    const response = toOktaResponse(base, { decisionId: 'd-1' });
    expect(response).to.deep.equal({
      commands: [{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }],
      debugContext: {
        decisionId: 'd-1',
        decision: 'ALLOW',
        decidedBy: 'default',
        matchedRules: '(none)',
        rulesetVersion: 'abc123def456',
        requestType: 'self.service.registration',
      },
    });
    expect(validateResponse(response).ok).to.equal(true);
  });

  it('uses the profile update command for registration and the progressive one for progressive profile', () => {
    const ssr = toOktaResponse({ ...base, updates: { department: 'Sales' }, matchedRuleIds: ['a'], decidedBy: { kind: 'rule', ruleId: 'a' } }, { decisionId: 'x' });
    expect(ssr.commands).to.deep.equal([
      { type: 'com.okta.user.profile.update', value: { department: 'Sales' } },
      { type: 'com.okta.action.update', value: { registration: 'ALLOW' } },
    ]);
    expect(ssr.debugContext?.decidedBy).to.equal('rule:a');
    const pp = toOktaResponse({ ...base, requestType: 'progressive.profile', updates: { employeeNumber: '1234' } }, { decisionId: 'x' });
    expect(pp.commands?.[0]).to.deep.equal({ type: 'com.okta.user.progressive.profile.update', value: { employeeNumber: '1234' } });
    expect(validateResponse(ssr).ok && validateResponse(pp).ok).to.equal(true);
  });

  it('answers a deny with DENY and an error whose causes keep their locations; the internal reason stays in debugContext', () => {
    const response = toOktaResponse(
      {
        ...base,
        outcome: 'deny',
        decidedBy: { kind: 'rule', ruleId: 'no' },
        matchedRuleIds: ['no'],
        deny: {
          message: 'Use your work address.',
          internalReason: 'domain on blocklist',
          causes: [{ message: 'Work addresses only.', reason: 'INVALID_EMAIL_DOMAIN', location: 'data.userProfile.email' }],
        },
      },
      { decisionId: 'x' },
    );
    expect(response.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
    expect(response.error).to.deep.equal({
      errorSummary: 'Use your work address.',
      errorCauses: [
        { errorSummary: 'Work addresses only.', reason: 'INVALID_EMAIL_DOMAIN', locationType: 'body', location: 'data.userProfile.email', domain: 'end-user' },
      ],
    });
    expect(response.debugContext?.internalReason).to.equal('domain on blocklist');
    expect(JSON.stringify(response.error)).to.not.include('blocklist');
    expect(validateResponse(response).ok).to.equal(true);
  });

  it('sends the message as a cause without location when a deny has no causes', () => {
    const response = toOktaResponse({ ...base, outcome: 'deny', deny: { message: 'No.' } }, { decisionId: 'x' });
    expect(response.error?.errorCauses).to.deep.equal([{ errorSummary: 'No.', reason: 'REGISTRATION_DENIED', locationType: 'body', domain: 'end-user' }]);
  });
});
