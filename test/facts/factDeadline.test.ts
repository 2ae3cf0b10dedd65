import { expect } from 'chai';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError, RulesetLoadError } from '../../src/language/RuleError.js';
import { factEnvironment } from '../../src/config.js';
import { runCli } from '../helpers/runCli.js';
import { startTestServer } from '../helpers/server.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

/** One HTTP fact with the given timeout. */
const timed = (timeout: string) => `facts:
  rep:
    http: https://reputation.example/v1/check
    query: { email: { var: email } }
    timeout: ${timeout}
rules:
  - id: risky
    description: risky addresses are refused
    appliesTo: [self.service.registration]
    when: { var: facts.rep.risky }
    then: { deny: { message: no } }
`;

describe('a fact timeout longer than FACTS_DEADLINE_MS is refused at load', function () {
  this.timeout(60_000);
  const rules = tempRulesPerTest();

  it('loadRuleset: against the deadline given, or FACTS_DEADLINE_MS of the environment (default 2000)', async () => {
    const t = await rules({ 'r.yaml': timed('800ms') });
    const refused = await loadHookRuleset(t.dir, { environment: { env: {}, production: false, deadlineMs: 500 } });
    expect(refused.ok).to.equal(false);
    expect(refused.ok ? [] : refused.errors.map((e) => formatRuleError(e).replace(t.dir + '/', ''))).to.deep.equal([
      'r.yaml:5:14: fact "rep": timeout 800ms is longer than FACTS_DEADLINE_MS (500 ms): at most 500ms, and shorter so that the other facts still count',
    ]);
    expect((await loadHookRuleset(t.dir, { environment: factEnvironment({ FACTS_DEADLINE_MS: '500' }) })).ok).to.equal(false);
    expect((await loadHookRuleset(t.dir, { environment: { env: {}, production: false } })).ok).to.equal(true);
    const long = await rules({ 'r.yaml': timed('3s') });
    expect((await loadHookRuleset(long.dir, { environment: { env: {}, production: false } })).ok).to.equal(false);
    const equal = await rules({ 'r.yaml': timed('2s') });
    expect((await loadHookRuleset(equal.dir, { environment: { env: {}, production: false } })).ok).to.equal(true);
  });

  it('a fact without a timeout takes the deadline when that is shorter than the default second', async () => {
    const t = await rules({ 'r.yaml': timed('1s').replace('    timeout: 1s\n', '') });
    const loaded = await loadHookRuleset(t.dir, { environment: { env: {}, production: false, deadlineMs: 400 } });
    if (!loaded.ok) throw new Error(loaded.errors.map(formatRuleError).join('\n'));
    expect(loaded.ruleset.facts.get('rep')!.timeoutMs).to.equal(400);
  });

  it('the server refuses to start with it, and refuses a reload that brings it', async () => {
    const t = await rules({ 'r.yaml': timed('800ms') });
    const failed = await startTestServer({ RULES_DIR: t.dir, FACTS_DEADLINE_MS: '500' }).then(
      async (server) => {
        await server.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failed).to.be.instanceOf(RulesetLoadError);
    expect((failed as RulesetLoadError).errors.map((e) => `${e.line}:${e.column}`)).to.deep.equal(['5:14']);

    await t.write('r.yaml', timed('400ms'));
    const server = await startTestServer({ RULES_DIR: t.dir, FACTS_DEADLINE_MS: '500' });
    try {
      await t.write('r.yaml', timed('800ms'));
      const outcome = await server.reloader.reload('test');
      expect(outcome.status).to.equal('rejected');
      expect(outcome.status === 'rejected' ? outcome.errors.map((e) => e.message) : []).to.deep.equal([
        'fact "rep": timeout 800ms is longer than FACTS_DEADLINE_MS (500 ms): at most 500ms, and shorter so that the other facts still count',
      ]);
    } finally {
      await server.close();
    }
  });

  it('hook-rules validate refuses it with file:line:column under the environment\'s FACTS_DEADLINE_MS', async () => {
    const t = await rules({ 'r.yaml': timed('800ms') });
    const refused = await runCli(['validate', t.dir], { env: { FACTS_DEADLINE_MS: '500' } });
    expect(refused.code).to.not.equal(0);
    expect(refused.stdout + refused.stderr).to.include('r.yaml:5:14: fact "rep": timeout 800ms is longer than FACTS_DEADLINE_MS (500 ms)');
    const accepted = await runCli(['validate', t.dir], { env: { FACTS_DEADLINE_MS: '900' } });
    expect(accepted.code, accepted.stdout + accepted.stderr).to.equal(0);
  });
});
