import { expect } from 'chai';
import { validateTokenAnswer } from '../../src/hooks/token/validateTokenAnswer.js';
import type { TokenHookRequest } from '../../src/hooks/token/types.js';
import { samples } from '../helpers/metricSamples.js';
import { startTestServer } from '../helpers/server.js';
import { tempRules } from '../helpers/tempRules.js';
import { refRequest } from '../hooks/token/support.js';

// Three claims, each the access token's `bio` claim: a 90 KB bio makes a patch of about 270 KB.
const RULES = `
rules:
  - id: team-claim
    description: A small claim beside the large ones.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { team: blue } }
  - id: copy-bio
    description: Copies the bio claim three times.
    appliesTo: [token]
    when: true
    then:
      access:
        claims:
          bioA: { var: claims.access.bio }
          bioB: { var: claims.access.bio }
          bioC: { var: claims.access.bio }
`;

function withBio(bio: string): TokenHookRequest {
  const request = refRequest();
  request.data.access!.claims = { ...request.data.access!.claims, bio };
  return request;
}

describe('POST /tokenHook: an answer of 256 KB or more is never sent, and is logged as answer-too-large', function () {
  this.timeout(20_000);
  let rules: Awaited<ReturnType<typeof tempRules>>;
  before(async () => (rules = await tempRules({ 'token.yaml': RULES })));
  after(() => rules.cleanup());

  const call = async (onRuleError: 'deny' | 'skip', bio: string) => {
    const server = await startTestServer({ RULES_DIR: rules.dir, ON_RULE_ERROR: onRuleError, BODY_LIMIT: '200kb' });
    try {
      const request = withBio(bio);
      const { status, body } = await server.post('/tokenHook', request);
      const metrics = samples(await (await fetch(`${server.url}/metrics`)).text());
      return { status, body, request, logs: server.logs.lines as Array<Record<string, any>>, metrics };
    } finally {
      await server.close();
    }
  };

  it('sends a large answer that fits as it is, and logs nothing about its size', async () => {
    const { status, body, request, logs } = await call('deny', 'b'.repeat(80_000));
    expect(status).to.equal(200);
    expect(Buffer.byteLength(JSON.stringify(body))).to.be.greaterThan(240_000).and.lessThan(256_000);
    expect(body.commands[0].value.map((op: { path: string }) => op.path)).to.deep.equal(['/claims/team', '/claims/bioA', '/claims/bioB', '/claims/bioC']);
    expect(validateTokenAnswer(body, { request })).to.deep.equal([]);
    expect(logs.filter((line) => line.event === 'answer-too-large')).to.deep.equal([]);
  });

  it('ON_RULE_ERROR=deny: refuses the token, logs answer-too-large (sizes and rule ids, no values) and counts a rule-error refusal', async () => {
    const { status, body, logs, metrics } = await call('deny', 'b'.repeat(90_000));
    expect(status).to.equal(200);
    expect(body.error).to.deep.equal({ errorSummary: 'The token could not be issued at this time.' });
    expect(body.commands).to.equal(undefined);
    const tooLarge = logs.filter((line) => line.event === 'answer-too-large');
    expect(tooLarge).to.have.length(1);
    expect(tooLarge[0]).to.include({ level: 50, hookType: 'token', limit: 256_000, onRuleError: 'deny', sent: 'deny', decisionId: body.debugContext.decisionId });
    expect(tooLarge[0]!.bytes).to.be.greaterThan(256_000);
    expect(tooLarge[0]!.rules).to.deep.equal(['team-claim', 'copy-bio']);
    const decision = logs.find((line) => line.event === 'decision')!;
    expect(decision).to.deep.include({ hookType: 'token', decision: 'deny', decidedBy: { kind: 'error' } });
    expect(metrics.get('okta_hook_token_refusals_total{cause="rule-error"}')).to.equal(1);
    expect(JSON.stringify(logs)).not.to.contain('bbbbbbbb');
  });

  it('ON_RULE_ERROR=skip: issues the token unchanged (no patch at all), and logs answer-too-large', async () => {
    const { status, body, request, logs, metrics } = await call('skip', 'b'.repeat(90_000));
    expect(status).to.equal(200);
    expect(body.commands).to.equal(undefined);
    expect(body.error).to.equal(undefined);
    expect(validateTokenAnswer(body, { request })).to.deep.equal([]);
    expect(logs.find((line) => line.event === 'answer-too-large')).to.include({ hookType: 'token', onRuleError: 'skip', sent: 'allow' });
    expect(metrics.has('okta_hook_token_refusals_total{cause="rule-error"}')).to.equal(false);
    expect(JSON.stringify(logs)).not.to.contain('bbbbbbbb');
  });
});
