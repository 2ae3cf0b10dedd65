import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { tempRulesPerTest } from '../helpers/tempRules.js';

const RULES = `defaults:
  self.service.registration: allow
lists:
  disposable: { kind: domains, values: [mailinator.com], except: [partners] }
  partners: { kind: domains, values: [partner.test] }
rules:
  - id: deny-disposable
    description: d
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: email }, disposable] }
    then: { deny: { message: no } }
  - id: tag-everyone
    description: an always-true update rule
    appliesTo: [self.service.registration]
    when: true
    then: { update: { source: web } }
`;

describe('rule tests: matchedRules includes/excludes, list overrides, coverage of exceptions and defaults (issue 15)', () => {
  const rules = tempRulesPerTest();

  it('checks includes and excludes without naming every rule that matched', async () => {
    const t = await rules({
      'a.yaml': RULES,
      'a.test.yaml': `tests:
  - name: includes and excludes hold
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow, matchedRules: { includes: [tag-everyone], excludes: [deny-disposable] } }
  - name: includes fails
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow, matchedRules: { includes: [deny-disposable] } }
  - name: excludes fails
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow, matchedRules: { excludes: [tag-everyone] } }
  - name: the exact set still works
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow, matchedRules: [tag-everyone] }
`,
    });
    const result = await runCli(['test', t.dir]);
    expect(result.code).to.equal(4);
    expect(result.stdout).to.include('✓ includes and excludes hold');
    expect(result.stdout).to.include('matchedRules.includes: ["deny-disposable"] did not match; matched ["tag-everyone"]');
    expect(result.stdout).to.include('matchedRules.excludes: ["tag-everyone"] matched');
    expect(result.stdout).to.include('✓ the exact set still works');
    expect(result.stdout).to.include('Rule tests: 2 passed, 2 failed');
  });

  it('overrides lists per suite and per case, keeping kind and except; an unknown list name fails the case', async () => {
    const t = await rules({
      'a.yaml': RULES,
      'a.test.yaml': `lists: { disposable: [throwaway.test] }
tests:
  - name: the suite's list replaces the production entries (sub-domains still match)
    request: { profile: { email: a@x.throwaway.test } }
    expect: { decision: deny }
  - name: the production entry is not in the suite's list
    request: { profile: { email: a@mailinator.com } }
    expect: { decision: allow }
  - name: a case's lists go on top, and except still excuses partners
    lists: { partners: [throwaway.test] }
    request: { profile: { email: a@throwaway.test } }
    expect: { decision: allow, matchedRules: { excludes: [deny-disposable] } }
  - name: an unknown list
    lists: { partner: [x.test] }
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow }
`,
    });
    const result = await runCli(['test', t.dir]);
    expect(result.stdout).to.include("✓ the suite's list replaces the production entries");
    expect(result.stdout).to.include('✓ the production entry is not in the suite\'s list');
    expect(result.stdout).to.include('✓ a case\'s lists go on top, and except still excuses partners');
    expect(result.stdout).to.include('lists: the ruleset has no list "partner"; did you mean "partners"?');
    expect(result.stdout).to.include('Rule tests: 3 passed, 1 failed');
  });

  it('counts list exceptions and defaults in coverage: removing the case that exercises except drops it under 100%', async () => {
    const cases = `tests:
  - name: disposable is denied
    request: { profile: { email: a@mailinator.com } }
    expect: { decision: deny }
  - name: the default decides an ordinary address
    request: { profile: { email: a@gmail.com } }
    expect: { decision: allow, decidedBy: default }
`;
    const excused = `  - name: a partner on the disposable list is excused
    lists: { partners: [mailinator.com] }
    request: { profile: { email: a@mailinator.com } }
    expect: { decision: allow }
`;
    const full = await rules({ 'a.yaml': RULES, 'a.test.yaml': cases + excused });
    const covered = await runCli(['test', full.dir, '--min-coverage', '100']);
    expect(covered.stdout).to.include('Rule coverage: 2 of 2 rules, 1 of 1 list exceptions, 1 of 1 defaults exercised (100%)');
    expect(covered.code).to.equal(0);

    const partial = await rules({ 'a.yaml': RULES, 'a.test.yaml': cases });
    const missed = await runCli(['test', partial.dir, '--min-coverage', '100']);
    expect(missed.code).to.equal(4);
    expect(missed.stdout).to.include('Rule coverage: 2 of 2 rules, 0 of 1 list exceptions, 1 of 1 defaults exercised (75%)');
    expect(missed.stdout).to.include('not exercised: list disposable except partners');

    const noDefault = await rules({ 'a.yaml': RULES, 'a.test.yaml': cases.split('  - name: the default')[0]! });
    const result = await runCli(['test', noDefault.dir]);
    expect(result.stdout).to.match(/not exercised: the default for self\.service\.registration {2}\S+a\.yaml:2:3/);
  });
});
