import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { fromShorthand } from '../../src/suites/caseRequest.js';
import type { JsonObject, OktaHookRequest } from '../../src/okta/types.js';
import { runCli } from '../helpers/runCli.js';
import { rulesetOf, tempRulesPerTest } from '../helpers/tempRules.js';
import { startTestServer } from '../helpers/server.js';

/** Two fields checked by two deny rules, a third deny without causes, and an update rule. */
const RULES = (setting: string) => `${setting}
rules:
  - id: deny-bad-employee-number
    description: four digits
    appliesTo: [progressive.profile]
    when: { "!": { matches: [{ var: submitted.employeeNumber }, "^[0-9]{4}$"] } }
    then:
      deny:
        message: Please correct the highlighted fields.
        internalReason: employeeNumber
        causes: [{ message: Four digits., location: data.userProfile.employeeNumber, reason: BAD_EMPLOYEE_NUMBER }]
  - id: echo
    description: echo
    appliesTo: [progressive.profile]
    when: true
    then: { updateFrom: { var: submitted } }
  - id: deny-bad-phone
    description: phone
    appliesTo: [progressive.profile]
    when: { "!": { matches: [{ var: submitted.phone }, "^[0-9]{8,15}$"] } }
    then:
      deny:
        message: The phone number is not valid.
        internalReason: phone
        causes: [{ message: 8 to 15 digits., location: data.userProfile.phone, reason: BAD_PHONE }]
  - id: deny-no-causes
    description: a deny with a message only
    appliesTo: [progressive.profile]
    when: { "==": [{ var: submitted.nickname }, root] }
    then: { deny: { message: That nickname is taken. } }
`;

const request = (submitted: JsonObject): OktaHookRequest =>
  fromShorthand({ submitted, user: { profile: { login: 'a@example.com' } } }) as OktaHookRequest;

const BOTH_BAD = { employeeNumber: '12a4', phone: '12', nickname: 'root' };

describe('settings.denyCauses: every bad field in one answer (issue 15)', () => {
  const rules = tempRulesPerTest();

  it('by default the first matching deny answers alone (unchanged)', async () => {
    const decision = evaluate(await rulesetOf({ 'a.yaml': RULES('') }), registrationContext(request(BOTH_BAD)));
    expect(decision.outcome).to.equal('deny');
    expect(decision.deny?.causes).to.have.length(1);
    expect(decision.matchedRuleIds).to.deep.equal(['deny-bad-employee-number']);
    expect(decision.deniedBy).to.equal(undefined);
    expect(decision.trace.map((t) => t.status)).to.deep.equal(['matched', 'skipped', 'skipped', 'skipped']);
  });

  it('with all, collects the causes of every matching deny rule; the first message is the summary', async () => {
    const ruleset = await rulesetOf({ 'a.yaml': RULES('settings: { denyCauses: all }') });
    expect(ruleset.settings.denyCauses).to.equal('all');
    const decision = evaluate(ruleset, registrationContext(request(BOTH_BAD)));
    expect(decision.decidedBy).to.deep.equal({ kind: 'rule', ruleId: 'deny-bad-employee-number' });
    expect(decision.deny).to.deep.equal({
      message: 'Please correct the highlighted fields.',
      causes: [
        { message: 'Four digits.', location: 'data.userProfile.employeeNumber', reason: 'BAD_EMPLOYEE_NUMBER' },
        { message: '8 to 15 digits.', location: 'data.userProfile.phone', reason: 'BAD_PHONE' },
        { message: 'That nickname is taken.' },
      ],
      internalReason: 'deny-bad-employee-number: employeeNumber; deny-bad-phone: phone',
    });
    expect(decision.deniedBy).to.deep.equal(['deny-bad-employee-number', 'deny-bad-phone', 'deny-no-causes']);
    expect(decision.matchedRuleIds).to.deep.equal(['deny-bad-employee-number', 'deny-bad-phone', 'deny-no-causes']);
    // The update rule after the first deny is not evaluated: a deny sends no updates.
    expect(decision.trace.map((t) => t.status)).to.deep.equal(['matched', 'skipped', 'matched', 'matched']);
    expect(decision.updates).to.deep.equal({});

    const one = evaluate(ruleset, registrationContext(request({ employeeNumber: '1234', phone: '12' })));
    expect(one.deny?.message).to.equal('The phone number is not valid.');
    expect(one.deniedBy).to.equal(undefined);
    const none = evaluate(ruleset, registrationContext(request({ employeeNumber: '1234', phone: '123456789' })));
    expect(none.outcome).to.equal('allow');
    expect(none.updates).to.deep.equal({ employeeNumber: '1234', phone: '123456789' });
  });

  it('the same with the service trace off (as the hook route runs it)', async () => {
    const ruleset = await rulesetOf({ 'a.yaml': RULES('settings: { denyCauses: all }') });
    const decision = evaluate(ruleset, registrationContext(request(BOTH_BAD)), { trace: 'errors' });
    expect(decision.deny?.causes).to.have.length(3);
    expect(decision.trace).to.deep.equal([]);
  });

  it('refuses a setting made twice, and an unknown value', async () => {
    const t = await rules({ 'a.yaml': RULES('settings: { denyCauses: all }'), 'b.yaml': 'settings: { denyCauses: first }\n', 'c.yaml': 'settings: { denyCause: every }\n' });
    const result = await runCli(['validate', t.dir]);
    expect(result.code).to.equal(3);
    expect(result.stderr).to.match(/b\.yaml:1:13: settings\.denyCauses is already set at \S+a\.yaml:1:13/);
    expect(result.stderr).to.match(/c\.yaml:1:13: settings: unknown property "denyCause" \(did you mean "denyCauses"\?\)/);
  });

  it('hook-rules eval shows every cause and which rules gave them', async () => {
    const t = await rules({ 'a.yaml': RULES('settings: { denyCauses: all }') });
    const result = await runCli(['eval', '-', '--dir', t.dir], { input: JSON.stringify({ submitted: BOTH_BAD, user: { profile: { login: 'a@example.com' } } }) });
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('Causes from every matching deny rule (settings.denyCauses: all): deny-bad-employee-number, deny-bad-phone, deny-no-causes');
    const response = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'), result.stdout.indexOf('\n}\n') + 2)) as { error: { errorSummary: string; errorCauses: Array<{ location?: string }> } };
    expect(response.error.errorSummary).to.equal('Please correct the highlighted fields.');
    expect(response.error.errorCauses.map((c) => c.location)).to.deep.equal(['data.userProfile.employeeNumber', 'data.userProfile.phone', undefined]);
  });

  it('the running service answers Okta with every cause; the preview API shows who denied', async () => {
    const t = await rules({ 'a.yaml': RULES('settings: { denyCauses: all }') });
    const server = await startTestServer({ RULES_DIR: t.dir, PREVIEW: '1' });
    try {
      const hook = await server.post('/registrationHook', request(BOTH_BAD));
      expect(hook.status).to.equal(200);
      expect(hook.body.commands).to.deep.equal([{ type: 'com.okta.action.update', value: { registration: 'DENY' } }]);
      expect(hook.body.error.errorSummary).to.equal('Please correct the highlighted fields.');
      expect(hook.body.error.errorCauses.map((c: { errorSummary: string }) => c.errorSummary)).to.deep.equal(['Four digits.', '8 to 15 digits.', 'That nickname is taken.']);
      const preview = await server.post('/preview/api/evaluate', request(BOTH_BAD));
      expect(preview.status).to.equal(200);
      expect(preview.body.decision.deniedBy).to.deep.equal(['deny-bad-employee-number', 'deny-bad-phone', 'deny-no-causes']);
    } finally {
      await server.close();
    }
  });
});
