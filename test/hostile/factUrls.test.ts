import { expect } from 'chai';
import fc from 'fast-check';
import { ssrRequest } from '../helpers/fixtures.js';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { samples } from '../helpers/metricSamples.js';
import { count, runs } from './support/budget.js';
import { startHostileServer, type HostileServer } from './support/hostileServer.js';
import { anyString } from './support/mutations.js';

// An HTTP fact whose path takes what the registrant typed. Whatever they type, the API sees one
// segment under /v1/employees/ (or nothing at all), never another path; the answer is a valid
// Okta answer; and the fact's sources (readiness, metric labels) stay the one literal origin.

/** Path traversal as people try it: encoded, doubled, with backslashes, queries and fragments. */
const TRAVERSALS = [
  '../../admin/purge?x=', '../admin', '%2e%2e/', '%2e%2e%2fadmin', '%252e%252e%252f', '..\\', '..\\..\\admin', '.%2e/', '%2e./',
  '..;/admin', '../../../../../../etc/passwd', '/admin', '//evil.example/x', 'http://evil.example/', '@evil.example', 'a#frag',
  '?purge=1', '..%00/', '..%c0%af', '\u2025/', '\uFF0E\uFF0E/', '.', '..', '', ' ', '...', '....//',
];

describe('hostile input in an HTTP fact\'s path', function () {
  this.timeout(120_000);
  let api: ApiServer;
  let hostile: HostileServer;
  before(async () => {
    api = await startApiServer();
    hostile = await startHostileServer(
      {},
      {
        'employee.yaml': `facts:
  employee:
    http: ${api.url}/v1/employees/{number}
    path: { number: { var: profile.employeeNumber } }
    timeout: 500ms
    onError: skip
rules:
  - id: employees-only
    description: the employee number must name an employee
    appliesTo: [self.service.registration]
    when: { "!": [{ var: facts.employee }] }
    then: { deny: { message: not an employee } }
`,
      },
    );
  });
  after(async () => {
    await hostile?.checkAfterwards();
    await hostile?.stop();
    await api?.close();
  });

  /** Posts one employee number; every request it caused at the API must be one segment under the template. */
  async function tryNumber(value: string): Promise<void> {
    const before = api.targets.length;
    await hostile.expectAnswer(JSON.stringify(ssrRequest({ email: 'ann@example.com', employeeNumber: value })), 200);
    for (const target of api.targets.slice(before)) {
      const segment = /^\/v1\/employees\/([^/?#]+)$/.exec(target)?.[1];
      expect(segment, `${JSON.stringify(value)} reached ${target}`).to.be.a('string');
      expect(decodeURIComponent(segment!), target).to.equal(value);
    }
  }

  it('traversal inputs reach the API as one encoded segment, or not at all', async () => {
    for (const value of TRAVERSALS) {
      count('fact path traversal');
      await tryNumber(value);
    }
    // ".", ".." and empty never leave the service: they fail the fact as bad_request.
    const sent = new Set(api.targets.map((target) => decodeURIComponent(target.slice('/v1/employees/'.length))));
    for (const value of ['.', '..', '']) expect(sent.has(value), JSON.stringify(value)).to.equal(false);
  });

  it('any string typed as the employee number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyString, fc.constantFrom(...TRAVERSALS), fc.array(fc.constantFrom('..', '.', '/', '\\', '%2e', '%2f', '?', '#', 'x'), { maxLength: 8 }).map((parts) => parts.join(''))), async (value) => {
        count('fact path any string');
        await tryNumber(value);
      }),
      { numRuns: runs(80) },
    );
  });

  it('the sources stay the one literal origin: /readyz and the source metric', async () => {
    const ready = (await (await fetch(`${hostile.url}/readyz`)).json()) as { factSources: Array<{ source: string }> };
    expect(ready.factSources.map((s) => s.source)).to.deep.equal([api.url]);
    const labels = [...samples(await (await fetch(`${hostile.url}/metrics`)).text()).keys()].filter((key) => key.startsWith('okta_hook_fact_source_up'));
    expect(labels).to.deep.equal([`okta_hook_fact_source_up{source="${api.url}"}`]);
  });
});
