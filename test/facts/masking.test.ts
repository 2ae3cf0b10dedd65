import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { startTestServer } from '../helpers/server.js';
import { tempRulesDir } from '../helpers/tempRules.js';

/**
 * A fetched fact's value is masked wherever it is shown, unless the fact says `reveal: true`:
 * the preview API, `hook-rules eval`, the rule-test report and the log. The source is a real
 * HTTP API on loopback that answers a person's record, none of whose fields looks like an
 * email or an IP address.
 */
const PERSON = { birth_date: '1980-02-14', member_number: 48213, phone_number: '+1 555 0100', ssn: '078-05-1120', verified: true };
const MASKED = { birth_date: '[string]', member_number: '[number]', phone_number: '[string]', ssn: '[string]', verified: '[boolean]' };
/** What must never appear when the fact is masked (and does when it is revealed). */
const CLEAR = ['1980-02-14', '48213', '555 0100', '078-05-1120'];

const rules = (api: string, reveal: boolean) => `facts:
  person:
    http: ${api}/person
    query: { email: { var: email } }
${reveal ? '    reveal: true\n' : ''}rules:
  - id: checks-person
    description: a person the registry knows, checked field by field
    appliesTo: [self.service.registration]
    when:
      and:
        - { "!=": [{ var: facts.person.ssn }, "000-00-0000"] }
        - { ">": [{ var: facts.person.member_number }, 0] }
        - { var: facts.person.verified }
        - { in: ["555", { var: facts.person.phone_number }] }
        - { "<": [{ var: facts.person.birth_date }, "2000-01-01"] }
    then: { allow: true }
  - id: number-as-attributes
    description: a mistake, updateFrom gets a number, so the rule throws quoting it
    appliesTo: [self.service.registration]
    when: { var: facts.person }
    then: { allow: true, updateFrom: { var: facts.person.member_number } }
`;

const SUITE = `tests:
  - name: expects a deny it does not get
    request: { profile: { email: ann@example.com } }
    expect: { decision: allow, decidedBy: checks-person }
`;

const CLIENT_CREDENTIALS = 'test/fixtures/okta/token/derived/derived-client-credentials-request.json';

const REQUEST = { requestType: 'self.service.registration', data: { userProfile: { email: 'ann@example.com' } } };

function expectMasked(text: string, where: string): void {
  for (const value of CLEAR) expect(text, `${where} shows ${value}`).not.to.include(value);
}

describe('fetched fact values are masked unless the fact says reveal', function () {
  this.timeout(120_000);
  let api: http.Server;
  let apiUrl: string;
  const dirs: Record<'masked' | 'revealed', { dir: string; remove(): Promise<void> }> = {} as never;

  before(async () => {
    api = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(PERSON));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    dirs.masked = await tempRulesDir({ 'person.yaml': rules(apiUrl, false), 'person.test.yaml': SUITE });
    dirs.revealed = await tempRulesDir({ 'person.yaml': rules(apiUrl, true), 'person.test.yaml': SUITE });
  });
  after(async () => {
    await dirs.masked?.remove();
    await dirs.revealed?.remove();
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
  });

  it('the preview API: the fact, what the conditions saw and each operand; the rule error quoting a value', async () => {
    for (const kind of ['masked', 'revealed'] as const) {
      const server = await startTestServer({ RULES_DIR: dirs[kind].dir, PREVIEW: '1' });
      try {
        const answer = await server.post('/preview/api/evaluate', REQUEST);
        expect(answer.status).to.equal(200);
        const { facts, trace, decision, response } = answer.body as Record<string, any>;
        const shown = JSON.stringify({ facts, trace, decision, response });
        if (kind === 'masked') {
          expect(facts[0].value).to.deep.equal(MASKED);
          expect(trace[0].saw).to.deep.include({ 'facts.person.ssn': '[string]', 'facts.person.member_number': '[number]' });
          // Computed from the fact: true and false stay (the outcome shows them), data does not.
          expect(trace[0].result).to.equal(true);
          expect(trace[1].error).to.equal('updateFrom must return an object of attributes, got the number [number]');
          expectMasked(shown, 'the preview');
        } else {
          expect(facts[0].value).to.deep.equal(PERSON);
          expect(trace[1].error).to.equal('updateFrom must return an object of attributes, got the number 48213');
          for (const value of CLEAR) expect(shown).to.include(value);
        }
      } finally {
        await server.close();
      }
    }
  });

  it('hook-rules eval, as JSON and as text', async () => {
    const input = JSON.stringify({ profile: { email: 'ann@example.com' } });
    const json = await runCli(['eval', '-', '--dir', dirs.masked.dir, '--json'], { input });
    expect(json.code, json.stderr).to.equal(0);
    expect((JSON.parse(json.stdout) as { facts: Array<{ value: unknown }> }).facts[0]!.value).to.deep.equal(MASKED);
    expectMasked(json.stdout, 'eval --json');
    const text = await runCli(['eval', '-', '--dir', dirs.masked.dir], { input });
    expect(text.stdout).to.include('person from http:');
    expect(text.stdout).to.include('"ssn":"[string]"');
    expectMasked(text.stdout, 'eval');

    const revealed = await runCli(['eval', '-', '--dir', dirs.revealed.dir], { input });
    for (const value of CLEAR) expect(revealed.stdout).to.include(value);
  });

  it('hook-rules eval --json of a token request: a value computed for a change not sent (no ID token is minted) is not printed', async () => {
    const dir = await tempRulesDir({
      'token.yaml': `facts:
  person: { http: ${apiUrl}/person }
rules:
  - id: ssn-in-id-token
    description: a claim from the fact, for the ID token, which client credentials do not mint
    appliesTo: [token]
    when: true
    then: { identity: { claims: { ssn: { var: facts.person.ssn } } } }
`,
    });
    try {
      const input = await readFile(CLIENT_CREDENTIALS, 'utf8');
      const json = await runCli(['eval', '-', '--dir', dir.dir, '--json'], { input });
      expect(json.code, json.stderr).to.equal(0);
      const printed = JSON.parse(json.stdout) as { dropped: string[]; response: object };
      expect(printed.dropped).to.have.length(1);
      expect(printed.dropped[0]).to.match(/^identity set ssn \(ssn-in-id-token\): token-not-minted: /);
      expectMasked(json.stdout, 'eval --json of a token request');
      const revealed = await runCli(['eval', '-', '--dir', dir.dir, '--json', '--reveal'], { input });
      expect(revealed.stdout).to.include('078-05-1120');
    } finally {
      await dir.remove();
    }
  });

  it('the rule-test report (test --live, with --explain)', async () => {
    const masked = await runCli(['test', dirs.masked.dir, '--live', '--explain']);
    expect(masked.code).to.equal(4);
    expect(masked.stdout).to.match(/^ {6}fact person \(http:[^)]+\): \{"birth_date":"\[string\]","member_number":"\[number\]","phone_number":"\[string\]","ssn":"\[string\]"/m);
    expect(masked.stdout).to.include('saw: facts.person.ssn = "[string]"');
    expectMasked(masked.stdout, 'the rule-test report');

    const revealed = await runCli(['test', dirs.revealed.dir, '--live', '--explain']);
    expect(revealed.code).to.equal(4);
    for (const value of CLEAR) expect(revealed.stdout).to.include(value);
  });

  it('the log line of the rule error, and debugContext, even with LOG_PII on', async () => {
    for (const env of [{}, { LOG_PII: '1' }] as Array<Record<string, string>>) {
      const server = await startTestServer({ RULES_DIR: dirs.masked.dir, ...env });
      try {
        const answer = await server.post('/registrationHook', REQUEST);
        expect(answer.status).to.equal(200);
        expect(answer.body.debugContext.internalReason).to.equal('rule number-as-attributes failed: updateFrom must return an object of attributes, got the number [number]');
        const failed = server.logs.lines.filter((line) => line.msg === 'rule evaluation failed');
        expect(failed).to.have.length(1);
        expect(JSON.stringify(failed[0])).to.include('got the number [number]');
        expectMasked(JSON.stringify(server.logs.lines), 'the log');
      } finally {
        await server.close();
      }
    }
    const server = await startTestServer({ RULES_DIR: dirs.revealed.dir });
    try {
      await server.post('/registrationHook', REQUEST);
      expect(JSON.stringify(server.logs.lines.find((line) => line.msg === 'rule evaluation failed'))).to.include('got the number 48213');
    } finally {
      await server.close();
    }
  });
});
