import { expect } from 'chai';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempRules } from '../helpers/tempRules.js';

/** The preview page's API fetches facts as the hook does and shows each one (masked), or its failure. */
describe('facts on the preview page (API)', function () {
  this.timeout(60_000);
  let api: ApiServer;
  let server: TestServer;
  let cleanup: () => Promise<void>;

  before(async () => {
    api = await startApiServer();
    const rules = await tempRules({
      'reputation.yaml': `facts:
  rep:
    http: ${api.url}/check
    query: { email: { var: email } }
    timeout: 500ms
    onError: skip
  slow:
    http: ${api.url}/fail
    timeout: 500ms
    onError: skip
rules:
  - id: risky
    description: risky addresses are refused
    appliesTo: [self.service.registration]
    when: { or: [{ var: facts.rep.risky }, { var: facts.slow.risky }] }
    then: { deny: { message: no } }
`,
    });
    cleanup = rules.cleanup;
    server = await startTestServer({ RULES_DIR: rules.dir, PREVIEW: '1' });
  });
  after(async () => {
    await server?.close();
    await api?.close();
    await cleanup?.();
  });

  it('returns each fact: source, time, cache hit, the value masked (every scalar), or the failure and onError', async () => {
    const answer = await server.post('/preview/api/evaluate', { requestType: 'self.service.registration', data: { userProfile: { email: 'bo@risky.example' } } });
    expect(answer.status).to.equal(200);
    const facts = answer.body.facts as Array<Record<string, any>>;
    expect(facts.map((f) => f.name)).to.deep.equal(['rep', 'slow']);
    expect(facts[0]).to.include({ source: api.url, cacheHit: false });
    expect(facts[0]!.value).to.deep.equal({ email: '[string]', risky: '[boolean]', method: '[string]' });
    expect(facts[1]!.failure).to.deep.equal({ kind: 'bad_response', message: `${new URL(api.url).host} answered HTTP 500`, onError: 'skip' });
    // The rule reads a failed fact with onError skip: it counts as not matched, and the default allows.
    expect(answer.body.decision.outcome).to.equal('allow');
    expect(answer.body.trace[0]).to.include({ status: 'not-matched', factFailure: 'fact slow failed (bad_response), onError skip' });
    expect(answer.body.response.debugContext.failedFacts).to.equal('slow:bad_response');
  });

  it('the page has a place for the facts', async () => {
    const html = await (await fetch(`${server.url}/preview`)).text();
    expect(html).to.include('<ol id="facts" class="trace"></ol>');
  });
});
