import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/runCli.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

const MEMBER_CHECK = 'examples/member-check';
const PGLITE_MEMBERS = { MEMBERS_DB: 'pglite:memory?seed=examples/member-check/schema.sql' };
const ANN = JSON.stringify({ profile: { email: 'ann@example.com', memberNumber: '1001', birthDate: '1990-04-01' } });

describe('facts in the CLI (eval, test --live, validate)', function () {
  this.timeout(120_000);
  const rules = tempRulesPerTest();

  it('eval --facts: decides with facts given by hand and shows them; a failure shows its onError', async () => {
    const t = await rules();
    const given = await t.write('facts.json', JSON.stringify({ member: { plan: 'silver', status: 'active' } }));
    const ok = await runCli(['eval', '-', '--dir', MEMBER_CHECK, '--facts', given], { input: ANN });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.include('Sets plan = "silver" (rule copy-plan)');
    expect(ok.stdout).to.include('member from given in 0 ms: {"plan":"silver","status":"active"}');

    const failed = await t.write('failed.json', JSON.stringify({ member: { error: 'timeout' } }));
    const denied = await runCli(['eval', '-', '--dir', MEMBER_CHECK, '--facts', failed], { input: ANN });
    expect(denied.stdout).to.include('member from given in 0 ms: FAILED (timeout: given by the test); onError deny applied');
    expect(denied.stdout).to.include('error: fact member failed (timeout), onError deny');
    expect(denied.stdout).to.include('"failedFacts": "member:timeout"');

    const unknown = await t.write('unknown.json', JSON.stringify({ membr: null }));
    const refused = await runCli(['eval', '-', '--dir', MEMBER_CHECK, '--facts', unknown], { input: ANN });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('facts: "membr" is not a fact of this ruleset (facts: member)');
  });

  it('eval fetches from the database the environment names (PGlite seeded from the example), and test --live runs the suite against it', async () => {
    const live = await runCli(['eval', '-', '--dir', MEMBER_CHECK, '--json'], { input: ANN, env: PGLITE_MEMBERS });
    expect(live.code, live.stderr).to.equal(0);
    const out = JSON.parse(live.stdout) as { response: { commands: unknown[] }; facts: Array<Record<string, unknown>> };
    expect(out.response.commands[0]).to.deep.equal({ type: 'com.okta.user.profile.update', value: { plan: 'gold' } });
    expect(out.facts[0]).to.include({ name: 'member', source: 'sql:MEMBERS_DB', cacheHit: false });
    expect(out.facts[0]!.value).to.deep.equal({ plan: '[string]', status: '[string]' });

    const suite = await runCli(['test', MEMBER_CHECK, '--live'], { env: PGLITE_MEMBERS });
    expect(suite.code, suite.stdout + suite.stderr).to.equal(0);
    expect(suite.stdout).to.include('Rule tests: 6 passed, 0 failed');
  });

  it('test --live shows a case whose given value the database contradicts', async () => {
    const t = await rules();
    const dir = path.join(t.dir, 'rules');
    await t.write('rules/members.yaml', await readFile(`${MEMBER_CHECK}/members.yaml`, 'utf8'));
    await t.write(
      'rules/members.test.yaml',
      `tests:
  - name: member 1003 has the gold plan (the table says silver)
    request: { profile: { email: a@example.com, memberNumber: "1003", birthDate: "1972-07-15" } }
    facts: { member: { plan: gold, status: active } }
    expect: { decision: allow, updates: { plan: gold } }
`,
    );
    expect((await runCli(['test', dir])).code).to.equal(0); // by the given fact
    const live = await runCli(['test', dir, '--live'], { env: { MEMBERS_DB: `pglite:memory?seed=${path.resolve(MEMBER_CHECK, 'schema.sql')}` } });
    expect(live.code).to.equal(4);
    expect(live.stdout).to.include('updates: expected {"plan":"gold"}, got {"plan":"silver"}');
  });

  it('validate warns about an unset database variable, and refuses it with NODE_ENV=production', async () => {
    const env = { MEMBERS_DB: '' };
    const dev = await runCli(['validate', MEMBER_CHECK], { env });
    expect(dev.code).to.equal(0);
    // Once, as every warning: file:line:column: warning: message.
    expect(dev.stderr).to.match(/^examples\/member-check\/members.yaml:19:15: warning: fact "member": environment variable MEMBERS_DB \(the database URL\) is not set$/m);
    expect(dev.stderr.match(/MEMBERS_DB \(the database URL\)/g)).to.have.length(1);
    expect(dev.stdout).to.include('facts: member');
    const prod = await runCli(['validate', MEMBER_CHECK], { env: { ...env, NODE_ENV: 'production' } });
    expect(prod.code).to.equal(3);
    expect(prod.stderr).to.include('examples/member-check/members.yaml:19:15: fact "member": environment variable MEMBERS_DB (the database URL) is not set');
  });

  it('validate prepares each SQL fact on the database its variable names: a misspelt column is an error at the fact, with the SQLSTATE named', async () => {
    const t = await rules();
    const yaml = (await readFile(`${MEMBER_CHECK}/members.yaml`, 'utf8')).replace('SELECT plan, status FROM members', 'SELECT plan, statuss FROM members');
    await t.write('rules/members.yaml', yaml);
    const dir = path.join(t.dir, 'rules');
    const seeded = { MEMBERS_DB: `pglite:memory?seed=${path.resolve(MEMBER_CHECK, 'schema.sql')}` };
    const bad = await runCli(['validate', dir], { env: seeded });
    expect(bad.code, bad.stdout + bad.stderr).to.equal(3);
    expect(bad.stderr).to.match(/members\.yaml:10:3: fact "member": MEMBERS_DB refuses the SQL: 42703 undefined_column: column "statuss" does not exist/);
    expect(bad.stderr).to.include('1 error: the ruleset in');
    // The example itself prepares fine; without the variable the check is skipped, and says so.
    const good = await runCli(['validate', MEMBER_CHECK], { env: seeded });
    expect(good.code, good.stderr).to.equal(0);
    expect(good.stderr).not.to.include('not checked');
    const unset = await runCli(['validate', dir], { env: { MEMBERS_DB: '' } });
    expect(unset.code).to.equal(0);
    // As every warning: file:line:column: warning: message.
    expect(unset.stderr).to.match(/^\S*members\.yaml:10:3: warning: fact "member": the SQL was not checked against a database \(MEMBERS_DB is not set\)$/m);
  });

  it('a postgres URL whose parameters could change the session (options, statement_timeout) is refused at load, naming the parameter', async () => {
    const url = 'postgres://hook:s3cret@127.0.0.1:1/members';
    for (const parameter of ['options=-c%20default_transaction_read_only%3Doff', 'statement_timeout=0', 'replication=database']) {
      const refused = await runCli(['validate', MEMBER_CHECK], { env: { MEMBERS_DB: `${url}?${parameter}` } });
      expect(refused.code, refused.stderr).to.equal(3);
      expect(refused.stderr).to.include(`members.yaml:19:15: fact "member": MEMBERS_DB: the URL parameter "${parameter.split('=')[0]}" is not allowed`);
      expect(refused.stderr).not.to.include('s3cret');
      expect(refused.stderr).not.to.include('default_transaction_read_only');
    }
  });

  it('a database URL of another kind is refused at load, without printing the URL', async () => {
    const bad = await runCli(['validate', MEMBER_CHECK], { env: { MEMBERS_DB: 'mysql://root:hunter2@db/members' } });
    expect(bad.code).to.equal(3);
    expect(bad.stderr).to.include('MEMBERS_DB: the URL must start with postgres://, postgresql:// or pglite: (it starts with "mysql:")');
    expect(bad.stderr).not.to.include('hunter2');
  });
});
