import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { denyDomainRules, tempRulesPerTest } from '../helpers/tempRules.js';

describe('hook-rules CLI (child process)', () => {
  const rules = tempRulesPerTest();

  describe('help and usage', () => {
    it('prints help for the tool and for every command, exit 0', async () => {
      const top = await runCli(['--help']);
      expect(top.code).to.equal(0);
      for (const name of ['serve', 'validate', 'test', 'eval', 'counters']) expect(top.stdout).to.include(`  ${name}`);
      expect(top.stdout).to.include('3  invalid rules');
      for (const name of ['serve', 'validate', 'test', 'eval', 'counters']) {
        const help = await runCli([name, '--help']);
        expect(help.code, name).to.equal(0);
        expect(help.stdout, name).to.match(new RegExp(`^hook-rules ${name}: `));
        expect(help.stdout, name).to.include('Exit codes');
      }
    });

    it('exits 2 on an unknown command, an unknown option or a missing argument', async () => {
      expect((await runCli(['frobnicate'])).code).to.equal(2);
      expect((await runCli([])).code).to.equal(2);
      const option = await runCli(['validate', '--strictest']);
      expect(option.code).to.equal(2);
      expect(option.stderr).to.include("Unknown option '--strictest'");
      expect((await runCli(['eval'])).code).to.equal(2);
      expect((await runCli(['test', 'rules', '--min-coverage', 'lots'])).code).to.equal(2);
    });
  });

  describe('validate', () => {
    it('exits 0 with the version for a valid ruleset', async () => {
      const result = await runCli(['validate', 'rules']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.match(/^ok: 3 rules in 2 files; version [0-9a-f]{12}\n$/);
    });

    it('reads RULES_DIR when no folder is given', async () => {
      const t = await rules({ 'a.yaml': denyDomainRules('x.test') });
      const result = await runCli(['validate'], { env: { RULES_DIR: t.dir } });
      expect(result.stdout).to.match(/^ok: 1 rule in 1 file;/);
    });

    it('exits 3 listing every error as file:line:column', async () => {
      const t = await rules({
        'a.yaml': 'rules:\n  - id: one\n    description: d\n    appliesTo: [self.service.registration]\n    when: { Matches: [{ var: email }, x] }\n    then: { allow: true }\n',
        'b.yaml': 'rules:\n  - id: two\n    description: d\n    appliesTo: [self.service.registration]\n    when: { in_list: [{ var: email }, nolist] }\n    then: { allow: true }\n',
      });
      const result = await runCli(['validate', t.dir]);
      expect(result.code).to.equal(3);
      expect(result.stderr).to.match(new RegExp(`${t.dir}/a\\.yaml:5:\\d+: rule "one" \\(\\S+a\\.yaml:2:5\\): unknown operator "Matches" \\(did you mean "matches"\\?\\)`));
      expect(result.stderr).to.match(new RegExp(`${t.dir}/b\\.yaml:5:\\d+: rule "two" \\(\\S+b\\.yaml:2:5\\): unknown list "nolist"`));
      expect(result.stderr).to.include('2 errors');
    });
    it('warns about a list no rule uses (exit 0), and refuses it with --strict (exit 3)', async () => {
      const t = await rules({ 'a.yaml': denyDomainRules('x.test') + 'lists:\n  partnerDomains: [partner.test]\n' });
      const plain = await runCli(['validate', t.dir]);
      expect(plain.code).to.equal(0);
      expect(plain.stdout).to.match(/^ok: 1 rule/);
      expect(plain.stderr).to.match(/a\.yaml:8:3: warning: list "partnerDomains" is defined but no rule uses it/);
      const strict = await runCli(['validate', '--strict', t.dir]);
      expect(strict.code).to.equal(3);
      expect(strict.stdout).to.equal('');
      expect(strict.stderr).to.match(/a\.yaml:8:3: list "partnerDomains" is defined but no rule uses it/);
      expect(strict.stderr).to.include('1 error (warnings count as errors with --strict)');
    });
  });

  describe('test', () => {
    const RULES = denyDomainRules('blocked.test', 'deny-blocked') +
      '  - id: never-matches\n    description: d\n    appliesTo: [self.service.registration]\n    when: false\n    then: { allow: true }\n';

    it('reports failures with what differed, and rules no case exercised; exit 4', async () => {
      const t = await rules({
        'a.yaml': RULES,
        'a.test.yaml': `tests:
  - name: blocked is denied
    request: { profile: { email: a@blocked.test } }
    expect: { decision: deny, message: blocked.test may not register }
  - name: wrong on purpose
    request: { profile: { email: a@fine.test } }
    expect: { decision: deny, decidedBy: deny-blocked }
`,
      });
      const result = await runCli(['test', t.dir]);
      expect(result.code).to.equal(4);
      expect(result.stdout).to.include('✓ blocked is denied');
      expect(result.stdout).to.match(/✗ wrong on purpose {2}.*a\.test\.yaml:5:5/);
      expect(result.stdout).to.include('decision: expected deny, got allow');
      expect(result.stdout).to.include('decidedBy: expected deny-blocked, got default');
      expect(result.stdout).to.include('Rule coverage: 1 of 2 rules exercised (50%)');
      expect(result.stdout).to.match(/not exercised: never-matches .*a\.yaml:7:5/);
      expect(result.stdout).to.include('Rule tests: 1 passed, 1 failed');
    });

    it('fails under --min-coverage even when every case passes', async () => {
      const t = await rules({
        'a.yaml': RULES,
        'a.test.yaml': 'tests:\n  - name: ok\n    request: { profile: { email: a@blocked.test } }\n    expect: { decision: deny }\n',
      });
      expect((await runCli(['test', t.dir])).code).to.equal(0);
      const result = await runCli(['test', t.dir, '--min-coverage', '80']);
      expect(result.code).to.equal(4);
      expect(result.stderr).to.include('rule coverage 50% is under --min-coverage 80%');
    });

    it('checks causes, updates and matched rules, and explains a failure with --explain', async () => {
      const t = await rules({
        'a.yaml': `rules:
  - id: tag
    description: d
    appliesTo: [self.service.registration]
    when: true
    then: { allow: true, update: { department: Sales } }
`,
        'a.test.yaml': `tests:
  - name: updates differ
    request: { profile: { email: a@x.test } }
    expect: { decision: allow, updates: { department: Support }, matchedRules: [tag, other], causes: [] }
`,
      });
      const result = await runCli(['test', t.dir, '--explain']);
      expect(result.code).to.equal(4);
      expect(result.stdout).to.include('updates: expected {"department":"Support"}, got {"department":"Sales"}');
      expect(result.stdout).to.include('matchedRules: expected ["other","tag"], got ["tag"]');
      expect(result.stdout).to.include('1. tag [allow+update] MATCHED');
    });

    it('exits 4 naming the place of an invalid suite, and 3 for invalid rules', async () => {
      const t = await rules({ 'a.yaml': RULES, 'a.test.yaml': 'tests:\n  - name: x\n    request: { profile: {} }\n    expect: { decison: deny }\n' });
      const bad = await runCli(['test', t.dir]);
      expect(bad.code).to.equal(4);
      expect(bad.stderr).to.match(/a\.test\.yaml:4:\d+: tests\[0\]\.expect: unknown property "decison"/);
      await t.write('a.yaml', 'rules: [{ id: x }]\n');
      expect((await runCli(['test', t.dir])).code).to.equal(3);
    });

    it('fails a case whose request the service would refuse, or whose fixture is missing', async () => {
      const t = await rules({
        'a.yaml': RULES,
        'a.test.yaml': `tests:
  - name: missing fixture
    request: { fixture: nowhere.json }
    expect: { decision: allow }
  - name: profile in a progressive profile shorthand
    request: { requestType: progressive.profile, profile: { a: 1 } }
    expect: { decision: allow }
`,
      });
      const result = await runCli(['test', t.dir]);
      expect(result.code).to.equal(4);
      expect(result.stdout).to.include('request: fixture nowhere.json: ENOENT');
      expect(result.stdout).to.include('for progressive.profile, give submitted');
    });

    it('exits 4 when there are no tests', async () => {
      const t = await rules({ 'a.yaml': RULES });
      const result = await runCli(['test', t.dir]);
      expect(result.code).to.equal(4);
      expect(result.stderr).to.include('no rule tests');
    });
  });

  describe('eval', () => {
    it("prints Okta's response and why, from standard input", async () => {
      const result = await runCli(['eval', '-', '--dir', 'rules'], { input: JSON.stringify({ profile: { email: 'jo@notexample.com' } }) });
      expect(result.code).to.equal(0);
      const [response, explanation] = result.stdout.replace(/^Okta response:\n/, '').split('\n\nDecision: ');
      const body = JSON.parse(response!) as { error: { errorSummary: string }; debugContext: Record<string, string> };
      expect(body.error.errorSummary).to.equal('Registration is open to example.com email addresses only.');
      expect(body.debugContext.decidedBy).to.equal('rule:deny-non-example-domain');
      expect(explanation).to.match(/^DENY, decided by rule deny-non-example-domain/);
      expect(explanation).to.include('1. deny-non-example-domain [deny] MATCHED  rules/registration.yaml:16:5');
      expect(explanation).to.include('when {"!=":[{"var":"emailDomain"},"example.com"]} → true');
      expect(explanation).to.include('saw: emailDomain = "notexample.com"');
    });

    it('explains rules that did not match and rules skipped after a deny', async () => {
      const pp = await runCli(['eval', '-', '--dir', 'rules'], {
        input: JSON.stringify({ submitted: { employeeNumber: '12a4' }, user: { profile: { login: 'a@example.com' } } }),
      });
      expect(pp.stdout).to.include('{"matches":[{"var":"submitted.employeeNumber"},"^[0-9]{4}$"]} → false');
      expect(pp.stdout).to.include('2. accept-submitted-attributes [allow+update] skipped: an earlier deny ended evaluation');

      const ok = await runCli(['eval', '-', '--dir', 'rules', '--json'], { input: JSON.stringify({ profile: { email: 'jo@example.com' } }) });
      const parsed = JSON.parse(ok.stdout) as { decision: { trace: Array<{ status: string; result: unknown; saw: unknown }> } };
      expect(parsed.decision.trace[0]).to.deep.include({ status: 'not-matched', result: false, saw: { emailDomain: 'example.com' } });
    });

    it('reads a full Okta request from a file', async () => {
      const result = await runCli(['eval', 'rules/testdata/okta-guide-pp-request-2022.json', '--dir', 'rules']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('"type": "com.okta.user.progressive.profile.update"');
      expect(result.stdout).to.include('Sets employeeNumber = "1234" (rule accept-submitted-attributes)');
    });

    it('exits 1 on an unreadable or invalid request, 3 on invalid rules', async () => {
      expect((await runCli(['eval', 'no-such-file.json'])).code).to.equal(1);
      const invalid = await runCli(['eval', '-', '--dir', 'rules'], { input: '{"data": {"userProfile": "not an object"}}' });
      expect(invalid.code).to.equal(1);
      expect(invalid.stderr).to.include('not a valid Okta request');
      const t = await rules({ 'a.yaml': 'rules: [{ id: x }]\n' });
      expect((await runCli(['eval', '-', '--dir', t.dir], { input: '{"profile": {}}' })).code).to.equal(3);
    });

    it('reads FACTS_DEADLINE_MS as the service does: a deadline the service would refuse is refused (exit 2)', async () => {
      const env = { MEMBERS_DB: 'pglite:memory?seed=examples/member-check/schema.sql', FACTS_DEADLINE_MS: '5000' };
      const input = JSON.stringify({ profile: { email: 'ann@example.com', memberNumber: '1001', birthDate: '1990-04-01' } });
      const refused = await runCli(['eval', '-', '--dir', 'examples/member-check'], { input, env });
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include('FACTS_DEADLINE_MS: "5000" is not a whole number from 1 to 2900');
      const live = await runCli(['test', 'examples/member-check', '--live'], { env });
      expect(live.code).to.equal(2);
      expect(live.stderr).to.include('FACTS_DEADLINE_MS: "5000" is not a whole number from 1 to 2900');
    });
  });
});
