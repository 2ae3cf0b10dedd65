import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { RulesetLoadError, formatRuleError } from '../../src/language/RuleError.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempRules } from '../helpers/tempRules.js';
import { memberRequest, memberRules, MEMBERS_SEED } from './support.js';

/**
 * The hook route with a SQL fact against a real PostgreSQL server started here: decisions from
 * the member table, a failed fact named in debugContext and the log (never its values), the
 * stalled server (SIGSTOP) answered within the deadline, and /readyz staying ready.
 */
describe('facts: the hook route against a real PostgreSQL server', function () {
  this.timeout(120_000);
  let db: PostgresServer;
  let server: TestServer;
  let cleanup: () => Promise<void>;

  before(async () => {
    db = await startPostgres();
    await db.sql(readFileSync(MEMBERS_SEED, 'utf8'));
    const rules = await tempRules({ 'members.yaml': memberRules({ timeout: '300ms', onError: 'deny' }) });
    server = await startTestServer({ RULES_DIR: rules.dir, FACTS_DEADLINE_MS: '800', MEMBERS_DB: db.url });
    cleanup = rules.cleanup;
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
    await db?.stop();
  });

  const post = (memberNumber: string, birthDate: string) => server.post('/registrationHook', memberRequest(memberNumber, birthDate));

  it('allows a member and copies the plan; denies a non-member', async () => {
    const member = await post('1001', '1990-04-01');
    expect(member.status).to.equal(200);
    expect(member.body.commands).to.deep.equal([
      { type: 'com.okta.user.profile.update', value: { plan: 'gold' } },
      { type: 'com.okta.action.update', value: { registration: 'ALLOW' } },
    ]);
    const stranger = await post('9999', '1990-04-01');
    expect(stranger.body.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
    expect(stranger.body.debugContext.decidedBy).to.equal('rule:members-only');
  });

  it('counts lookups per fact in /metrics and reports the source in /readyz', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).to.match(/okta_hook_fact_lookups_total\{fact="member"\} [1-9]/);
    expect(metrics).to.match(/okta_hook_fact_duration_seconds_count\{fact="member"\} [1-9]/);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as Record<string, unknown>;
    expect(ready.status).to.equal('ready');
    expect(ready.factSources).to.deep.equal([{ source: 'sql:MEMBERS_DB', state: 'up', circuit: 'closed' }]);
  });

  it('a stalled server (SIGSTOP): every answer comes within the deadline, denied and named; then the circuit opens; ready throughout', async () => {
    db.pause();
    try {
      const started = performance.now();
      // Different members: no cache, no coalescing; all in flight at once.
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(`M-SECRET-${i}`, '1990-04-01')));
      const took = performance.now() - started;
      for (const answer of answers) {
        expect(answer.status).to.equal(200);
        expect(answer.body.debugContext).to.include({ decision: 'DENY', decidedBy: 'error:members-only', failedFacts: 'member:timeout' });
      }
      // The fact's own timeout (300 ms) ends each lookup, well inside FACTS_DEADLINE_MS; the margin is scheduling noise.
      expect(took).to.be.below(800 + 400);
      const later = await post('2100', '1990-04-01');
      expect(later.body.debugContext.failedFacts).to.equal('member:circuit_open');
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).to.equal(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).to.match(/okta_hook_fact_failures_total\{fact="member",kind="timeout"\} [1-9]/);
      expect(metrics).to.match(/okta_hook_fact_failures_total\{fact="member",kind="circuit_open"\} [1-9]/);
      expect(metrics).to.match(/okta_hook_fact_source_up\{source="sql:MEMBERS_DB"\} 0/);
      const failures = server.logs.lines.filter((line) => line.msg === 'fact lookup failed');
      expect(failures.length).to.be.at.least(9);
      expect(failures[0]).to.include({ fact: 'member', source: 'sql:MEMBERS_DB', kind: 'timeout', onError: 'deny' });
      expect(JSON.stringify(server.logs.lines)).not.to.match(/M-SECRET|1990-04-01/);
    } finally {
      db.resume();
    }
  });

  it('recovers once the server answers again (the breaker lets a trial through)', async () => {
    let body: any;
    for (let i = 0; i < 100; i++) {
      body = (await post('1001', '1990-04-01')).body;
      if (body.debugContext.decision === 'ALLOW') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body.debugContext.decision).to.equal('ALLOW');
  });

  it('a lookup the database refuses is logged with its SQLSTATE named, never the value', async () => {
    const answer = await post('1001', '14/02/1980');
    expect(answer.body.debugContext).to.include({ decision: 'DENY', decidedBy: 'error:members-only', failedFacts: 'member:query_error' });
    const failure = server.logs.lines.find((line) => line.msg === 'fact lookup failed' && line.kind === 'query_error');
    expect(failure).to.include({ fact: 'member', reason: 'the query failed (SQLSTATE 22008 datetime_field_overflow)' });
    expect(JSON.stringify(server.logs.lines)).not.to.include('14/02/1980');
  });
});

describe('facts: the start prepares each SQL fact on its database', function () {
  this.timeout(120_000);
  let db: PostgresServer;
  before(async () => {
    db = await startPostgres();
    await db.sql(readFileSync(MEMBERS_SEED, 'utf8'));
  });
  after(() => db?.stop());

  it('a misspelt column stops the start, at the fact, with the SQLSTATE named; nothing runs', async () => {
    const sql = "SELECT plann, nextval('visits') FROM members WHERE member_number = $1 AND birth_date = $2::date";
    const rules = await tempRules({ 'members.yaml': memberRules({ sql }) });
    try {
      const error = await startTestServer({ RULES_DIR: rules.dir, MEMBERS_DB: db.url }).then(
        (server) => server.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RulesetLoadError);
      expect((error as RulesetLoadError).errors.map(formatRuleError)).to.deep.equal([
        `${rules.dir}/members.yaml:2:3: fact "member": MEMBERS_DB refuses the SQL: 42703 undefined_column: column "plann" does not exist`,
      ]);
    } finally {
      await rules.cleanup();
    }
    // Prepared, never run: the sequence in the statement did not move.
    await db.sql("DO $$ BEGIN IF (SELECT is_called FROM visits) THEN RAISE EXCEPTION 'visits moved'; END IF; END $$");
  });
  it('a reload that brings a misspelt column is refused the same way; the last good rules keep serving', async () => {
    const rules = await tempRules({ 'members.yaml': memberRules({}) });
    const server = await startTestServer({ RULES_DIR: rules.dir, MEMBERS_DB: db.url });
    try {
      const served = server.store.current().version;
      await rules.write('members.yaml', memberRules({ sql: 'SELECT plann FROM members WHERE member_number = $1 AND birth_date = $2::date' }));
      const outcome = await server.reloader.reload('test');
      expect(outcome.status).to.equal('rejected');
      expect(server.store.current().version).to.equal(served);
      const logged = server.logs.lines.filter((line) => line.event === 'rules-reload-error').map((line) => line.at);
      expect(logged).to.deep.equal([`${rules.dir}/members.yaml:2:3: fact "member": MEMBERS_DB refuses the SQL: 42703 undefined_column: column "plann" does not exist`]);
      const answer = await server.post('/registrationHook', memberRequest('1001', '1990-04-01'));
      expect(answer.body.debugContext.rulesetVersion).to.equal(served);
      expect(answer.body.debugContext).to.not.have.property('failedFacts');
    } finally {
      await server.close();
      await rules.cleanup();
    }
  });
});

describe('facts: the hook route when the database is down at start', function () {
  this.timeout(60_000);
  it('starts, stays ready, and fails the fact per its onError', async () => {
    const rules = await tempRules({ 'members.yaml': memberRules({ timeout: '300ms', onError: 'allow' }) });
    const server = await startTestServer({ RULES_DIR: rules.dir, MEMBERS_DB: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      const answer = await server.post('/registrationHook', memberRequest('1001', '1990-04-01'));
      expect(answer.body.debugContext).to.include({ decision: 'ALLOW', decidedBy: 'error:members-only', failedFacts: 'member:unavailable' });
      expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
      expect(server.logs.lines.some((line) => line.msg?.toString().startsWith('fact database is unavailable'))).to.equal(true);
    } finally {
      await server.close();
      await rules.cleanup();
    }
  });
});
