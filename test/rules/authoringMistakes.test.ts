import path from 'node:path';
import { expect } from 'chai';
import { type LoadResult } from '../../src/rules/loadRuleset.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError } from '../../src/language/RuleError.js';
import { patternTypo } from '../../src/language/checkLogic.js';
import { runCli } from '../helpers/runCli.js';
import { tempRulesDir, tempRulesPerTest } from '../helpers/tempRules.js';

async function load(files: Record<string, string>): Promise<LoadResult> {
  const tmp = await tempRulesDir(files);
  try {
    return await loadHookRuleset(tmp.dir);
  } finally {
    await tmp.remove();
  }
}

/** Each error or warning as "name:line:column: text", the rule's file shortened to its name too. */
function lines(problems: LoadResult['warnings'], dir?: string): string[] {
  return problems.map((p) => formatRuleError({ ...p, file: path.basename(p.file) }).replace(dir ?? '', ''));
}

async function errorsOf(files: Record<string, string>): Promise<string[]> {
  const result = await load(files);
  if (result.ok) throw new Error('expected the ruleset to be rejected');
  return lines(result.errors);
}

async function warningsOf(files: Record<string, string>): Promise<string[]> {
  const result = await load(files);
  if (!result.ok) throw new Error(`expected a valid ruleset:\n${lines(result.errors).join('\n')}`);
  return lines(result.warnings);
}

const rule = (when: string, id = 'r1') => `  - id: ${id}
    description: d
    appliesTo: [self.service.registration]
    when: ${when}
    then: { deny: { message: no } }
`;

describe('rule authoring mistakes are refused at load (issue 15)', () => {
  describe('YAML tags', () => {
    it('refuses an unquoted "!=" (read by YAML as a tag) with its position and the fix', async () => {
      const errors = await errorsOf({ 'a.yaml': `rules:\n${rule('\n      !=: [{ var: emailDomain }, example.com]')}` });
      expect(errors).to.deep.equal([
        'a.yaml:6:7: YAML read "!=" as a tag, not as the operator "!=": the value after it would stand where the operation should be; quote the key: "!=":',
      ]);
    });

    it('refuses "!" and "!!" written the same way, in flow style too, and any other tag', async () => {
      const errors = await errorsOf({
        'a.yaml': `rules:\n${rule('\n      !: { var: x }')}${rule('{ !!: [{ var: x }] }', 'r2')}${rule('!custom true', 'r3')}${rule('!!binary aGk=', 'r4')}`,
      });
      expect(errors).to.have.length(4);
      expect(errors[0]).to.match(/^a\.yaml:6:7: YAML read "!" as a tag.*quote the key: "!":$/);
      expect(errors[1]).to.match(/^a\.yaml:11:13: YAML read "!!" as a tag.*quote the key: "!!":$/);
      expect(errors[2]).to.equal('a.yaml:16:11: YAML tag "!custom" is not part of the rule format (it uses none); quote the value if "!custom" is text');
      expect(errors[3]).to.match(/^a\.yaml:21:11: YAML tag "!!binary" is not part/);
    });

    it('accepts the plain-data tags (!!str and the like), which change nothing but the type', async () => {
      const result = await load({ 'a.yaml': `rules:\n${rule('{ "==": [{ var: employeeNumber }, !!str 1234] }')}` });
      expect(result.ok).to.equal(true);
    });
  });

  describe('the shape of a condition', () => {
    for (const [when, what] of [
      ['[{ var: emailDomain }, example.com]', 'a list'],
      ['"yes"', 'the text "yes"'],
      ['1', 'the number 1'],
      ['', 'is empty'],
    ] as const) {
      it(`refuses a when that is ${what}`, async () => {
        const errors = await errorsOf({ 'a.yaml': `rules:\n${rule(when)}` });
        expect(errors).to.have.length(1);
        expect(errors[0]).to.match(/^a\.yaml:5:\d+: rule "r1" \(a\.yaml:2:5\): when: /);
        expect(errors[0]).to.include(what);
      });
    }

    it('accepts true, false and an operation', async () => {
      const result = await load({ 'a.yaml': `rules:\n${rule('true')}${rule('false', 'r2')}${rule('{ "==": [1, 1] }', 'r3')}` });
      expect(result.ok).to.equal(true);
    });

    it('refuses operations with a number of arguments that cannot be right', async () => {
      const errors = await errorsOf({
        'a.yaml': `rules:\n${rule('{ "==": [{ var: email }] }')}${rule('{ "!": [{ var: a }, { var: b }] }', 'r2')}${rule('{ in_list: [{ var: email }] }', 'r3')}${rule('{ "<": [1, 2, 3, 4] }', 'r4')}`,
      });
      expect(errors).to.deep.equal([
        'a.yaml:5:19: rule "r1" (a.yaml:2:5): "==" takes exactly 2 arguments, got 1: [{"var":"email"}]',
        'a.yaml:10:18: rule "r2" (a.yaml:7:5): "!" takes exactly 1 argument, got 2: [{"var":"a"},{"var":"b"}]',
        'a.yaml:15:22: rule "r3" (a.yaml:12:5): "in_list" takes exactly 2 arguments, got 1: [{"var":"email"}]',
        'a.yaml:20:18: rule "r4" (a.yaml:17:5): "<" takes 2 to 3 arguments, got 4: [1,2,3,4]',
      ]);
    });

    it('accepts the forms json-logic allows: a single argument without a list, "<" between two bounds', async () => {
      const result = await load({ 'a.yaml': `rules:\n${rule('{ "!": { var: a } }')}${rule('{ "<": [1, { var: n }, 9] }', 'r2')}${rule('{ and: [true] }', 'r3')}` });
      expect(result.ok).to.equal(true);
    });
  });

  describe('warnings (errors under validate --strict)', () => {
    it('warns about a "{" in a pattern that starts no repetition', async () => {
      const warnings = await warningsOf({ 'a.yaml': `rules:\n${rule('{ matches: [{ var: phone }, "^[0-9]{8,15$"] }')}` });
      expect(warnings).to.deep.equal([
        'a.yaml:5:39: rule "r1" (a.yaml:2:5): pattern "^[0-9]{8,15$": the "{" at character 7 starts no repetition ({n}, {n,} or {n,m}), so it matches a literal "{"; close the repetition, or write "\\{" for a brace',
      ]);
    });

    it('tells typos from braces that are meant', () => {
      for (const ok of ['^[0-9]{4}$', 'a{2,}', 'a{2,5}', '\\{literal\\}', '[{}]', '[]{]', '[^]{]']) expect(patternTypo(ok), ok).to.equal(null);
      for (const typo of ['[0-9]{8,15$', 'a{', 'a{x}', 'a{,3}']) expect(patternTypo(typo), typo).to.be.a('string');
    });

    it('warns about a list no rule and no except uses; a list used only in except is used', async () => {
      const warnings = await warningsOf({
        'a.yaml': `lists:\n  blocked: { kind: domains, values: [bad.test], except: [relays] }\n  relays: { kind: domains, values: [relay.bad.test] }\n  forgotten: [x]\nrules:\n${rule('{ in_list: [{ var: email }, blocked] }')}`,
      });
      expect(warnings).to.deep.equal(['a.yaml:4:3: list "forgotten" is defined but no rule uses it (in_list) and no list names it in except']);
    });
  });

  describe('every error in one pass, naming the rule, with near misses', () => {
    it('a schema error hides neither an unknown operator nor an unknown list, in the same file or another (a misspelt required property is not also reported missing)', async () => {
      const errors = await errorsOf({
        'a.yaml': `lists:\n  partnerDomain: [partner.test]\nrules:
  - id: deny-risky
    description: d
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: emailDomain }, partnerDomian] }
    then:
      deny:
        messages: nope
  - id: second
    description: d
    appliesTo: [self.service.registration]
    when: { Matches: [{ var: email }, x] }
    then: { alow: true }
`,
        'b.yaml': `rules:\n${rule('{ in_list: [{ var: email }, partnerDomains] }', 'in-b')}`,
      });
      expect(errors).to.deep.equal([
        'a.yaml:7:45: rule "deny-risky" (a.yaml:4:5): unknown list "partnerDomian"; did you mean "partnerDomain"?',
        'a.yaml:10:9: rule "deny-risky" (a.yaml:4:5): then.deny: unknown property "messages" (did you mean "message"?)',
        'a.yaml:14:13: rule "second" (a.yaml:11:5): unknown operator "Matches" (did you mean "matches"?)',
        'a.yaml:15:13: rule "second" (a.yaml:11:5): then: unknown property "alow" (did you mean "allow"?)',
        'b.yaml:5:39: rule "in-b" (b.yaml:2:5): unknown list "partnerDomains"; did you mean "partnerDomain"?',
      ]);
    });

    it('suggests the near miss for a list named in except and for a top-level property', async () => {
      const errors = await errorsOf({
        'a.yaml': `list:\n  x: [1]\n`,
        'b.yaml': `lists:\n  blocked: { values: [a], except: [alowed] }\n  allowed: [b]\nrules:\n${rule('{ in_list: [{ var: email }, blocked] }')}`,
      });
      expect(errors).to.deep.equal([
        'a.yaml:1:1: (file): unknown property "list" (did you mean "lists"?)',
        'b.yaml:2:27: list "blocked": except names unknown list "alowed"; did you mean "allowed"?',
      ]);
    });

    it('does not guess when nothing is near', async () => {
      const errors = await errorsOf({ 'a.yaml': `lists:\n  known: [a]\nrules:\n${rule('{ in_list: [{ var: email }, unrelated] }')}` });
      expect(errors).to.deep.equal(['a.yaml:7:39: rule "r1" (a.yaml:4:5): unknown list "unrelated" (known: known)']);
    });
  });
});

describe('hook-rules validate on authoring mistakes (child process)', () => {
  const rules = tempRulesPerTest();

  it('exits 3 on an unquoted "!=", with the hint', async () => {
    const t = await rules({ 'a.yaml': `rules:\n${rule('\n      !=: [{ var: emailDomain }, example.com]')}` });
    const result = await runCli(['validate', t.dir]);
    expect(result.code).to.equal(3);
    expect(result.stderr).to.include(`${t.dir}/a.yaml:6:7: YAML read "!=" as a tag`);
    expect(result.stderr).to.include('quote the key: "!=":');
  });

  it('passes a pattern typo with a warning, refuses it with --strict', async () => {
    const t = await rules({ 'a.yaml': `rules:\n${rule('{ matches: [{ var: phone }, "^[0-9]{8,15$"] }')}` });
    const plain = await runCli(['validate', t.dir]);
    expect(plain.code).to.equal(0);
    expect(plain.stderr).to.match(/a\.yaml:5:39: rule "r1" \(\S+a\.yaml:2:5\): warning: pattern "\^\[0-9\]\{8,15\$": the "\{" at character 7 starts no repetition/);
    expect((await runCli(['validate', '--strict', t.dir])).code).to.equal(3);
  });
});
