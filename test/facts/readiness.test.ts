import { expect } from 'chai';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempRules } from '../helpers/tempRules.js';

/** A ruleset with an HTTP fact at `url` and a SQL fact on a database variable no test sets. */
const twoSources = (url: string) => `facts:
  rep:
    http: ${url}/check
    query: { email: { var: email } }
    timeout: 300ms
    onError: skip
  member:
    sql: SELECT plan FROM members WHERE email = $1
    params: [{ var: email }]
    database: READYZ_UNSET_DB
    timeout: 300ms
    onError: skip
rules:
  - id: risky
    description: risky addresses are refused
    appliesTo: [self.service.registration]
    when: { or: [{ var: facts.rep.risky }, { var: facts.member }] }
    then: { deny: { message: no } }
`;

describe('/readyz lists the fact sources of the loaded rules from the start', function () {
  this.timeout(60_000);
  let api: ApiServer;
  let other: ApiServer;
  let server: TestServer;
  let rules: Awaited<ReturnType<typeof tempRules>>;
  before(async () => {
    [api, other] = await Promise.all([startApiServer(), startApiServer()]);
    rules = await tempRules({ 'r.yaml': twoSources(api.url) });
    server = await startTestServer({ RULES_DIR: rules.dir });
  });
  after(async () => {
    await server?.close();
    await Promise.all([api?.close(), other?.close()]);
    await rules?.cleanup();
  });
  const ready = async () => (await (await fetch(`${server.url}/readyz`)).json()) as { factSources?: unknown[] };

  it('before any lookup: every source, in a state that says nothing is known yet', async () => {
    expect(api.targets).to.deep.equal([]);
    expect((await ready()).factSources).to.deep.equal([
      { source: api.url, state: 'unknown', circuit: 'closed' },
      { source: 'sql:READYZ_UNSET_DB', state: 'unconfigured', circuit: 'closed' },
    ]);
  });

  it('after a lookup, the HTTP source says up; the list stays the same whatever the requests held', async () => {
    for (const email of ['a@x.example', 'b@y.example', 'c@z.example']) {
      const answer = await server.post('/registrationHook', { requestType: 'self.service.registration', data: { userProfile: { email } } });
      expect(answer.status).to.equal(200);
    }
    expect((await ready()).factSources).to.deep.equal([
      { source: api.url, state: 'up', circuit: 'closed' },
      { source: 'sql:READYZ_UNSET_DB', state: 'unconfigured', circuit: 'closed' },
    ]);
  });

  it('a reload that names another source lists it at once, and drops the one no fact names any more', async () => {
    await rules.write('r.yaml', twoSources(other.url));
    expect((await server.reloader.reload('test')).status).to.equal('swapped');
    expect((await ready()).factSources).to.deep.equal([
      { source: other.url, state: 'unknown', circuit: 'closed' },
      { source: 'sql:READYZ_UNSET_DB', state: 'unconfigured', circuit: 'closed' },
    ]);
    expect(other.targets).to.deep.equal([]);
  });
});
