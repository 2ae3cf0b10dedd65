import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { formatRuleError } from '../../src/language/RuleError.js';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import { NETWORK_AND_RETIRED_RULES } from '../helpers/tokenRules.js';

function write(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'token-load-'));
  const file = path.join(dir, 'token.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

async function errorsOf(text: string): Promise<string[]> {
  const { dir, file } = write(text);
  const loaded = await loadHookRuleset(dir);
  expect(loaded.ok, 'the ruleset should be refused').to.equal(false);
  return (loaded as { errors: Parameters<typeof formatRuleError>[0][] }).errors.map((error) => formatRuleError(error).replace(file, 'token.yaml'));
}

describe('token rules at load (real files)', () => {
  it('refuses reserved claims, scp and a lifetime outside 5m–24h, every one at its file:line:column', async () => {
    const errors = await errorsOf(`rules:
  - id: bad
    description: Everything Okta would drop.
    appliesTo: [token]
    when: true
    then:
      access:
        claims:
          scp: [admin]
          team: blue
        lifetime: 2m
      identity:
        remove: [sub]
`);
    expect(errors).to.have.length(3);
    expect(errors[0]).to.match(/^token\.yaml:9:11: .*scp/);
    expect(errors[1]).to.match(/^token\.yaml:11:9: .*lifetime 2m/);
    expect(errors[2]).to.match(/^token\.yaml:13:18: .*sub/);
  });

  it('refuses token outcomes in a registration rule and registration outcomes in a token rule', async () => {
    const errors = await errorsOf(`rules:
  - id: mixed-one
    description: A token change for registration.
    appliesTo: [self.service.registration]
    when: true
    then:
      access: { claims: { team: blue } }
  - id: mixed-two
    description: A profile update for tokens.
    appliesTo: [token]
    when: true
    then:
      update: { team: blue }
`);
    expect(errors).to.have.length(2);
    expect(errors[0]).to.match(/^token\.yaml:7:7: .*access changes a token, but the rule does not apply to token/);
    expect(errors[1]).to.match(/^token\.yaml:13:7: .*update changes a registration profile/);
  });

  it('checks a claim value as any other JSON-Logic expression', async () => {
    const errors = await errorsOf(`rules:
  - id: bad-value
    description: An operator that does not exist.
    appliesTo: [token]
    when: true
    then:
      access: { claims: { team: { no_such_operator: [1] } } }
`);
    expect(errors.join('\n')).to.match(/token\.yaml:7:\d+: .*no_such_operator/);
  });

  it('loads the issue\'s example rules, with defaults.token and a networks list', async () => {
    const { dir } = write(`lists:
  officeNetworks: { kind: networks, values: [10.0.0.0/8, "2001:db8::/32"] }
  retiredClients: [0oaRetired]
defaults:
  token: deny
rules:
${NETWORK_AND_RETIRED_RULES}`);
    const loaded = await loadHookRuleset(dir);
    if (!loaded.ok) throw new Error(loaded.errors.map(formatRuleError).join('\n'));
    expect(loaded.ruleset.rulesFor.token.map((rule) => rule.id)).to.deep.equal(['short-lived-outside-office', 'no-tokens-for-retired-apps']);
    expect(loaded.ruleset.rulesFor['self.service.registration']).to.deep.equal([]);
    expect(loaded.ruleset.defaults.token.decision).to.equal('deny');
  });
});
