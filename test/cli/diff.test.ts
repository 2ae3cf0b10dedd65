import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { runCli } from '../helpers/runCli.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

/** Sign-ups from our domains only; `allowed` is the condition that lets an address through. */
function domainRules(allowed: string, extra = ''): string {
  return `defaults:
  self.service.registration: allow
lists:
  ourDomains: { kind: domains, values: [acme.example] }
rules:
  - id: deny-other-domains
    description: Only our addresses may register.
    appliesTo: [self.service.registration]
    when: { "!": ${allowed} }
    then:
      deny:
        message: Registration is open to Acme addresses only.
        causes: [{ message: Use your Acme address., reason: INVALID_EMAIL_DOMAIN, location: data.userProfile.email }]
${extra}`;
}

/** Before: acme.example and its sub-domains (a domains list). After: acme.example itself only. */
const LOOSE = domainRules('{ in_list: [{ var: email }, ourDomains] }');
const TIGHT = domainRules('{ "==": [{ var: emailDomain }, acme.example] }');

const SUITE = `tests:
  - name: jo at acme.example may register
    request: { profile: { email: jo@acme.example } }
    expect: { decision: allow }
  - name: jo at eu.acme.example may register
    request: { profile: { email: jo@eu.acme.example } }
    expect: { decision: allow }
  - name: jo at gmail.com may not
    request: { profile: { email: jo@gmail.com } }
    expect: { decision: deny }
`;

/** Token rules: a tier claim for everyone, a shorter lifetime outside the office; `extra` adds rules. */
function tokenRules(tier: string, lifetime: string, extra = ''): string {
  return `lists:
  officeNetworks: { kind: networks, values: [10.0.0.0/8] }
defaults:
  token: allow
rules:
  - id: tier-claim
    description: Every access token says its tier.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { tier: ${tier} } }
  - id: short-lived-outside-office
    description: Tokens minted outside the office network live shorter.
    appliesTo: [token]
    when: { "!": { in_list: [{ var: ipAddress }, officeNetworks] } }
    then:
      access: { lifetime: ${lifetime} }
${extra}`;
}

const TOKEN_SUITE = `tests:
  - name: in the office
    request: { requestType: token, ipAddress: 10.1.2.3 }
    expect: { decision: allow }
  - name: outside the office
    request: { requestType: token, ipAddress: 203.0.113.7 }
    expect: { decision: allow }
`;

describe('hook-rules diff (child process)', () => {
  const rules = tempRulesPerTest();

  it('names a tightened domain rule and lists the cases that go from ALLOW to DENY; exit 1', async () => {
    const before = await rules({ 'registration.yaml': LOOSE, 'registration.test.yaml': SUITE });
    // The pull request changes the test with the rule: the request stays the same, so it is one request.
    const tightened = SUITE.replace('eu.acme.example } }\n    expect: { decision: allow }', 'eu.acme.example } }\n    expect: { decision: deny }');
    expect(tightened).not.to.equal(SUITE);
    const after = await rules({ 'registration.yaml': TIGHT, 'registration.test.yaml': tightened });
    const result = await runCli(['diff', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.include('Rules:\n  ~ deny-other-domains (registration.yaml:6): when');
    expect(result.stdout).to.include('Answers: 3 requests decided by both; 1 answer changes:');
    expect(result.stdout).to.match(/registration\.test\.yaml › jo at eu\.acme\.example may register\n\s+decision:\s+ALLOW → DENY\n\s+decidedBy:\s+default → deny-other-domains\n\s+message:\s+\(none\) → "Registration is open to Acme addresses only\."/);
    // The cases whose answer stays the same are not listed.
    expect(result.stdout).not.to.include('jo at acme.example may register');
    expect(result.stdout).not.to.include('jo at gmail.com');
  });

  it('gives the same as JSON for tools', async () => {
    const before = await rules({ 'registration.yaml': LOOSE, 'registration.test.yaml': SUITE });
    const after = await rules({ 'registration.yaml': TIGHT });
    const result = await runCli(['diff', '--json', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    const report = JSON.parse(result.stdout) as {
      changes: { rules: Array<{ name: string; change: string; fields: string[] }> };
      answers: { compared: number; changes: Array<{ name: string; fields: string[]; before: Record<string, unknown>; after: Record<string, unknown> }> };
    };
    expect(report.changes.rules).to.deep.equal([{ name: 'deny-other-domains', change: 'changed', at: 'registration.yaml:6', fields: ['when'] }]);
    expect(report.answers.compared).to.equal(3);
    expect(report.answers.changes.map((c) => [c.name, c.before.decision, c.after.decision, c.after.decidedBy])).to.deep.equal([
      ['registration.test.yaml › jo at eu.acme.example may register', 'ALLOW', 'DENY', 'deny-other-domains'],
    ]);
    expect(report.answers.changes[0]!.fields).to.deep.equal(['decision', 'decidedBy', 'message', 'causes']);
  });

  it('exits 0 for an unchanged copy of the default rules, every case compared', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-copy-'));
    try {
      await cp(path.join(PACKAGE_ROOT, 'rules'), copy, { recursive: true });
      const result = await runCli(['diff', 'rules', copy]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('No change to rules, lists, facts, counters or settings.');
      expect(result.stdout).to.match(/Answers: (\d+) requests decided by both; no answer changes\./);
      expect(result.stdout).not.to.include('Not compared');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('exits 3 when either ruleset is invalid, naming the side', async () => {
    const good = await rules({ 'registration.yaml': LOOSE });
    const bad = await rules({ 'registration.yaml': LOOSE.replace('in_list', 'in_lst') });
    const after = await runCli(['diff', good.dir, bad.dir]);
    expect(after.code).to.equal(3);
    expect(after.stderr).to.match(/registration\.yaml:\d+:\d+: .*unknown operator "in_lst"/);
    expect(after.stderr).to.include(`the after ruleset in ${bad.dir} is invalid`);
    expect(after.stdout).to.equal('');
    const before = await runCli(['diff', bad.dir, good.dir]);
    expect(before.code).to.equal(3);
    expect(before.stderr).to.include(`the before ruleset in ${bad.dir} is invalid`);
  });

  it('lists the rules, lists, settings and defaults that changed', async () => {
    const before = await rules({
      'a.yaml': LOOSE + '  - id: old-rule\n    description: d\n    appliesTo: [self.service.registration]\n    when: false\n    then: { allow: true }\n',
      'b.yaml': 'lists:\n  blocked: { kind: domains, values: [a.test, b.test, c.test] }\nrules:\n  - id: deny-blocked\n    description: d\n    appliesTo: [self.service.registration]\n    when: { in_list: [{ var: email }, blocked] }\n    then: { deny: { message: no } }\n',
    });
    const after = await rules({
      'a.yaml': LOOSE.replace('self.service.registration: allow', 'self.service.registration: { deny: { message: closed } }') + 'settings: { denyCauses: all }\n',
      'b.yaml': 'lists:\n  blocked: { kind: domains, values: [a.test, d.test, e.test, f.test] }\nrules:\n  - id: deny-blocked\n    description: d\n    appliesTo: [self.service.registration]\n    when: { in_list: [{ var: email }, blocked] }\n    then: { deny: { message: "no, sorry" } }\n  - id: new-rule\n    description: d\n    appliesTo: [self.service.registration]\n    when: false\n    then: { allow: true }\n',
    });
    const result = await runCli(['diff', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(0); // no suites, no requests: no answer to change
    expect(result.stdout).to.include('  ~ deny-blocked (b.yaml:4): then.deny');
    expect(result.stdout).to.include('  + new-rule (b.yaml:9), added');
    expect(result.stdout).to.include('  - old-rule (a.yaml:14), removed or disabled');
    expect(result.stdout).to.include('Lists:\n  ~ blocked: entries (+3 -2 entries: 3 → 4)');
    expect(result.stdout).to.include('  ~ settings.denyCauses: first → all');
    expect(result.stdout).to.include('  ~ defaults.self.service.registration: allow → deny ("closed")');
    expect(result.stdout).to.include('Answers: 0 requests decided by both; no answer changes.');
  });

  it('decides the requests of --requests too: a JSON Lines file and a folder of Okta payloads', async () => {
    const before = await rules({ 'registration.yaml': LOOSE });
    const after = await rules({ 'registration.yaml': TIGHT });
    const inputs = await rules({
      'seen.jsonl': '{"profile": {"email": "ann@acme.example"}}\n\n{"profile": {"email": "bo@sales.acme.example"}}\n',
      'payloads/one.json': JSON.stringify({ requestType: 'self.service.registration', data: { userProfile: { email: 'cy@eu.acme.example' }, action: 'ALLOW' } }),
      'payloads/two.json': JSON.stringify({ requestType: 'self.service.registration', data: { userProfile: { email: 'di@gmail.com' }, action: 'ALLOW' } }),
    });
    const result = await runCli(['diff', before.dir, after.dir, '--requests', path.join(inputs.dir, 'seen.jsonl'), '--requests', path.join(inputs.dir, 'payloads')]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.include('Answers: 4 requests decided by both; 2 answers change:');
    expect(result.stdout).to.match(/\n {2}seen\.jsonl:3\n\s+decision:\s+ALLOW → DENY/);
    expect(result.stdout).to.match(/\n {2}one\.json\n\s+decision:\s+ALLOW → DENY/);
    expect(result.stdout).not.to.include('seen.jsonl:1');
    expect(result.stdout).not.to.include('two.json');
  });

  it('takes facts and counters from each case, never from a source', async () => {
    // The fact's database is never reachable: a fetch would fail and deny, a given value decides.
    const factRules = (plan: string) => `facts:
  member:
    sql: select plan from members where email = $1
    params: [{ var: email }]
    database: DIFF_TEST_UNSET_DATABASE_URL
    onError: deny
rules:
  - id: gold-only
    description: d
    appliesTo: [self.service.registration]
    when: { "!=": [{ var: facts.member.plan }, ${plan}] }
    then: { deny: { message: members only } }
`;
    const suite = `tests:
  - name: a gold member
    request: { profile: { email: jo@acme.example } }
    facts: { member: { plan: gold } }
    expect: { decision: allow }
`;
    const before = await rules({ 'r.yaml': factRules('gold'), 'r.test.yaml': suite });
    const after = await rules({ 'r.yaml': factRules('platinum').replace('params: [{ var: email }]', 'params: [{ var: email }]\n    timeout: 250ms'), 'r.test.yaml': suite });
    const result = await runCli(['diff', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.include('  ~ gold-only (r.yaml:9): when');
    expect(result.stdout).to.include('Facts:\n  ~ member (r.yaml:2): timeout');
    expect(result.stdout).to.match(/r\.test\.yaml › a gold member\n\s+decision:\s+ALLOW → DENY\n\s+decidedBy:\s+default → gold-only/);
  });

  it('reports a counter and its limit changed, deciding with the counts each case gives', async () => {
    const before = path.join(PACKAGE_ROOT, 'examples', 'anti-bot');
    const after = await rules();
    await cp(before, after.dir, { recursive: true });
    const file = path.join(after.dir, 'registration.yaml');
    const text = await readFile(file, 'utf8');
    // Tighter: 5 attempts in an hour are now too many.
    const tightened = text.replace('window: 10m', 'window: 1h').replace('{ ">": [{ var: counters.signupsPerIp }, 5] }', '{ ">": [{ var: counters.signupsPerIp }, 4] }');
    expect(tightened).not.to.equal(text);
    await writeFile(file, tightened);
    const result = await runCli(['diff', before, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.match(/Counters:\n {2}~ signupsPerIp \(registration\.yaml:20\): window\n/);
    expect(result.stdout).to.match(/Rules:\n {2}~ too-many-signups-from-one-ip \(registration\.yaml:\d+\): when\n/);
    expect(result.stdout).to.include('1 answer changes:');
    expect(result.stdout).to.match(/registration\.test\.yaml › the 5th attempt from one IP address is still allowed\n\s+decision:\s+ALLOW → DENY\n\s+decidedBy:\s+default → too-many-signups-from-one-ip/);
  });

  it('token requests: a change of a claim\'s value or of a lifetime alone is an answer change, each operation on a line', async () => {
    const before = await rules({ 'token.yaml': tokenRules('gold', '15m'), 'token.test.yaml': TOKEN_SUITE });
    const after = await rules({ 'token.yaml': tokenRules('platinum', '30m'), 'token.test.yaml': TOKEN_SUITE });
    const result = await runCli(['diff', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.include('Answers: 2 requests decided by both; 2 answers change:');
    expect(result.stdout).to.include(
      [
        '  token.test.yaml › outside the office',
        '    patches: ~ access /claims/tier: add "gold" → add "platinum"',
        '             ~ access /token/lifetime/expiration: replace 900 → replace 1800',
      ].join('\n'),
    );
    expect(result.stdout).to.include(['  token.test.yaml › in the office', '    patches: ~ access /claims/tier: add "gold" → add "platinum"', ''].join('\n'));
    // The decision and what decided it stay the same: only the patches are listed.
    expect(result.stdout).not.to.match(/decision:|decidedBy:/);
  });

  it('token requests: operations sent only before or only after, on the suites\' cases and on saved Okta payloads; --json lists them', async () => {
    const removal = `  - id: no-username-outside
    description: The ID token loses preferred_username outside the office.
    appliesTo: [token]
    when: { "!": { in_list: [{ var: ipAddress }, officeNetworks] } }
    then:
      identity: { remove: [preferred_username] }
`;
    const before = await rules({ 'token.yaml': tokenRules('gold', '15m', removal), 'token.test.yaml': TOKEN_SUITE });
    const after = await rules({ 'token.yaml': tokenRules('gold', '15m').replace('when: { "!": { in_list', 'when: { "!!": { in_list'), 'token.test.yaml': TOKEN_SUITE });
    const payloads = await rules();
    await cp(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'okta', 'token', 'ref-request-implicit-authorize.json'), path.join(payloads.dir, 'authorize.json'));
    await cp(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'okta', 'token', 'derived', 'derived-client-credentials-request.json'), path.join(payloads.dir, 'service.json'));

    const text = await runCli(['diff', before.dir, after.dir, '--requests', payloads.dir]);
    expect(text.code, text.stderr).to.equal(1);
    expect(text.stdout).to.include('Answers: 4 requests decided by both; 4 answers change:');
    // Outside the office the lifetime goes (the shorthand's ID token has no preferred_username to remove); inside, it comes.
    expect(text.stdout).to.include(['  token.test.yaml › outside the office', '    patches: - access /token/lifetime/expiration: replace 900', ''].join('\n'));
    expect(text.stdout).to.include(['  token.test.yaml › in the office', '    patches: + access /token/lifetime/expiration: replace 900', ''].join('\n'));
    // The published request comes from 127.0.0.1, outside 10.0.0.0/8: its removal and its lifetime go.
    expect(text.stdout).to.include(['  authorize.json', '    patches: - identity /claims/preferred_username: remove', '             - access /token/lifetime/expiration: replace 900', ''].join('\n'));
    // The client-credentials request comes from 10.20.30.40, inside: its lifetime comes.
    expect(text.stdout).to.include(['  service.json', '    patches: + access /token/lifetime/expiration: replace 900', ''].join('\n'));

    const json = await runCli(['diff', '--json', before.dir, after.dir, '--requests', payloads.dir]);
    expect(json.code, json.stderr).to.equal(1);
    const report = JSON.parse(json.stdout) as { answers: { changes: Array<{ name: string; fields: string[]; before: Record<string, unknown>; after: Record<string, unknown> }> } };
    const service = report.answers.changes.find((c) => c.name === 'service.json')!;
    expect(service.fields).to.deep.equal(['patches']);
    expect(service.before.patches).to.deep.equal([{ token: 'access', op: 'add', path: '/claims/tier', value: 'gold' }]);
    expect(service.after.patches).to.deep.equal([
      { token: 'access', op: 'add', path: '/claims/tier', value: 'gold' },
      { token: 'access', op: 'replace', path: '/token/lifetime/expiration', value: 900 },
    ]);
  });

  it('token requests: a deny\'s message is its errorSummary, and the patches it ends are listed', async () => {
    const retire = (message: string) => `  - id: retired-apps
    description: No token for the retired application.
    appliesTo: [token]
    when: { "==": [{ var: client.id }, 0oaRetired] }
    then:
      deny: { message: ${message} }
`;
    const suite = `tests:
  - name: the retired application
    request: { requestType: token, client: { id: 0oaRetired, name: Old, type: PUBLIC }, ipAddress: 10.0.0.1 }
    expect: { decision: deny }
`;
    const before = await rules({ 'token.yaml': tokenRules('gold', '15m'), 'token.test.yaml': suite });
    const after = await rules({ 'token.yaml': tokenRules('gold', '15m', retire('This application has been retired.')), 'token.test.yaml': suite });
    const result = await runCli(['diff', before.dir, after.dir]);
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stdout).to.include(
      [
        '  token.test.yaml › the retired application',
        '    decision:  ALLOW → DENY',
        '    decidedBy: default → retired-apps',
        '    patches:   - access /claims/tier: add "gold"',
        '    message:   (none) → "This application has been retired."',
      ].join('\n'),
    );
    // A token deny has no causes (that is the registration hook's answer).
    expect(result.stdout).not.to.include('causes:');
  });

  it('exits 2 on bad usage and on a --requests file that cannot be read or holds an invalid request', async () => {
    const t = await rules({ 'registration.yaml': LOOSE, 'bad.jsonl': '{"profile": {"email": "a@b.test"}}\nnot json\n' });
    expect((await runCli(['diff', t.dir])).code).to.equal(2);
    const missing = await runCli(['diff', t.dir, t.dir, '--requests', path.join(t.dir, 'nope.jsonl')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('nope.jsonl: ENOENT');
    const bad = await runCli(['diff', t.dir, t.dir, '--requests', path.join(t.dir, 'bad.jsonl')]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/bad\.jsonl:2: not JSON/);
    expect(bad.stdout).to.equal('');
  });

  it('is listed by --help', async () => {
    const top = await runCli(['--help']);
    expect(top.stdout).to.match(/\n {2}diff {7}what a rule change does/);
    const help = await runCli(['diff', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^hook-rules diff: /);
    expect(help.stdout).to.include('0 no answer changes, 1 some answers change, 3 either ruleset is invalid');
  });
});
