import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { formatRuleError } from '../../src/language/RuleError.js';
import type { CompiledRuleset } from '../../src/ruleset/CompiledRuleset.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

const BLOCK_RULE = (list: string) => `
rules:
  - id: block
    description: block listed domains
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: emailDomain }, ${list}] }
    then: { deny: { message: blocked } }
`;

function decide(ruleset: CompiledRuleset, email: string): string {
  return evaluate(ruleset, registrationContext({ requestType: 'self.service.registration', data: { userProfile: { email } } })).outcome;
}

async function load(dir: string): Promise<CompiledRuleset> {
  const loaded = await loadHookRuleset(dir);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatRuleError).join('\n'));
  return loaded.ruleset;
}

describe('named lists from files and packages', () => {
  const rules = tempRulesPerTest();

  it('reads a text file beside the rules: one entry a line, comments and blank lines ignored', async () => {
    const t = await rules({
      'rules.yaml': `lists:\n  blocked: { kind: domains, file: lists/blocked.txt }\n${BLOCK_RULE('blocked')}`,
      'lists/blocked.txt': '# throwaway mail\n\nmailinator.com   # the classic\nGuerrillaMail.com\n',
    });
    const ruleset = await load(t.dir);
    expect(ruleset.lists.get('blocked')!.size).to.equal(2);
    expect(decide(ruleset, 'a@x.mailinator.com')).to.equal('deny');
    expect(decide(ruleset, 'a@guerrillamail.COM')).to.equal('deny');
    expect(decide(ruleset, 'a@notmailinator.com')).to.equal('allow');
    expect(decide(ruleset, 'a@example.com')).to.equal('allow');
  });

  it('does not read list files as rule files, and counts their content in the version', async () => {
    const t = await rules({
      'rules.yaml': `lists:\n  blocked: { kind: domains, file: blocked.txt }\n${BLOCK_RULE('blocked')}`,
      'blocked.txt': 'mailinator.com\n',
    });
    const first = await load(t.dir);
    await t.write('blocked.txt', 'mailinator.com\nyopmail.com\n');
    const second = await load(t.dir);
    expect(second.version).to.not.equal(first.version);
    expect(decide(second, 'a@yopmail.com')).to.equal('deny');
    expect(second.files.map((f) => f.slice(t.dir.length))).to.deep.equal(['/rules.yaml']);
  });

  it('reads disposable-email-domains-js, matching sub-domains, with an allow-list override', async () => {
    const t = await rules({
      'rules.yaml': `lists:
  relays: { kind: domains, values: [yopmail.com] }
  disposable:
    kind: domains
    package: disposable-email-domains-js
    except: [relays]
${BLOCK_RULE('disposable')}`,
    });
    const ruleset = await load(t.dir);
    const list = ruleset.lists.get('disposable')!;
    expect(list.size).to.be.greaterThan(1000);
    expect(list.source).to.match(/^disposable-email-domains-js@\d+\.\d+\.\d+/);
    expect(decide(ruleset, 'someone@mailinator.com')).to.equal('deny');
    expect(decide(ruleset, 'someone@x.mailinator.com')).to.equal('deny');
    expect(decide(ruleset, 'someone@yopmail.com'), 'the override wins').to.equal('allow');
    expect(decide(ruleset, 'someone@gmail.com')).to.equal('allow');
  });

  it('reads a JSON array file, and a package data file named with file:', async () => {
    const t = await rules({
      'rules.yaml': `lists:
  countries: { file: countries.json }
  fromPackage: { kind: domains, package: disposable-email-domains-js, file: dist/dict/disposable_email_blocklist.json }
rules:
  - id: c
    description: countries
    appliesTo: [self.service.registration]
    when: { and: [{ in_list: [{ var: profile.country }, countries] }, { "!": { in_list: [{ var: email }, fromPackage] } }] }
    then: { allow: true }
defaults: { self.service.registration: deny }
`,
      'countries.json': '["US", "ca"]',
    });
    const ruleset = await load(t.dir);
    const ask = (country: string, email: string) =>
      evaluate(ruleset, registrationContext({ data: { userProfile: { country, email } } })).outcome;
    expect(ask('us', 'a@b.org')).to.equal('allow');
    expect(ask('FR', 'a@b.org')).to.equal('deny');
    expect(ask('CA', 'a@mailinator.com')).to.equal('deny');
  });

  it('matches international domains in punycode, as emailDomain gives them', async () => {
    const t = await rules({ 'rules.yaml': `lists:\n  blocked: { kind: domains, file: b.txt }\n${BLOCK_RULE('blocked')}`, 'b.txt': 'bücher.example\n' });
    const ruleset = await load(t.dir);
    expect(decide(ruleset, 'a@BÜCHER.example')).to.equal('deny');
    expect(decide(ruleset, 'a@xn--bcher-kva.example')).to.equal('deny');
  });

  it('reports problems with positions: missing file, bad entries, unknown override, escaping the folder, missing package', async () => {
    const t = await rules({
      'rules.yaml': `lists:
  gone: { file: nowhere.txt }
  bad: { kind: domains, file: bad.txt }
  over: { values: [a], except: [nothere] }
  escape: { file: ../../etc/passwd }
  nopkg: { package: no-such-package-here }
`,
      'bad.txt': 'ok.com\nsomeone@mail.com\nhttp://x.com/\n',
    });
    const loaded = await loadHookRuleset(t.dir);
    expect(loaded.ok).to.equal(false);
    const text = loaded.ok ? '' : loaded.errors.map(formatRuleError).join('\n');
    expect(text).to.include('rules.yaml:2:11: list "gone": cannot read list file "nowhere.txt": ENOENT');
    expect(text).to.include('bad.txt:2:1: "someone@mail.com" is an email address');
    expect(text).to.include('bad.txt:3:1: "http://x.com/" is not a plain domain name');
    expect(text).to.include('list "escape": list file "../../etc/passwd" is outside the rules directory');
    expect(text).to.include('package "no-such-package-here" is not installed');
  });

  it('refuses a list with both inline values and a file, or with no entries at all', async () => {
    const t = await rules({ 'rules.yaml': `lists:\n  both: { values: [a], file: bad.txt }\n  none: { kind: domains }\n` });
    const loaded = await loadHookRuleset(t.dir);
    const text = loaded.ok ? '' : loaded.errors.map(formatRuleError).join('\n');
    expect(text).to.include('rules.yaml:2:9: lists.both: a list takes its entries from values, or from file/package, not both');
    expect(text).to.match(/rules\.yaml:3:9: lists\.none: missing required property "values"/);
  });

  it('reports an override naming an unknown list at the except key', async () => {
    const t = await rules({ 'rules.yaml': `lists:\n  over:\n    values: [a]\n    except: [nothere]\n` });
    const loaded = await loadHookRuleset(t.dir);
    expect(loaded.ok ? [] : loaded.errors.map(formatRuleError)).to.deep.equal([
      `${t.dir}/rules.yaml:4:5: list "over": except names unknown list "nothere"`,
    ]);
  });

  it('checks the lists a fact names as those rules name: an unknown one is an error there, and a named one is used', async () => {
    const fact = (list: string) => `lists:
  vip: [example.com]
facts:
  member:
    http: https://members.example/lookup
    query: { vip: { in_list: [{ var: emailDomain }, ${list}] } }
rules:
  - id: members
    description: d
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { allow: true }
`;
    const unknown = await loadHookRuleset((await rules({ 'r.yaml': fact('vips') })).dir);
    expect(unknown.ok).to.equal(false);
    expect(unknown.ok ? [] : unknown.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).to.deep.equal(['6:53: unknown list "vips"; did you mean "vip"?']);
    const known = await loadHookRuleset((await rules({ 'r.yaml': fact('vip') })).dir);
    expect(known.ok).to.equal(true);
    expect(known.warnings.map((w) => w.message)).to.deep.equal([]);
  });
});
