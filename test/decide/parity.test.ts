import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { runCli } from '../helpers/runCli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempRulesDir } from '../helpers/tempRules.js';

const SECRET = 'parity-secret';

// Rules that exercise every part of an answer: a deny with causes, updates (one from a
// counter's value), the default, and updates long enough to make an answer Okta would refuse.
const RULES = `
description: the same requests through the hook, the preview API, eval and rule tests
lists:
  partners: [partner.example]
counters:
  signupsPerIp:
    description: registrations per address
    key: { var: ipAddress }
    window: 1h
rules:
  - id: no-disposable
    description: Disposable addresses may not register.
    appliesTo: [self.service.registration]
    when: { "==": [{ var: emailDomain }, mailinator.com] }
    then:
      deny:
        message: Use a permanent address.
        causes: [{ message: This address is disposable., location: data.userProfile.email }]
  - id: too-many
    description: A burst from one address is refused.
    appliesTo: [self.service.registration]
    when: { ">": [{ var: counters.signupsPerIp }, 100] }
    then: { deny: { message: Too many sign-ups from your network. } }
  - id: partner-tier
    description: Partners get their tier, and the attempt number is recorded.
    appliesTo: [self.service.registration]
    when: { in_list: [{ var: emailDomain }, partners] }
    then:
      allow: true
      update:
        tier: partner
        attempt: { var: counters.signupsPerIp }
  - id: copy-bio
    description: Copies the bio into three attributes (a 90 KB bio makes an answer over Okta's limit).
    appliesTo: [self.service.registration]
    when: { "!!": [{ var: profile.bio }] }
    then:
      update:
        bioCopyA: { var: profile.bio }
        bioCopyB: { var: profile.bio }
        bioCopyC: { var: profile.bio }
  - id: employee-number
    description: Employee numbers are digits.
    appliesTo: [progressive.profile]
    when: { "!": { matches: [{ var: submitted.employeeNumber }, "^[0-9]+$"] } }
    then: { deny: { message: Employee numbers are digits only. } }
`;

const registration = (name: string, ip: string, profile: Record<string, unknown>) => ({
  eventId: `parity-${name}`,
  eventType: 'com.okta.user.pre-registration',
  requestType: 'self.service.registration',
  data: { context: { request: { ipAddress: ip } }, userProfile: { firstName: 'Rosario', lastName: 'Jones', ...profile }, action: 'ALLOW' },
});

const REQUESTS: Record<string, object> = {
  allowed: registration('allowed', '198.51.100.1', { email: 'rosario@example.com', login: 'rosario@example.com' }),
  partner: registration('partner', '198.51.100.2', { email: 'jo@partner.example' }),
  disposable: registration('disposable', '198.51.100.3', { email: 'jo@mailinator.com' }),
  tooLarge: registration('too-large', '198.51.100.4', { email: 'bo@example.com', bio: 'b'.repeat(90_000) }),
  progressive: {
    eventId: 'parity-progressive',
    requestType: 'progressive.profile',
    data: { context: { user: { id: '00u1', profile: { login: 'al@example.com' } } }, userProfileUpdate: { employeeNumber: '12a4' }, action: 'ALLOW' },
  },
};

type Answer = { commands?: Array<{ type: string; value: Record<string, unknown> }>; error?: { errorSummary: string }; debugContext: Record<string, string> };

/** The answer with its decision id (fresh per request by design) set aside. */
function comparable(answer: Answer): Answer {
  return { ...answer, debugContext: { ...answer.debugContext, decisionId: '-' } };
}

describe('decide: the hook, the preview API, eval and rule tests answer alike', function () {
  this.timeout(60_000);
  let rules: Awaited<ReturnType<typeof tempRulesDir>>;
  let server: TestServer;
  const hook: Record<string, Answer> = {};

  before(async () => {
    rules = await tempRulesDir({ 'rules.yaml': RULES });
    for (const [name, request] of Object.entries(REQUESTS)) await writeFile(path.join(rules.dir, `${name}.json`), JSON.stringify(request));
    server = await startTestServer({ RULES_DIR: rules.dir, OKTA_HOOK_AUTH_SECRET: SECRET, PREVIEW: '1', BODY_LIMIT: '200kb', ON_RULE_ERROR: 'deny' });
    for (const [name, request] of Object.entries(REQUESTS)) {
      const res = await server.post('/registrationHook', request, { authorization: SECRET });
      expect(res.status, name).to.equal(200);
      hook[name] = res.body as Answer;
    }
  });
  after(async () => {
    await server?.close();
    await rules?.remove();
  });

  it('the requests cover an allow with updates, a deny with causes, the default, a progressive profile and an answer over 256 KB', () => {
    expect(hook.partner!.commands![0]!.value).to.deep.equal({ tier: 'partner', attempt: 1 });
    expect(hook.disposable!.error!.errorSummary).to.equal('Use a permanent address.');
    expect(hook.allowed!.debugContext.decidedBy).to.equal('default');
    expect(hook.progressive!.debugContext).to.include({ decision: 'DENY', requestType: 'progressive.profile' });
    // What the hook sends for the too-large answer: the generic deny, as a rule error.
    expect(hook.tooLarge!.debugContext).to.include({ decision: 'DENY', decidedBy: 'error' });
    expect(hook.tooLarge!.error!.errorSummary).to.equal('Registration cannot be completed at this time.');
  });

  it('the preview API answers each request exactly as the hook did', async () => {
    for (const [name, request] of Object.entries(REQUESTS)) {
      const res = await server.post('/preview/api/evaluate', request, { authorization: SECRET });
      expect(res.status, name).to.equal(200);
      expect(comparable(res.body.response), name).to.deep.equal(comparable(hook[name]!));
    }
  });

  it('hook-rules eval answers each request exactly as the hook did', async () => {
    for (const name of Object.keys(REQUESTS)) {
      const result = await runCli(['eval', path.join(rules.dir, `${name}.json`), '--dir', rules.dir, '--json']);
      expect(result.code, `${name}: ${result.stderr}`).to.equal(0);
      expect(comparable(JSON.parse(result.stdout).response), name).to.deep.equal(comparable(hook[name]!));
    }
  });

  it('rule tests expecting what the hook sent pass; one expecting the too-large allow fails and says why', async () => {
    const expectation = (answer: Answer) => {
      const { decision, decidedBy, matchedRules, internalReason } = answer.debugContext;
      const update = answer.commands?.find((command) => command.type !== 'com.okta.action.update');
      return {
        decision: decision!.toLowerCase(),
        decidedBy: decidedBy!.startsWith('rule:') ? decidedBy!.slice('rule:'.length) : decidedBy,
        matchedRules: matchedRules === '(none)' ? [] : matchedRules!.split(','),
        updates: update?.value ?? {},
        ...(answer.error ? { message: answer.error.errorSummary } : {}),
        ...(internalReason ? { internalReason } : {}),
      };
    };
    const tests = Object.keys(REQUESTS).map((name) => ({ name: `as the hook: ${name}`, request: { fixture: `${name}.json` }, expect: expectation(hook[name]!) }));
    await writeFile(path.join(rules.dir, 'parity.test.yaml'), JSON.stringify({ description: 'what the hook sent', tests }));
    const passing = await runCli(['test', rules.dir]);
    expect(passing.stdout).to.match(/Rule tests: 5 passed, 0 failed/);
    expect(passing.code, passing.stdout + passing.stderr).to.equal(0);

    const rulesDecided = { name: 'the rules allow the long bio', request: { fixture: 'tooLarge.json' }, expect: { decision: 'allow', updates: { bioCopyA: 'b'.repeat(90_000), bioCopyB: 'b'.repeat(90_000), bioCopyC: 'b'.repeat(90_000) } } };
    await writeFile(path.join(rules.dir, 'parity.test.yaml'), JSON.stringify({ description: 'what the rules decided', tests: [rulesDecided] }));
    const failing = await runCli(['test', rules.dir]);
    expect(failing.code).to.equal(4);
    expect(failing.stdout).to.include('decision: expected allow, got deny');
    expect(failing.stdout).to.match(/over Okta's limit \(256000\)/);
  });
});
