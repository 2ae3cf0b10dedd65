import { expect } from 'chai';
import { decide } from '../../../src/decide/index.js';
import { token } from '../../../src/hooks/token/hook.js';
import type { TokenHookRequest } from '../../../src/hooks/token/types.js';
import { rulesetOf } from '../../helpers/tempRules.js';
import { refRequest } from './support.js';

const RULES = `rules:
  - id: tier
    description: a claim, set by presence
    appliesTo: [token]
    when: { "==": [{ var: query.tier }, gold] }
    then: { access: { claims: { tier: gold, preferred_username: { var: email } } } }
  - id: not-json
    description: a value JSON cannot carry (a rule error)
    appliesTo: [token]
    when: { "==": [{ var: query.tier }, broken] }
    then: { access: { claims: { ratio: { "/": [1, 0] } } } }
  - id: retired
    description: a refusal
    appliesTo: [token]
    when: { "==": [{ var: client.id }, retired] }
    then: { deny: { message: This application has been retired. } }
`;

function requestWith(tier: string | null, clientId = 'customClientIdNative'): TokenHookRequest {
  const request = refRequest() as TokenHookRequest & { data: { context: { request: { url: { value: string } }; protocol: { client: { id: string } } } } };
  if (tier !== null) request.data.context.request.url.value += `&tier=${tier}`;
  request.data.context.protocol.client.id = clientId;
  return request;
}

/**
 * The token answer's body is sent as is: whatever path built it (a patch, nothing to change, a
 * deny, a rule error refused), it is exactly the response object serialised, debugContext last.
 */
describe('token hook: the answer as sent', () => {
  for (const [name, request, onRuleError] of [
    ['a patch', requestWith('gold'), 'deny'],
    ['nothing to change', requestWith(null), 'deny'],
    ['a deny', requestWith('gold', 'retired'), 'deny'],
    ['a rule error, refused', requestWith('broken'), 'deny'],
    ['a rule error, skipped', requestWith('broken'), 'skip'],
  ] as const) {
    it(`${name}: the body is the response serialised`, async () => {
      const ruleset = await rulesetOf({ 'rules.yaml': RULES });
      const { answer } = await decide(token, request, ruleset, { kind: 'given', onRuleError, decisionId: 'd-1' });
      expect(answer.body).to.equal(JSON.stringify(answer.response));
      expect(Object.keys(answer.response).at(-1)).to.equal('debugContext');
      expect((JSON.parse(answer.body) as { debugContext: { decisionId: string } }).debugContext.decisionId).to.equal('d-1');
    });
  }

  it('sends add or replace by presence, and names what it sent in debugContext and the log, never a value', async () => {
    const ruleset = await rulesetOf({ 'rules.yaml': RULES });
    const { answer } = await decide(token, requestWith('gold'), ruleset, { kind: 'given', onRuleError: 'deny', decisionId: 'd-2' });
    expect(JSON.parse(answer.body)).to.deep.equal({
      commands: [
        {
          type: 'com.okta.access.patch',
          value: [
            { op: 'add', path: '/claims/tier', value: 'gold' },
            { op: 'replace', path: '/claims/preferred_username', value: 'administrator1@clouditude.net' },
          ],
        },
      ],
      debugContext: {
        decisionId: 'd-2',
        hookType: 'token',
        decision: 'ALLOW',
        decidedBy: 'default',
        matchedRules: 'tier',
        rulesetVersion: ruleset.version,
        sent: 'access add /claims/tier (tier); access replace /claims/preferred_username (tier)',
      },
    });
    expect(answer.patches).to.deep.equal({ sent: ['access add /claims/tier (tier)', 'access replace /claims/preferred_username (tier)'], dropped: [] });
  });
});
