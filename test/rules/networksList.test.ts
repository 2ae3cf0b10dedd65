import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { withListOverrides } from '../../src/suites/listOverrides.js';
import type { CompiledRuleset } from '../../src/ruleset/CompiledRuleset.js';
import { loadErrors, rulesetOf } from '../helpers/tempRules.js';

const OFFICE_RULE = `
rules:
  - id: office-only
    description: Sign-ups come from the office networks only.
    appliesTo: [self.service.registration]
    when: { "!": { in_list: [{ var: ipAddress }, officeNetworks] } }
    then: { deny: { message: Not from here. } }
`;

function decide(ruleset: CompiledRuleset, ipAddress: string): string {
  return evaluate(ruleset, registrationContext({ requestType: 'self.service.registration', data: { userProfile: { email: 'jo@example.com' }, context: { request: { ipAddress } } } } as OktaHookRequest)).outcome;
}

describe('named lists: the networks kind', () => {
  it('inline CIDR ranges, IPv4 and IPv6, with in_list on the request’s IP address (registration rules too)', async () => {
    const ruleset = await rulesetOf({
      'rules.yaml': `lists:
  officeNetworks:
    kind: networks
    values: [10.0.0.0/8, 192.168.7.0/24, 203.0.113.9, "2001:db8::/32"]
${OFFICE_RULE}`,
    });
    expect(ruleset.lists.get('officeNetworks')!.size).to.equal(4);
    for (const inside of ['10.1.2.3', '192.168.7.200', '203.0.113.9', '2001:db8:1::5', '::ffff:10.9.8.7']) expect(decide(ruleset, inside), inside).to.equal('allow');
    for (const outside of ['11.0.0.1', '192.168.8.1', '203.0.113.10', '2001:db9::1', 'xxx.xxx.xxx.xxx']) expect(decide(ruleset, outside), outside).to.equal('deny');
  });

  it('a text file and a JSON file of ranges beside the rules; an except list of networks', async () => {
    const ruleset = await rulesetOf({
      'rules.yaml': `lists:
  officeNetworks: { kind: networks, file: lists/office.txt, except: [guestWifi] }
  guestWifi: { kind: networks, file: lists/guest.json }
${OFFICE_RULE}`,
      'lists/office.txt': '# HQ\n10.0.0.0/8   # everything internal\n\n2001:db8::/32\n',
      'lists/guest.json': '["10.99.0.0/16"]',
    });
    expect(decide(ruleset, '10.1.2.3')).to.equal('allow');
    expect(decide(ruleset, '10.99.1.1'), 'guest Wi-Fi is excused from the office list').to.equal('deny');
    expect(decide(ruleset, '2001:db8::1')).to.equal('allow');
  });

  it('bad entries are load errors at file:line:column, every one at once', async () => {
    const errors = await loadErrors({
      'rules.yaml': `lists:
  officeNetworks:
    kind: networks
    values:
      - 10.0.0.0/8
      - 10.1.2.3/8
      - office.example.com
  fromFile: { kind: networks, file: nets.txt }
${OFFICE_RULE}
  - id: file-networks
    description: Also the networks from the file.
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: ipAddress }, fromFile] }
    then: { allow: true }
`,
      'nets.txt': '10.0.0.0/8\n  10.0.0.0/33  # typo\n192.168.1.0/24\n',
    });
    const described = errors.map((e) => `${e.name}:${e.line}:${e.column}: ${e.message}`);
    expect(described).to.deep.equal([
      'nets.txt:2:3: "10.0.0.0/33" has a prefix length that is not a whole number from 0 to 32',
      'rules.yaml:6:9: list "officeNetworks": "10.1.2.3/8" has bits set after its /8 prefix: the range is 10.0.0.0/8',
      'rules.yaml:7:9: list "officeNetworks": "office.example.com" is not an IP address or CIDR range (such as 10.0.0.0/8 or 2001:db8::/32)',
      'rules.yaml:8:31: list "fromFile": nets.txt has invalid entries',
    ]);
  });

  it('rule tests may override a networks list, and a bad entry there is refused, not dropped', async () => {
    const ruleset = await rulesetOf({ 'rules.yaml': `lists:\n  officeNetworks: { kind: networks, values: [10.0.0.0/8] }\n${OFFICE_RULE}` });
    const overridden = withListOverrides(ruleset, { officeNetworks: ['172.16.0.0/12'] });
    expect(overridden.ok).to.equal(true);
    if (overridden.ok) {
      expect(decide(overridden.ruleset, '172.16.5.5')).to.equal('allow');
      expect(decide(overridden.ruleset, '10.1.2.3')).to.equal('deny');
    }
    expect(withListOverrides(ruleset, { officeNetworks: ['172.16.0.0/33'] })).to.deep.equal({
      ok: false,
      problem: 'lists: officeNetworks (networks): "172.16.0.0/33" has a prefix length that is not a whole number from 0 to 32',
    });
  });
});
