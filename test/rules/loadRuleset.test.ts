import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { tempRulesDir } from '../helpers/tempRules.js';

const RULE = (id: string, extra = '') => `rules:
  - id: ${id}
    description: test rule
    appliesTo: [self.service.registration]
    when: true
    then: { allow: true }${extra}
`;

describe('loadRuleset', () => {
  it('loads the default rules', async () => {
    const result = await loadHookRuleset('rules');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.ruleset.rules.map((r) => r.id)).to.include.members(['deny-non-example-domain', 'deny-malformed-employee-number', 'accept-submitted-attributes']);
    expect(result.ruleset.version).to.match(/^[0-9a-f]{12}$/);
  });

  it('reads files in name order, from sub-folders too, skipping tests and dot entries', async () => {
    const tmp = await tempRulesDir({
      'b.yaml': RULE('second'),
      'a.yml': RULE('first'),
      'nested/c.yaml': RULE('third'),
      'a.test.yaml': 'not: [a rule file',
      '.hidden.yaml': 'also: [not loaded',
      'notes.txt': 'ignored',
    });
    try {
      const result = await loadHookRuleset(tmp.dir);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.ruleset.rules.map((r) => r.id)).to.deep.equal(['first', 'second', 'third']);
      expect(result.ruleset.files.map((f) => path.basename(f))).to.deep.equal(['a.yml', 'b.yaml', 'c.yaml']);
    } finally {
      await tmp.remove();
    }
  });

  it('follows symlinks, as in a Kubernetes ConfigMap mount', async () => {
    const tmp = await tempRulesDir({ '..2026_01_01/rules.yaml': RULE('from-configmap') });
    try {
      await symlink('..2026_01_01', path.join(tmp.dir, '..data'));
      await symlink('..data/rules.yaml', path.join(tmp.dir, 'rules.yaml'));
      const result = await loadHookRuleset(tmp.dir);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.ruleset.rules.map((r) => r.id)).to.deep.equal(['from-configmap']);
    } finally {
      await tmp.remove();
    }
  });

  it('gives the same version for the same content and a new one when content changes', async () => {
    const one = await tempRulesDir({ 'r.yaml': RULE('x') });
    const two = await tempRulesDir({ 'r.yaml': RULE('x') });
    try {
      const a = await loadHookRuleset(one.dir);
      const b = await loadHookRuleset(two.dir);
      await writeFile(path.join(two.dir, 'r.yaml'), RULE('x') + '# a comment\n');
      const c = await loadHookRuleset(two.dir);
      if (!a.ok || !b.ok || !c.ok) throw new Error('load failed');
      expect(a.ruleset.version).to.equal(b.ruleset.version);
      expect(c.ruleset.version).to.not.equal(a.ruleset.version);
    } finally {
      await one.remove();
      await two.remove();
    }
  });

  it('orders by priority, then file order, and leaves disabled rules out', async () => {
    const tmp = await tempRulesDir({
      'a.yaml': RULE('low') + RULE('off', '\n    disabled: true').replace('rules:\n', ''),
      'b.yaml': RULE('high', '\n    priority: 10'),
    });
    try {
      const result = await loadHookRuleset(tmp.dir);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.ruleset.rulesFor['self.service.registration'].map((r) => r.id)).to.deep.equal(['high', 'low']);
      expect(result.ruleset.rulesFor['progressive.profile']).to.deep.equal([]);
    } finally {
      await tmp.remove();
    }
  });

  it('fails on a directory with no rule files, or none at all', async () => {
    const tmp = await tempRulesDir({ 'readme.txt': 'hi' });
    try {
      const empty = await loadHookRuleset(tmp.dir);
      expect(empty.ok).to.equal(false);
      if (!empty.ok) expect(empty.errors[0]!.message).to.match(/no rule files/);
      await mkdir(path.join(tmp.dir, 'x'));
      const missing = await loadHookRuleset(path.join(tmp.dir, 'does-not-exist'));
      expect(missing.ok).to.equal(false);
      if (!missing.ok) expect(missing.errors[0]!.message).to.match(/cannot read rules directory/);
    } finally {
      await tmp.remove();
    }
  });

  it('reads no environment of its own: the variables facts name come from the environment it is given', async () => {
    const tmp = await tempRulesDir({
      'facts.yaml': `facts:
  member:
    sql: SELECT plan FROM members WHERE email = $1
    params: [{ var: email }]
    database: HOOK_RULES_LOAD_TEST_DB
rules:
  - id: members
    description: d
    appliesTo: [self.service.registration]
    when: { var: facts.member }
    then: { allow: true }
`,
    });
    process.env.HOOK_RULES_LOAD_TEST_DB = 'pglite:memory';
    try {
      const unset = await loadHookRuleset(tmp.dir);
      if (!unset.ok) throw new Error(JSON.stringify(unset.errors));
      expect(unset.ruleset.warnings.map((w) => w.message)).to.deep.equal(['fact "member": environment variable HOOK_RULES_LOAD_TEST_DB (the database URL) is not set']);
      const given = await loadHookRuleset(tmp.dir, { environment: { env: { HOOK_RULES_LOAD_TEST_DB: 'pglite:memory' }, production: false } });
      if (!given.ok) throw new Error(JSON.stringify(given.errors));
      expect(given.ruleset.warnings).to.deep.equal([]);
      const production = await loadHookRuleset(tmp.dir, { environment: { env: {}, production: true } });
      expect(production.ok).to.equal(false);
    } finally {
      delete process.env.HOOK_RULES_LOAD_TEST_DB;
      await tmp.remove();
    }
  });
});
