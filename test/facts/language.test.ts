import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { checkSql, placeholderProblems } from '../../src/facts/checkSql.js';
import type { FactEnvironment } from '../../src/facts/compileFact.js';
import type { ResolvedFacts } from '../../src/facts/types.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError } from '../../src/language/RuleError.js';
import type { CompiledRuleset } from '../../src/ruleset/CompiledRuleset.js';
import { toOktaResponse } from '../../src/hooks/registration/index.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

const ENV: FactEnvironment = { env: { MEMBERS_DB: 'pglite:memory', API_KEY: 'k' }, production: false };

const MEMBER_FACT = `facts:
  member:
    sql: SELECT plan, status FROM members WHERE member_number = $1 AND birth_date = $2
    params: [{ var: profile.memberNumber }, { var: profile.birthDate }]
    database: MEMBERS_DB
    timeout: 300ms
    cache: 5m
`;

const MEMBER_RULES = `rules:
  - id: members-only
    description: only members may register
    appliesTo: [self.service.registration]
    when: { "!": [{ var: facts.member }] }
    then: { deny: { message: members only } }
  - id: copy-plan
    description: the plan goes to the profile
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { allow: true, update: { plan: { var: facts.member.plan } } }
  - id: pp-no-facts
    description: progressive profiling reads no fact
    appliesTo: [progressive.profile]
    when: true
    then: { allow: true }
`;

const REQUEST = { requestType: 'self.service.registration', data: { userProfile: { email: 'a@example.com', memberNumber: '42', birthDate: '1990-01-01' } } } as const;

describe('facts: the rule language and its load-time checks', () => {
  const rules = tempRulesPerTest();

  async function load(files: Record<string, string>, environment: FactEnvironment = ENV) {
    const t = await rules(files);
    return { dir: t.dir, result: await loadHookRuleset(t.dir, { environment }) };
  }
  async function loaded(files: Record<string, string>, environment: FactEnvironment = ENV): Promise<CompiledRuleset> {
    const { result } = await load(files, environment);
    if (!result.ok) throw new Error(result.errors.map(formatRuleError).join('\n'));
    return result.ruleset;
  }
  async function errors(files: Record<string, string>, environment: FactEnvironment = ENV): Promise<string[]> {
    const { dir, result } = await load(files, environment);
    expect(result.ok, 'the load should fail').to.equal(false);
    return result.ok ? [] : result.errors.map((e) => formatRuleError(e).replace(dir + '/', ''));
  }

  it('compiles a SQL fact and knows which request types read it', async () => {
    const ruleset = await loaded({ 'r.yaml': MEMBER_FACT + MEMBER_RULES });
    const fact = ruleset.facts.get('member')!;
    expect(fact).to.include({ timeoutMs: 300, cacheMs: 300_000, onError: 'deny' });
    expect(ruleset.factsFor['self.service.registration'].map((f) => f.name)).to.deep.equal(['member']);
    expect(ruleset.factsFor['progressive.profile']).to.deep.equal([]);
    expect(ruleset.rules.find((r) => r.id === 'copy-plan')!.facts).to.deep.equal(['member']);
  });

  it('a ruleset without facts has none to fetch', async () => {
    const ruleset = await loaded({ 'r.yaml': MEMBER_RULES.replace(/facts\.member(\.plan)?/g, 'email') });
    expect(ruleset.facts.size).to.equal(0);
    expect(ruleset.factsFor['self.service.registration']).to.deep.equal([]);
  });

  it('conditions read given facts; a failed fact follows its onError', async () => {
    const ruleset = await loaded({ 'r.yaml': MEMBER_FACT + MEMBER_RULES });
    const given = (facts: Partial<ResolvedFacts>): ResolvedFacts => ({ values: {}, failures: {}, trace: [], ...facts });
    const gold = evaluate(ruleset, registrationContext(REQUEST), { facts: given({ values: { member: { plan: 'gold', status: 'active' } } }) });
    expect(gold.outcome).to.equal('allow');
    expect(gold.updates).to.deep.equal({ plan: 'gold' });
    expect(evaluate(ruleset, registrationContext(REQUEST), { facts: given({ values: { member: null } }) }).outcome).to.equal('deny');

    const failed = evaluate(ruleset, registrationContext(REQUEST), { facts: given({ failures: { member: { kind: 'timeout', message: 'x', onError: 'deny' } } }) });
    expect(failed.outcome).to.equal('deny');
    expect(failed.decidedBy).to.deep.equal({ kind: 'error', ruleId: 'members-only' });
    expect(failed.failedFacts).to.deep.equal(['member:timeout']);
    expect(toOktaResponse(failed, { decisionId: 'd' }).debugContext!.failedFacts).to.equal('member:timeout');

    const open = evaluate(ruleset, registrationContext(REQUEST), { facts: given({ failures: { member: { kind: 'unavailable', message: 'x', onError: 'allow' } } }) });
    expect(open.outcome).to.equal('allow');
    expect(open.updates).to.deep.equal({});

    const skipped = evaluate(ruleset, registrationContext(REQUEST), { facts: given({ failures: { member: { kind: 'timeout', message: 'x', onError: 'skip' } } }) });
    expect(skipped.outcome).to.equal('allow'); // both rules skipped: the default (allow) decides
    expect(skipped.decidedBy.kind).to.equal('default');
  });

  it('refuses an unknown fact in var, with its position', async () => {
    const found = await errors({ 'r.yaml': MEMBER_FACT + MEMBER_RULES.replace('{ var: facts.member.plan }', '{ var: facts.membr.plan }') });
    expect(found).to.deep.equal(['r.yaml:18:49: unknown fact "membr" (known: member)']);
  });

  it('refuses a fact no rule reads', async () => {
    const found = await errors({ 'r.yaml': MEMBER_FACT + MEMBER_RULES.replace(/facts\.member(\.plan)?/g, 'email') });
    expect(found).to.deep.equal(['r.yaml:2:3: fact "member" is read by no rule (remove it, or read it as facts.member)']);
  });

  it('an unset database variable is a warning outside production and an error in production', async () => {
    const env = { env: {}, production: false };
    const ruleset = await loaded({ 'r.yaml': MEMBER_FACT + MEMBER_RULES }, env);
    expect(ruleset.warnings.map((w) => `${w.line}:${w.column}: ${w.message}`)).to.deep.equal(['5:15: fact "member": environment variable MEMBERS_DB (the database URL) is not set']);
    const found = await errors({ 'r.yaml': MEMBER_FACT + MEMBER_RULES }, { env: {}, production: true });
    expect(found).to.deep.equal(['r.yaml:5:15: fact "member": environment variable MEMBERS_DB (the database URL) is not set']);
  });

  it('an unset env header is refused in production; a literal secret header always', async () => {
    const http = (headers: string) => `facts:
  rep:
    http: https://reputation.example/v1/check
    method: POST
    body: { email: { var: email } }
    headers: ${headers}
rules:
  - id: risky
    description: risky addresses
    appliesTo: [self.service.registration]
    when: { var: facts.rep.risky }
    then: { deny: { message: no } }
`;
    expect(await errors({ 'r.yaml': http('{ x-api-key: { env: REP_KEY } }') }, { env: {}, production: true })).to.deep.equal([
      'r.yaml:6:27: fact "rep": environment variable REP_KEY (header x-api-key) is not set',
    ]);
    expect(await errors({ 'r.yaml': http('{ x-api-key: abc123 }') })).to.deep.equal([
      'r.yaml:6:27: fact "rep": header x-api-key looks like a secret: give it as { env: NAME }, never in the rule file',
    ]);
    expect(await errors({ 'r.yaml': http('{ accept: application/json }').replace('https:', 'http:') }, { env: {}, production: true })).to.deep.equal([
      'r.yaml:3:11: fact "rep": the URL must be https in production (NODE_ENV=production)',
    ]);
    await loaded({ 'r.yaml': http('{ x-api-key: { env: API_KEY } }') });
  });

  it('refuses SQL that is not one SELECT, and placeholders that do not match params', async () => {
    const withSql = (sql: string, params = '[{ var: email }]') =>
      MEMBER_FACT.replace(/sql: .*/, `sql: ${JSON.stringify(sql)}`).replace(/params: .*/, `params: ${params}`) + MEMBER_RULES;
    expect(await errors({ 'r.yaml': withSql('DELETE FROM members WHERE id = $1') })).to.deep.equal([
      'r.yaml:3:10: fact "member": the statement must be a SELECT (or WITH … SELECT), not DELETE',
    ]);
    expect(await errors({ 'r.yaml': withSql('SELECT 1 WHERE $1 = 1; DROP TABLE members') })).to.include(
      'r.yaml:3:10: fact "member": only one statement is allowed (found text after a semicolon)',
    );
    expect(await errors({ 'r.yaml': withSql('WITH gone AS (DELETE FROM members RETURNING *) SELECT * FROM gone WHERE $1 = 1') })).to.deep.equal([
      'r.yaml:3:10: fact "member": DELETE is not allowed: a fact only reads',
    ]);
    expect(await errors({ 'r.yaml': withSql('SELECT plan FROM members WHERE a = $1 AND b = $2') })).to.deep.equal([
      'r.yaml:3:10: fact "member": the SQL has 2 placeholders ($1…$n) but params gives 1 value',
    ]);
    // Literals, quoted names and comments are not read as statements or placeholders.
    await loaded({ 'r.yaml': withSql(`SELECT 'a;b $2', "delete" FROM members -- ; drop\nWHERE a = $1 /* $3 */;`) });
  });

  it('checkSql: placeholders, dollar quotes and E-strings', () => {
    expect([...checkSql("SELECT $$ $9 ; $$, E'\\' $8', $1, $2").placeholders]).to.deep.equal([1, 2]);
    expect(checkSql('SELECT * INTO copy FROM t').problems).to.deep.equal(['INTO is not allowed: a fact only reads']);
    expect(checkSql('SELECT * FROM t FOR UPDATE').problems).to.deep.equal(['UPDATE is not allowed: a fact only reads']);
    expect(placeholderProblems(new Set([2]), 2)).to.deep.equal(['$1 is never used (placeholders are numbered from $1 without gaps)']);
  });

  it('a fact cannot read another fact; facts alone is not a fact', async () => {
    const found = await errors({
      'r.yaml': MEMBER_FACT.replace('{ var: profile.birthDate }', '{ var: facts.other }') + MEMBER_RULES.replace('{ var: facts.member }]', '{ var: facts }]'),
    });
    expect(found).to.deep.equal([
      'r.yaml:4:52: fact "member": a fact cannot read another fact (facts are fetched side by side)',
      'r.yaml:12:26: read one fact, as facts.NAME (or facts.NAME.field), not facts itself',
    ]);
  });
});
