import { expect } from 'chai';
import { Registry } from 'prom-client';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { deadlineIn } from '../../src/core/stage.js';
import { FactMetrics } from '../../src/facts/factMetrics.js';
import type { FactSources } from '../../src/facts/FactSources.js';
import { resolveFacts } from '../../src/facts/resolveFacts.js';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { samples } from '../helpers/metricSamples.js';
import { loadWith, memberRequest, memberRules, MEMBERS_SEED, sourcesFor } from './support.js';

const PGLITE = { MEMBERS_DB: `pglite:memory?seed=${MEMBERS_SEED}` };

describe('facts: the resolve stage', function () {
  this.timeout(60_000);
  const opened: FactSources[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });
  const sources = (env: NodeJS.ProcessEnv, options = {}) => {
    const made = sourcesFor(env, options);
    opened.push(made);
    return made;
  };

  describe('SQL on PGlite', () => {
    // One embedded database for the block: PGlite takes seconds to start. Each test's ruleset
    // differs, and the cache key holds the fact's fingerprint, so tests do not share answers.
    let shared: FactSources;
    before(async () => {
      shared = sourcesFor(PGLITE);
      await shared.prepare(await loadWith({ 'r.yaml': memberRules() }, PGLITE));
    });
    after(() => shared.close());
    const prepared = async (_ruleset: unknown, _env: unknown) => shared;
    it('finds the row, gives null for none, and the engine decides with it', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules() }, PGLITE);
      const facts = await prepared(ruleset, PGLITE);
      const found = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), facts, { deadline: deadlineIn(2000) });
      expect(found.failures).to.deep.equal({});
      expect(found.values.member).to.deep.equal({ plan: 'gold', status: 'active', birth_date: '1990-04-01' });
      expect(found.trace[0]).to.include({ name: 'member', source: 'sql:MEMBERS_DB', cacheHit: false });
      const decision = evaluate(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), { facts: found });
      expect(decision.outcome).to.equal('allow');
      expect(decision.updates).to.deep.equal({ plan: 'gold' });

      const none = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1991-01-01')), facts, { deadline: deadlineIn(2000) });
      expect(none.values.member).to.equal(null);
      expect(evaluate(ruleset, registrationContext(memberRequest('1001', '1991-01-01')), { facts: none }).outcome).to.equal('deny');
    });

    it('masks values in the trace unless the fact says reveal', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules({ sql: "SELECT 'ann@example.com' AS email, plan FROM members WHERE member_number = $1 AND birth_date = $2::date" }) }, PGLITE);
      const found = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), await prepared(ruleset, PGLITE), { deadline: deadlineIn(2000) });
      // Every scalar, not only what looks like an email address (docs/facts.md, "Masked values").
      expect(found.trace[0]!.value).to.deep.equal({ email: '[string]', plan: '[string]' });
      expect(found.values.member).to.deep.equal({ email: 'ann@example.com', plan: 'gold' });
    });

    it('masks what an explanation shows of a fact: the condition\'s result and every operand over it, unless the fact says reveal', async () => {
      const rules = (reveal: string) => `facts:
  member:
    sql: SELECT email, plan FROM members WHERE member_number = $1
    params: [{ var: profile.memberNumber }]
    database: MEMBERS_DB
${reveal}rules:
  - id: whole-row
    description: a member row
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { allow: true }
  - id: computed
    description: a value computed from the row
    appliesTo: [self.service.registration]
    when: { "==": [{ lower: { var: facts.member.email } }, "nobody"] }
    then: { deny: { message: no } }
`;
      const facts = { values: { member: { email: 'Ann@Example.com', plan: 'gold' } }, failures: {}, trace: [] };
      const shown = (ruleset: Awaited<ReturnType<typeof loadWith>>) => {
        const decision = evaluate(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), { facts, explain: true });
        return JSON.stringify(decision.trace.map(({ result, saw, parts }) => ({ result, saw, parts })));
      };
      const masked = shown(await loadWith({ 'r.yaml': rules('') }, PGLITE));
      expect(masked).not.to.match(/Ann@|ann@|gold/);
      expect(masked).to.include('{"email":"[string]","plan":"[string]"}').and.to.include('"value":"[string]"');
      const revealed = shown(await loadWith({ 'r.yaml': rules('    reveal: true\n') }, PGLITE));
      expect(revealed).to.include('Ann@Example.com').and.to.include('ann@example.com');
    });

    it('caches by parameters: the second identical lookup is a cache hit, another member is not', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules({ cache: '5m' }) }, PGLITE);
      const facts = await prepared(ruleset, PGLITE);
      const first = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), facts, { deadline: deadlineIn(2000) });
      const second = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), facts, { deadline: deadlineIn(2000) });
      const other = await resolveFacts(ruleset, registrationContext(memberRequest('1002', '1985-12-24')), facts, { deadline: deadlineIn(2000) });
      expect([first.trace[0]!.cacheHit, second.trace[0]!.cacheHit, other.trace[0]!.cacheHit]).to.deep.equal([false, true, false]);
      expect(second.values.member).to.deep.equal(first.values.member);
      expect(other.values.member).to.include({ plan: 'basic' });
    });

    it('begin answers a cached lookup at once; a miss comes back to fetch, and is cached after', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules({ cache: '5m', sql: 'SELECT plan FROM members WHERE member_number = $1 AND birth_date = $2::date' }) }, PGLITE);
      const facts = await prepared(ruleset, PGLITE);
      const fact = ruleset.facts.get('member')!;
      const context = registrationContext(memberRequest('1001', '1990-04-01')).data;
      const miss = facts.begin(fact, context);
      if (!('pending' in miss)) throw new Error('expected a miss');
      expect(await facts.fetch(miss.pending)).to.deep.equal({ result: { ok: true, value: { plan: 'gold' } }, cacheHit: false, source: 'sql:MEMBERS_DB' });
      expect(facts.begin(fact, context)).to.deep.equal({ answer: { result: { ok: true, value: { plan: 'gold' } }, cacheHit: true, source: 'sql:MEMBERS_DB' } });
    });

    it("the hook route's trace ('failures'): the same values and failures, a trace entry only for a failed fact", async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules({ cache: '5m' }) }, PGLITE);
      const facts = await prepared(ruleset, PGLITE);
      const request = memberRequest('1001', '1990-04-01');
      const context = registrationContext(request);
      const full = await resolveFacts(ruleset, context, facts, { deadline: deadlineIn(2000) });
      const lean = await resolveFacts(ruleset, context, facts, { deadline: deadlineIn(2000), trace: 'failures' });
      expect(lean.values).to.deep.equal(full.values);
      expect(lean.failures).to.deep.equal({});
      expect(lean.trace).to.deep.equal([]);
      expect(full.trace[0]).to.have.property('value');
      // The engine decides the same from the context the stage used, and leaves it as it was.
      expect(evaluate(ruleset, context, { facts: lean })).to.deep.equal(evaluate(ruleset, registrationContext(request), { facts: full }));
      expect(Object.isFrozen(context) && Object.isFrozen(context.data)).to.equal(true);
      expect(context.data).to.not.have.property('facts');

      const writing = await loadWith({ 'r.yaml': memberRules({ sql: "SELECT nextval('visits') AS plan WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL" }) }, PGLITE);
      const failed = await resolveFacts(writing, registrationContext(request), facts, { deadline: deadlineIn(2000), trace: 'failures' });
      expect(failed.trace).to.have.length(1);
      expect(failed.trace[0]).to.include({ name: 'member', source: 'sql:MEMBERS_DB', cacheHit: false }).and.not.have.property('value');
      expect(failed.trace[0]!.failure).to.deep.equal({ kind: 'query_error', message: 'the query failed (SQLSTATE 25006 read_only_sql_transaction)', onError: 'deny' });
    });

    it('runs read-only: a SELECT that writes fails as query_error, without the server message', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules({ sql: "SELECT nextval('visits') AS plan WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL" }) }, PGLITE);
      const found = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), await prepared(ruleset, PGLITE), { deadline: deadlineIn(2000) });
      expect(found.failures.member).to.deep.equal({ kind: 'query_error', message: 'the query failed (SQLSTATE 25006 read_only_sql_transaction)', onError: 'deny' });
      const decision = evaluate(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), { facts: found });
      expect(decision.outcome).to.equal('deny');
      expect(decision.failedFacts).to.deep.equal(['member:query_error']);
    });

    it('a parameter the database cannot take fails without quoting it', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules() }, PGLITE);
      const found = await resolveFacts(ruleset, registrationContext(memberRequest('1001', 'secret-not-a-date')), await prepared(ruleset, PGLITE), { deadline: deadlineIn(2000) });
      expect(found.failures.member!.kind).to.equal('query_error');
      expect(JSON.stringify(found)).not.to.include('secret-not-a-date');
    });

    it('an unset database variable fails the fact as config; the load only warned', async () => {
      const ruleset = await loadWith({ 'r.yaml': memberRules() }, {});
      expect(ruleset.warnings).to.have.length(1);
      const found = await resolveFacts(ruleset, registrationContext(memberRequest('1001', '1990-04-01')), sources({}), { deadline: deadlineIn(2000) });
      expect(found.failures.member).to.include({ kind: 'config' });
    });
  });

  describe('HTTP facts against a real loopback API', () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer();
    });
    after(() => api.close());

    const httpRules = (path: string, extra = '') => `facts:
  rep:
    http: ${api.url}${path}
    method: POST
    body: { email: { var: email } }
    headers: { x-api-key: { env: REP_KEY } }
    timeout: 500ms
${extra}rules:
  - id: risky
    description: risky addresses are refused
    appliesTo: [self.service.registration]
    when: { var: facts.rep.risky }
    then: { deny: { message: no } }
`;
    const env = { REP_KEY: 'the-key' };
    const request = (email: string) => ({ requestType: 'self.service.registration', data: { userProfile: { email } } }) as const;

    it('POSTs the body built from the request, with the header from the environment', async () => {
      const ruleset = await loadWith({ 'r.yaml': httpRules('/check') }, env);
      const found = await resolveFacts(ruleset, registrationContext(request('bo@risky.example')), sources(env), { deadline: deadlineIn(2000) });
      expect(found.values.rep).to.deep.equal({ email: 'bo@risky.example', risky: true, method: 'POST' });
      expect(api.lastHeaders['x-api-key']).to.equal('the-key');
      expect(evaluate(ruleset, registrationContext(request('bo@risky.example')), { facts: found }).outcome).to.equal('deny');
      expect(found.trace[0]!.source).to.equal(api.url);
    });

    it('GET with query parameters from JSON-Logic', async () => {
      const rules = httpRules('/check').replace('method: POST\n    body: { email: { var: email } }', 'query: { email: { var: email } }');
      const ruleset = await loadWith({ 'r.yaml': rules }, env);
      const found = await resolveFacts(ruleset, registrationContext(request('al@example.com')), sources(env), { deadline: deadlineIn(2000) });
      expect(found.values.rep).to.deep.equal({ email: 'al@example.com', risky: false, method: 'GET' });
    });

    for (const [path, kind, message] of [
      ['/hang', 'timeout', 'no answer within 500 ms'],
      ['/fail', 'bad_response', 'answered HTTP 500'],
      ['/big', 'bad_response', 'the answer is over 1048576 bytes'],
      ['/cut', 'bad_response', 'closed the connection before the answer ended'],
      ['/text', 'bad_response', 'answered text/html, not JSON'],
    ] as const) {
      it(`${path}: fails as ${kind}`, async () => {
        const ruleset = await loadWith({ 'r.yaml': httpRules(path) }, env);
        const found = await resolveFacts(ruleset, registrationContext(request('al@example.com')), sources(env), { deadline: deadlineIn(2000) });
        expect(found.failures.rep).to.include({ kind, onError: 'deny' });
        expect(found.failures.rep!.message).to.include(message);
        expect(evaluate(ruleset, registrationContext(request('al@example.com')), { facts: found }).outcome).to.equal('deny');
      });
    }

    it('the request deadline ends the stage even when the fact allows longer', async () => {
      const ruleset = await loadWith({ 'r.yaml': httpRules('/hang').replace('timeout: 500ms', 'timeout: 2s') }, env);
      const started = performance.now();
      const found = await resolveFacts(ruleset, registrationContext(request('al@example.com')), sources(env), { deadline: deadlineIn(300) });
      const took = performance.now() - started;
      expect(found.failures.rep).to.include({ kind: 'deadline' });
      // A bound, not a speed: the stage may not outlive its deadline by more than scheduling noise.
      expect(took).to.be.below(300 + 250);
    });

    it('counts cache hits in the metrics: a lookup and a cache hit each; the duration is the source\'s (misses only)', async () => {
      const registry = new Registry();
      const ruleset = await loadWith({ 'r.yaml': httpRules('/check', '    cache: 5m\n') }, env);
      const counted = sources(env, { metrics: new FactMetrics(registry) });
      for (let i = 0; i < 3; i++) await resolveFacts(ruleset, registrationContext(request('al@example.com')), counted, { deadline: deadlineIn(2000), trace: 'failures' });
      const seen = samples(await registry.metrics());
      expect(seen.get('okta_hook_fact_lookups_total{fact="rep"}')).to.equal(3);
      expect(seen.get('okta_hook_fact_cache_hits_total{fact="rep"}')).to.equal(2);
      expect(seen.get('okta_hook_fact_duration_seconds_count{fact="rep"}')).to.equal(1);
    });

    it('identical concurrent lookups are one request to the API', async () => {
      const ruleset = await loadWith({ 'r.yaml': httpRules('/slow?ms=200') }, env);
      const facts = sources(env);
      const before = api.hits.get('/slow') ?? 0;
      const all = await Promise.all(Array.from({ length: 5 }, () => resolveFacts(ruleset, registrationContext(request('al@example.com')), facts, { deadline: deadlineIn(2000) })));
      expect(all.map((r) => r.values.rep)).to.deep.equal(Array(5).fill({ slow: true }));
      expect((api.hits.get('/slow') ?? 0) - before).to.equal(1);
    });

    it('a source that keeps failing opens its circuit: later lookups fail fast without reaching it', async () => {
      const ruleset = await loadWith({ 'r.yaml': httpRules('/fail') }, env);
      const facts = sources(env);
      const before = api.hits.get('/fail') ?? 0;
      const kinds: string[] = [];
      // Different emails: no coalescing, no cache.
      for (let i = 0; i < 8; i++) kinds.push((await resolveFacts(ruleset, registrationContext(request(`u${i}@example.com`)), facts, { deadline: deadlineIn(2000) })).failures.rep!.kind);
      expect(kinds.slice(0, 5)).to.deep.equal(Array(5).fill('bad_response'));
      expect(kinds.slice(5)).to.deep.equal(Array(3).fill('circuit_open'));
      expect((api.hits.get('/fail') ?? 0) - before).to.equal(5);
      expect(facts.states(ruleset)).to.deep.equal([{ source: api.url, state: 'down', circuit: 'open' }]);
    });

    it('onError skip: the rules reading the fact count as not matched', async () => {
      const ruleset = await loadWith({ 'r.yaml': httpRules('/fail', '    onError: skip\n') }, env);
      const found = await resolveFacts(ruleset, registrationContext(request('bo@risky.example')), sources(env), { deadline: deadlineIn(2000) });
      const decision = evaluate(ruleset, registrationContext(request('bo@risky.example')), { facts: found, explain: true });
      expect(decision.outcome).to.equal('allow');
      expect(decision.trace[0]).to.include({ status: 'not-matched', factFailure: 'fact rep failed (bad_response), onError skip' });
    });
  });
});
