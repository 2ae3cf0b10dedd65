import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { evaluate } from '../../src/engine/evaluate.js';
import { isSourceFault } from '../../src/facts/breaker.js';
import type { FactEnvironment } from '../../src/facts/compileFact.js';
import { FactMetrics } from '../../src/facts/factMetrics.js';
import type { FactSources } from '../../src/facts/FactSources.js';
import { resolveFacts } from '../../src/facts/resolveFacts.js';
import { deadlineIn } from '../../src/core/stage.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import type { Json, OktaHookRequest } from '../../src/okta/types.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { listFiles } from '../../src/rules/loadRuleset.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError } from '../../src/language/RuleError.js';
import { startApiServer, type ApiServer } from '../helpers/apiServer.js';
import { samples } from '../helpers/metricSamples.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';
import { loadWith, sourcesFor } from './support.js';

/** An employee fact read by one rule; `fact` holds the fact's own lines (http, path, …). */
const employeeRules = (fact: string) => `facts:
  employee:
${fact.replace(/^/gm, '    ')}
rules:
  - id: employees-only
    description: the employee number must name an employee
    appliesTo: [self.service.registration]
    when: { "!": [{ var: facts.employee }] }
    then: { deny: { message: not an employee } }
`;

const request = (employeeNumber: Json) => registrationContext({ requestType: 'self.service.registration', data: { userProfile: { email: 'ann@example.com', employeeNumber } } } as OktaHookRequest);

describe('facts: an HTTP fact\'s URL is a template the request cannot steer', function () {
  this.timeout(60_000);

  describe('checked at load (file:line:column)', () => {
    const rules = tempRulesPerTest();
    const ENV: FactEnvironment = { env: {}, production: false };
    async function errors(text: string, environment: FactEnvironment = ENV): Promise<string[]> {
      const t = await rules({ 'r.yaml': text });
      const result = await loadHookRuleset(t.dir, { environment });
      expect(result.ok, 'the load should fail').to.equal(false);
      return result.ok ? [] : result.errors.map((e) => formatRuleError(e).replace(t.dir + '/', ''));
    }

    it('refuses an http built with JSON-Logic, with the template form as the hint', async () => {
      const found = await errors(employeeRules('http: { cat: [https://hr.example/v1/employees/, { var: profile.employeeNumber }] }'));
      expect(found).to.have.length(1);
      expect(found[0]).to.match(/^r\.yaml:3:11: fact "employee": http is a URL template, not JSON-Logic/);
      expect(found[0]).to.include('https://api.example/v1/users/{id} with path: { id: { var: profile.employeeNumber } }');
    });

    it('refuses a placeholder without a path value, a path value no placeholder uses, and placeholders outside the path', async () => {
      expect(await errors(employeeRules('http: https://hr.example/v1/employees/{number}'))).to.deep.equal([
        'r.yaml:3:11: fact "employee": the placeholder {number} has no value: give it under path, e.g. path: { number: { var: profile.… } }',
      ]);
      expect(await errors(employeeRules('http: https://hr.example/v1/employees/{number}\npath: { number: { var: profile.employeeNumber }, extra: { var: email } }'))).to.deep.equal([
        'r.yaml:4:54: fact "employee": path.extra is not used: the URL has no {extra} placeholder',
      ]);
      expect(await errors(employeeRules('http: https://{tenant}.hr.example/v1/employees\npath: { tenant: { var: profile.tenant } }'))).to.deep.equal([
        'r.yaml:3:11: fact "employee": a placeholder in the scheme, host or port: only the path takes {name} placeholders',
      ]);
      expect(await errors(employeeRules('http: https://hr.example/v1/employees?id={number}\npath: { number: { var: profile.employeeNumber } }'))).to.deep.equal([
        'r.yaml:3:11: fact "employee": a placeholder after the path: give query parameters under query, not in the URL',
      ]);
      expect(await errors(employeeRules('http: https://hr.example/v1/{bad name}/x'))).to.deep.equal([
        'r.yaml:3:11: fact "employee": a "{" or "}" that is not a {name} placeholder (letters, digits, _): write a literal brace as %7B or %7D',
      ]);
    });

    it('refuses a literal path the URL parser would change', async () => {
      for (const path of ['/v1/../admin/{number}', '/v1/%2e%2e/{number}', '/v1/./{number}', '/v1\\\\{number}', '/v1/a b/{number}']) {
        const found = await errors(employeeRules(`http: "https://hr.example${path}"\npath: { number: { var: profile.employeeNumber } }`));
        expect(found, path).to.deep.equal([
          'r.yaml:3:11: fact "employee": write the path as it is sent: no "." or ".." segments, no backslash, and characters such as spaces or non-ASCII percent-encoded',
        ]);
      }
    });
  });

  describe('against a real loopback API', () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer();
    });
    after(() => api.close());
    const opened: FactSources[] = [];
    afterEach(async () => {
      while (opened.length) await opened.pop()!.close();
    });
    const sources = (options = {}) => {
      const made = sourcesFor({}, options);
      opened.push(made);
      return made;
    };
    const template = (extra = '') => employeeRules(`http: ${api.url}/v1/employees/{number}\npath: { number: { var: profile.employeeNumber } }\ntimeout: 500ms\n${extra}`);

    it('traversal input reaches the API as one encoded segment of the templated path, never another path', async () => {
      const ruleset = await loadWith({ 'r.yaml': template() }, {});
      const facts = sources();
      const hostile = ['../../admin/purge?x=', '%2e%2e/', '..\\', '%2e%2e', '.%2e', '..%2f..%2fadmin', 'a/b', 'x#y', '?', '...', '😀/..', 42];
      for (const value of hostile) {
        const before = api.targets.length;
        const found = await resolveFacts(ruleset, request(value), facts, { deadline: deadlineIn(2000) });
        expect(found.failures, String(value)).to.deep.equal({});
        expect(api.targets.slice(before), String(value)).to.deep.equal([`/v1/employees/${encodeURIComponent(String(value))}`]);
        // The API decodes it back to exactly what was typed: one record id, not a path.
        expect(found.values.employee, String(value)).to.deep.equal({ id: String(value), active: true });
      }
      expect(api.targets.filter((target) => !target.startsWith('/v1/employees/'))).to.deep.equal([]);
    });

    it('a value that is empty, "." or ".." (or missing, or not text) fails as bad_request without a request, following onError', async () => {
      const ruleset = await loadWith({ 'r.yaml': template('onError: skip\n') }, {});
      const facts = sources();
      const before = api.targets.length;
      for (const value of ['', '.', '..', null, { a: 1 }, ['x']]) {
        const found = await resolveFacts(ruleset, request(value), facts, { deadline: deadlineIn(2000) });
        expect(found.failures.employee, JSON.stringify(value)).to.include({ kind: 'bad_request', onError: 'skip' });
        expect(found.failures.employee!.message).to.match(/^the path value \{number\} is /);
        const decision = evaluate(ruleset, request(value), { facts: found, explain: true });
        expect(decision.trace[0]).to.include({ status: 'not-matched', factFailure: 'fact employee failed (bad_request), onError skip' });
      }
      expect(api.targets.length - before).to.equal(0);
      // Not the source's fault: twenty of them leave its circuit closed.
      for (let i = 0; i < 20; i++) await resolveFacts(ruleset, request('..'), facts, { deadline: deadlineIn(2000) });
      expect(facts.states(ruleset)).to.deep.equal([{ source: api.url, state: 'unknown', circuit: 'closed' }]);
    });

    it('the source is the literal origin: one breaker, one metric label and one /readyz entry whatever the input', async () => {
      const registry = new Registry();
      const ruleset = await loadWith({ 'r.yaml': template() }, {});
      const facts = sources({ metrics: new FactMetrics(registry) });
      for (let i = 0; i < 30; i++) {
        const found = await resolveFacts(ruleset, request(`x${i}/../../other-${i}.example/`), facts, { deadline: deadlineIn(2000) });
        expect(found.trace[0]!.source).to.equal(api.url);
      }
      const labels = [...samples(await registry.metrics()).keys()].filter((key) => key.startsWith('okta_hook_fact_source_up'));
      expect(labels).to.deep.equal([`okta_hook_fact_source_up{source="${api.url}"}`]);
      expect(facts.states(ruleset).map((s) => s.source)).to.deep.equal([api.url]);
    });
  });
});

describe('facts: only what says the source is unwell opens its circuit', function () {
  this.timeout(60_000);
  let api: ApiServer;
  before(async () => {
    api = await startApiServer();
  });
  after(() => api.close());
  const opened: FactSources[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });
  const sources = () => {
    const made = sourcesFor({});
    opened.push(made);
    return made;
  };
  const rules = (path: string, extra = '') => employeeRules(`http: ${api.url}${path}\ntimeout: 300ms\n${extra}`);
  /** `times` lookups with different employee numbers (no cache, no coalescing): the failure kinds in order. */
  const kinds = async (path: string, times: number, extra = '') => {
    const ruleset = await loadWith({ 'r.yaml': rules(path, extra) }, {});
    const facts = sources();
    const seen: string[] = [];
    for (let i = 0; i < times; i++) {
      const found = await resolveFacts(ruleset, request(`E${i}`), facts, { deadline: deadlineIn(2000) });
      seen.push(found.failures.employee?.kind ?? 'ok');
    }
    return { seen, state: facts.states(ruleset)[0] };
  };

  for (const status of [400, 401, 403, 409, 422]) {
    it(`HTTP ${status} ×20 fails each lookup as bad_response and never opens the circuit`, async () => {
      const before = api.hits.get(`/status/${status}`) ?? 0;
      const { seen, state } = await kinds(`/status/${status}`, 20);
      expect(seen).to.deep.equal(Array(20).fill('bad_response'));
      expect((api.hits.get(`/status/${status}`) ?? 0) - before).to.equal(20);
      expect(state).to.deep.equal({ source: api.url, state: 'up', circuit: 'closed' });
    });
  }

  it('a redirect is not followed, fails as bad_response and does not open the circuit', async () => {
    const { seen, state } = await kinds('/moved', 10);
    expect(seen).to.deep.equal(Array(10).fill('bad_response'));
    expect(state!.circuit).to.equal('closed');
  });

  for (const [path, kind] of [
    ['/status/500', 'bad_response'],
    ['/status/503', 'bad_response'],
    ['/status/429', 'bad_response'],
    ['/hang', 'timeout'],
  ] as const) {
    it(`${path} still opens the circuit: ${kind} at least five times, then circuit_open`, async () => {
      const { seen, state } = await kinds(path, 9);
      // A timed-out lookup may settle in the breaker just after the next one started: five or six.
      const opened = seen.indexOf('circuit_open');
      expect(opened, seen.join()).to.be.within(5, 6);
      expect(seen.slice(0, opened)).to.deep.equal(Array(opened).fill(kind));
      expect(seen.slice(opened)).to.deep.equal(Array(9 - opened).fill('circuit_open'));
      expect(state).to.deep.equal({ source: api.url, state: 'down', circuit: 'open' });
    });
  }

  it('the verdict is a field of the failure, not read from its message', () => {
    expect(isSourceFault({ ok: false, kind: 'bad_response', message: 'api answered HTTP 500', sourceFault: false })).to.equal(false);
    expect(isSourceFault({ ok: false, kind: 'bad_response', message: 'api answered HTTP 400', sourceFault: true })).to.equal(true);
    expect(isSourceFault({ ok: false, kind: 'timeout', message: 'no answer' })).to.equal(true);
    expect(isSourceFault({ ok: false, kind: 'query_error', message: 'the query failed (SQLSTATE 57014)' })).to.equal(false);
  });

  describe('404: no such record', () => {
    const template = (extra = '') => employeeRules(`http: ${api.url}/v1/employees/{number}\npath: { number: { var: profile.employeeNumber } }\n${extra}`);

    it('is the value null, cached like an answer; the rules decide with it', async () => {
      const ruleset = await loadWith({ 'r.yaml': template('cache: 5m\n') }, {});
      const facts = sources();
      const before = api.hits.get('/v1/employees/nobody') ?? 0;
      const first = await resolveFacts(ruleset, request('nobody'), facts, { deadline: deadlineIn(2000) });
      const second = await resolveFacts(ruleset, request('nobody'), facts, { deadline: deadlineIn(2000) });
      expect(first.failures).to.deep.equal({});
      expect(first.values.employee).to.equal(null);
      expect([first.trace[0]!.cacheHit, second.trace[0]!.cacheHit]).to.deep.equal([false, true]);
      expect(second.values.employee).to.equal(null);
      expect((api.hits.get('/v1/employees/nobody') ?? 0) - before).to.equal(1);
      expect(evaluate(ruleset, request('nobody'), { facts: first }).decidedBy).to.deep.equal({ kind: 'rule', ruleId: 'employees-only' });
      const known = await resolveFacts(ruleset, request('E7'), facts, { deadline: deadlineIn(2000) });
      expect(evaluate(ruleset, request('E7'), { facts: known }).outcome).to.equal('allow');
    });

    it('notFound: error makes it a bad_response failure (per onError), which does not open the circuit', async () => {
      const ruleset = await loadWith({ 'r.yaml': template('notFound: error\nonError: deny\n') }, {});
      const facts = sources();
      for (let i = 0; i < 10; i++) {
        const found = await resolveFacts(ruleset, request('nobody'), facts, { deadline: deadlineIn(2000) });
        expect(found.failures.employee).to.include({ kind: 'bad_response', onError: 'deny' });
        expect(found.failures.employee!.message).to.include('answered HTTP 404');
        expect(evaluate(ruleset, request('nobody'), { facts: found }).decidedBy).to.deep.equal({ kind: 'error', ruleId: 'employees-only' });
      }
      expect(facts.states(ruleset)[0]!.circuit).to.equal('closed');
    });
  });
});

describe('facts: the docs and examples build no URL with cat', () => {
  const rules = tempRulesPerTest();

  it('no file outside the tests joins an http(s) address with cat', async () => {
    const files = [path.join(PACKAGE_ROOT, 'README.md')];
    for (const folder of ['docs', 'examples', 'rules', 'schemas', 'src', 'bench', 'deploy', 'preview']) files.push(...(await listFiles(path.join(PACKAGE_ROOT, folder))));
    const found = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${path.relative(PACKAGE_ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => /\bcat\b\W{0,6}\[?\W{0,3}https?:/.test(line)),
    );
    expect(found.map(({ at }) => at)).to.deep.equal([]);
  });

  it("docs/facts.md's first example, with its HTTP facts, loads as it is", async () => {
    const doc = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'facts.md'), 'utf8');
    const example = /## The language\n\n```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(example).to.include('http: https://hr.example/v1/employees/{number}');
    const t = await rules({ 'r.yaml': example });
    const loaded = await loadHookRuleset(t.dir, { environment: { env: { MEMBERS_DB: 'pglite:memory', REPUTATION_API_KEY: 'k', HR_API_TOKEN: 't' }, production: true } });
    if (!loaded.ok) throw new Error(loaded.errors.map(formatRuleError).join('\n'));
    expect(loaded.warnings).to.deep.equal([]);
    expect(loaded.ruleset.facts.get('employee')!.sourceId).to.equal('https://hr.example');
  });
});
