import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { runCli } from '../helpers/runCli.js';
import { tempRulesDir } from '../helpers/tempRules.js';
import { LogSink } from '../production/appServer.js';

// Three attributes, each the submitted `bio`: a 90 KB bio makes an answer of about 270 KB.
const RULES = `
description: long computed profile updates
rules:
  - id: copy-bio
    description: Copies the bio into three attributes.
    appliesTo: [self.service.registration]
    when: true
    then:
      allow: true
      update:
        bioCopyA: { var: profile.bio }
        bioCopyB: { var: profile.bio }
        bioCopyC: { var: profile.bio }
`;

describe('POST /registrationHook: an answer of 256 KB or more is never sent', function () {
  this.timeout(20_000);
  let rules: Awaited<ReturnType<typeof tempRulesDir>>;
  before(async () => (rules = await tempRulesDir({ 'copy.yaml': RULES })));
  after(() => rules.remove());

  const call = async (onRuleError: 'deny' | 'skip', bio: string) => {
    const sink = new LogSink();
    const config = loadConfig({ RULES_DIR: rules.dir, HOST: '127.0.0.1', PORT: '0', OKTA_HOOK_AUTH_SECRET: 's', ON_RULE_ERROR: onRuleError, BODY_LIMIT: '200kb' });
    const server: RunningServer = await startServer(config, createLogger('info', sink));
    try {
      const response = await fetch(`${server.url}/registrationHook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 's' },
        body: JSON.stringify({ data: { userProfile: { email: 'rosario@example.com', firstName: 'Rosario', lastName: 'Jones', bio } } }),
      });
      const text = await response.text();
      return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Record<string, any>, logs: sink.lines };
    } finally {
      await server.close();
    }
  };

  it('sends a large answer that fits as it is', async () => {
    const { status, bytes, body, logs } = await call('deny', 'b'.repeat(80_000));
    expect(status).to.equal(200);
    expect(bytes).to.be.greaterThan(240_000).and.lessThan(256_000);
    expect(Object.keys(body.commands[0].value)).to.deep.equal(['bioCopyA', 'bioCopyB', 'bioCopyC']);
    expect(logs.filter((line) => line.event === 'answer-too-large')).to.deep.equal([]);
  });

  it('ON_RULE_ERROR=deny: answers the generic deny, and logs why (rule ids and sizes, no values)', async () => {
    const { status, bytes, body, logs } = await call('deny', 'b'.repeat(90_000));
    expect(status).to.equal(200);
    expect(bytes).to.be.lessThan(2_000);
    expect(body.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
    expect(body.error.errorSummary).to.equal('Registration cannot be completed at this time.');
    const line = logs.find((l) => l.event === 'answer-too-large')!;
    expect(line).to.include({ level: 50, limit: 256_000, onRuleError: 'deny', sent: 'deny' });
    expect(line.bytes).to.be.greaterThan(256_000);
    expect(line.rules).to.deep.equal(['copy-bio']);
    const decision = logs.find((l) => l.event === 'decision')!;
    expect(decision).to.deep.include({ decision: 'deny', decidedBy: { kind: 'error' }, updatedAttributes: [] });
    expect(JSON.stringify(logs)).not.to.contain('bbbbbbbb');
  });

  it('ON_RULE_ERROR=skip: allows without the profile updates', async () => {
    const { status, body, logs } = await call('skip', 'b'.repeat(90_000));
    expect(status).to.equal(200);
    expect(body.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'ALLOW' } }]);
    expect(body.error).to.equal(undefined);
    expect(logs.find((l) => l.event === 'answer-too-large')).to.include({ onRuleError: 'skip', sent: 'allow' });
  });

  it('hook-rules eval prints the answer the service would send, and says why', async () => {
    const request = JSON.stringify({ data: { userProfile: { email: 'rosario@example.com', bio: 'b'.repeat(90_000) } } });
    const result = await runCli(['eval', '-', '--dir', rules.dir], { input: request });
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('"registration": "DENY"');
    expect(result.stdout).to.match(/Decision: DENY, decided by an error: the answer would be \d+ bytes; Okta rejects 256000 or more/);
  });
});
