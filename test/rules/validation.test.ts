import { expect } from 'chai';
import { formatRuleError } from '../../src/language/RuleError.js';
import { loadErrors } from '../helpers/tempRules.js';

const header = `rules:
  - id: r1
    description: d
    appliesTo: [self.service.registration]
`;

describe('rule validation errors carry file:line:column', () => {
  it('reports YAML syntax errors where they are', async () => {
    const [error] = await loadErrors({ 'bad.yaml': 'rules:\n  - id: a\n    when: [unclosed\n' });
    expect(error!.name).to.equal('bad.yaml');
    expect(error!.message).to.match(/^YAML:/);
    expect(error!.line).to.be.greaterThan(1);
  });

  it('reports duplicate YAML keys', async () => {
    const errors = await loadErrors({ 'dup.yaml': 'description: a\ndescription: b\n' });
    expect(errors[0]!.line).to.equal(2);
    expect(errors[0]!.message).to.match(/unique|duplicate/i);
  });

  it('points an unknown property at its key', async () => {
    const errors = await loadErrors({ 'r.yaml': `${header}    when: true\n    then:\n      alow: true\n` });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ name: 'r.yaml', line: 7, column: 7 });
    expect(errors[0]!.message).to.equal('then: unknown property "alow" (did you mean "allow"?)');
    expect(errors[0]!.rule).to.deep.equal({ id: 'r1', line: 2, column: 5 });
    expect(formatRuleError(errors[0]!)).to.match(/r\.yaml:7:7: rule "r1" \(.*r\.yaml:2:5\): then: unknown property "alow"/);
  });

  it('names a missing required field', async () => {
    const errors = await loadErrors({ 'r.yaml': `${header}    then: { allow: true }\n` });
    expect(errors.map((e) => e.message)).to.include('missing required property "when"');
    expect(errors[0]!.line).to.equal(2);
  });

  it('rejects deny combined with allow', async () => {
    const errors = await loadErrors({
      'r.yaml': `${header}    when: true\n    then:\n      allow: true\n      deny: { message: no }\n`,
    });
    expect(errors.map((e) => e.message)).to.include('then: deny cannot be combined with allow, update or updateFrom');
  });

  it('rejects an unknown request type with the allowed values', async () => {
    const errors = await loadErrors({ 'r.yaml': header.replace('self.service.registration', 'registration') + '    when: true\n    then: { allow: true }\n' });
    expect(errors[0]!.message).to.match(/appliesTo\[0\]: must be one of "self.service.registration", "progressive.profile"/);
    expect(errors[0]!.line).to.equal(4);
  });

  it('rejects unknown operators when loading, with a suggestion', async () => {
    const errors = await loadErrors({ 'r.yaml': `${header}    when:\n      Matches: [a, b]\n    then: { allow: true }\n` });
    expect(errors[0]).to.include({ line: 6, column: 7 });
    expect(errors[0]!.message).to.equal('unknown operator "Matches" (did you mean "matches"?)');
  });

  it('rejects the log operator', async () => {
    const errors = await loadErrors({ 'r.yaml': `${header}    when: { log: [1] }\n    then: { allow: true }\n` });
    expect(errors[0]!.message).to.equal('unknown operator "log"');
  });

  for (const bad of ['__proto__', 'constructor', 'data.constructor.name', 'a.prototype']) {
    it(`rejects var paths through ${bad}`, async () => {
      const errors = await loadErrors({ 'r.yaml': `${header}    when: { var: "${bad}" }\n    then: { allow: true }\n` });
      expect(errors[0]!.message).to.match(/goes through "(__proto__|constructor|prototype)", which is not allowed/);
      expect(errors[0]!.line).to.equal(5);
    });
  }

  it('rejects computed var paths and unsafe missing paths', async () => {
    const errors = await loadErrors({
      'r.yaml': `${header}    when:\n      and:\n        - var: { cat: [a, b] }\n        - missing: [ok, __proto__.x]\n    then: { allow: true }\n`,
    });
    expect(errors.map((e) => e.message)).to.deep.equal([
      'var takes a literal path (a string such as "profile.email"), not an expression',
      'missing path "__proto__.x" goes through "__proto__", which is not allowed',
    ]);
    expect(errors.map((e) => e.line)).to.deep.equal([7, 8]);
  });

  it('rejects operation objects with two keys', async () => {
    const errors = await loadErrors({ 'r.yaml': `${header}    when: { "==": [1, 1], "!=": [1, 2] }\n    then: { allow: true }\n` });
    expect(errors[0]!.message).to.equal('an operation has exactly one operator key, found "==", "!="');
  });

  it('rejects invalid regular expressions and non-literal patterns', async () => {
    const errors = await loadErrors({
      'r.yaml': `${header}    when:\n      or:\n        - matches: [{ var: email }, "(unclosed"]\n        - matches: [{ var: email }, { var: p }]\n    then: { allow: true }\n`,
    });
    expect(errors[0]!.message).to.match(/^invalid regular expression/);
    expect(errors[0]!.line).to.equal(7);
    expect(errors[1]!.message).to.match(/literal pattern/);
  });

  it('rejects unknown lists', async () => {
    const errors = await loadErrors({
      'r.yaml': `lists:\n  known: [a]\n${header}    when: { in_list: [{ var: email }, unknown] }\n    then: { allow: true }\n`,
    });
    expect(errors[0]!.message).to.equal('unknown list "unknown" (known: known)');
    expect(errors[0]!.line).to.equal(7);
  });

  it('reports duplicate ids across files with both positions', async () => {
    const rule = `${header}    when: true\n    then: { allow: true }\n`;
    const errors = await loadErrors({ 'a.yaml': rule, 'b.yaml': rule });
    expect(errors).to.have.length(1);
    expect(errors[0]!.name).to.equal('b.yaml');
    expect(errors[0]!.message).to.match(/rule id "r1" is already used at .*a\.yaml:2:5/);
  });

  it('reports a default set twice, and a list defined twice', async () => {
    const errors = await loadErrors({
      'a.yaml': 'defaults:\n  progressive.profile: allow\nlists:\n  l: [x]\n',
      'b.yaml': 'defaults:\n  progressive.profile: deny\nlists:\n  l: [y]\n',
    });
    expect(errors.map((e) => `${e.name}:${e.line}: ${e.message.replace(/ at .*/, '')}`)).to.deep.equal([
      'b.yaml:2: the default for progressive.profile is already set',
      'b.yaml:4: list "l" is already defined',
    ]);
  });

  it('lists every error of every file at once', async () => {
    const errors = await loadErrors({
      'a.yaml': `${header}    when: { nope: [] }\n    then: { allow: true }\n`,
      'b.yaml': 'rules: [{ id: x }]\n',
      'c.yaml': 'rules:\n  - : :\n   bad',
    });
    const files = new Set(errors.map((e) => e.name));
    expect([...files]).to.have.members(['a.yaml', 'b.yaml', 'c.yaml']);
    for (const error of errors) expect(formatRuleError(error)).to.match(/^.+\.yaml:\d+:\d+: .+/);
  });

  it('rejects a password update and a bad cause location', async () => {
    const errors = await loadErrors({
      'r.yaml': `${header}    when: true\n    then:\n      update: { password: x }\n`,
      's.yaml': `rules:\n  - id: r2\n    description: d\n    appliesTo: [progressive.profile]\n    when: true\n    then:\n      deny: { message: m, causes: [{ message: c, location: "data userProfile" }] }\n`,
    });
    expect(errors.map((e) => e.message)).to.include('then.update: property name "password" is not allowed');
    expect(errors.some((e) => e.name === 's.yaml' && /location: must match pattern/.test(e.message))).to.equal(true);
  });
});
