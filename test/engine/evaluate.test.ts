import { expect } from 'chai';
import { evaluate } from '../../src/engine/evaluate.js';
import { registrationContext } from '../../src/hooks/registration/index.js';
import { rulesetOf } from '../helpers/tempRules.js';
import { ppRequest, ssrRequest } from '../helpers/fixtures.js';

const rule = (id: string, when: string, then: string, extra = '', types = 'self.service.registration') => `
  - id: ${id}
    description: ${id}
    appliesTo: [${types}]
    when: ${when}
    then: ${then}${extra}`;

const DENY = (msg: string) => `{ deny: { message: "${msg}", internalReason: "because ${msg}" } }`;

describe('evaluate: precedence', () => {
  it('lets the first matching deny end evaluation, even after an allow', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('allow-all', 'true', '{ allow: true }')}${rule('deny-1', 'true', DENY('one'))}${rule('deny-2', 'true', DENY('two'))}`,
    });
    const decision = evaluate(ruleset, registrationContext(ssrRequest({ email: 'a@example.com' })));
    expect(decision.outcome).to.equal('deny');
    expect(decision.decidedBy).to.deep.equal({ kind: 'rule', ruleId: 'deny-1' });
    expect(decision.deny?.message).to.equal('one');
    expect(decision.matchedRuleIds).to.deep.equal(['allow-all', 'deny-1']);
    expect(decision.trace.map((t) => [t.id, t.status])).to.deep.equal([
      ['allow-all', 'matched'],
      ['deny-1', 'matched'],
      ['deny-2', 'skipped'],
    ]);
  });

  it('runs higher priority first, whatever the file order', async () => {
    const ruleset = await rulesetOf({
      'a.yaml': `rules:${rule('deny-low', 'true', DENY('low'))}`,
      'b.yaml': `rules:${rule('deny-high', 'true', DENY('high'), '\n    priority: 5')}`,
    });
    expect(evaluate(ruleset, registrationContext(ssrRequest({}))).decidedBy.ruleId).to.equal('deny-high');
  });

  it('allows when an allow matches and no deny does, over a deny default', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `defaults:\n  self.service.registration: deny\nrules:${rule('allow-x', '{ "==": [{ var: emailDomain }, x.com] }', '{ allow: true }')}`,
    });
    const allowed = evaluate(ruleset, registrationContext(ssrRequest({ email: 'a@X.com' })));
    expect(allowed.outcome).to.equal('allow');
    expect(allowed.decidedBy).to.deep.equal({ kind: 'rule', ruleId: 'allow-x' });
    const denied = evaluate(ruleset, registrationContext(ssrRequest({ email: 'a@y.com' })));
    expect(denied.outcome).to.equal('deny');
    expect(denied.decidedBy).to.deep.equal({ kind: 'default' });
    expect(denied.deny?.message).to.equal('Registration cannot be completed at this time.');
  });

  it('uses a default deny with its own message and causes', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `defaults:\n  progressive.profile:\n    deny:\n      message: Not now.\n      causes: [{ message: Later, location: data.userProfile.x }]\n`,
    });
    const decision = evaluate(ruleset, registrationContext(ppRequest({ x: 1 })));
    expect(decision.outcome).to.equal('deny');
    expect(decision.deny?.causes?.[0]?.location).to.equal('data.userProfile.x');
  });

  it('defaults to allow when no default is set', async () => {
    const ruleset = await rulesetOf({ 'r.yaml': `rules:${rule('never', 'false', DENY('x'))}` });
    const decision = evaluate(ruleset, registrationContext(ssrRequest({})));
    expect(decision.outcome).to.equal('allow');
    expect(decision.decidedBy).to.deep.equal({ kind: 'default' });
    expect(decision.trace.map((t) => t.status)).to.deep.equal(['not-matched']);
  });

  it('only runs rules that apply to the request type', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('ssr-only', 'true', DENY('ssr'))}${rule('pp-only', 'true', DENY('pp'), '', 'progressive.profile')}`,
    });
    expect(evaluate(ruleset, registrationContext(ssrRequest({}))).decidedBy.ruleId).to.equal('ssr-only');
    expect(evaluate(ruleset, registrationContext(ppRequest({}))).decidedBy.ruleId).to.equal('pp-only');
  });
});

describe('evaluate: updates', () => {
  it('combines updates from every matching rule; the first to set an attribute keeps it', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('a', 'true', '{ update: { department: Sales, region: { upper: { var: emailDomain } } } }')}${rule(
        'b',
        'true',
        '{ update: { department: Ignored, costCenter: 42, tags: [a, b] } }',
      )}${rule('c', 'false', '{ update: { never: x } }')}`,
    });
    const decision = evaluate(ruleset, registrationContext(ssrRequest({ email: 'a@eu.example.com' })));
    expect(decision.outcome).to.equal('allow');
    expect(decision.updates).to.deep.equal({ department: 'Sales', region: 'EU.EXAMPLE.COM', costCenter: 42, tags: ['a', 'b'] });
    expect(decision.updatedBy).to.deep.equal({ department: 'a', region: 'a', costCenter: 'b', tags: 'b' });
  });

  it('sets attributes named like Object.prototype members (toString, valueOf, hasOwnProperty)', async () => {
    // They were once taken for "already set" (an `in` check sees inherited names) and dropped.
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('a', 'true', '{ update: { toString: x, department: y } }')}${rule('b', 'true', '{ update: { valueOf: v } }')}${rule('c', 'true', '{ update: { hasOwnProperty: h } }')}`,
    });
    const decision = evaluate(ruleset, registrationContext(ssrRequest({ email: 'a@example.com' })));
    expect({ ...decision.updates }).to.deep.equal({ toString: 'x', department: 'y', valueOf: 'v', hasOwnProperty: 'h' });
    expect({ ...decision.updatedBy }).to.deep.equal({ toString: 'a', department: 'a', valueOf: 'b', hasOwnProperty: 'c' });
    const echoed = evaluate(await rulesetOf({ 'r.yaml': `rules:${rule('echo', 'true', '{ allow: true, updateFrom: { var: submitted } }', '', 'progressive.profile')}` }), registrationContext(ppRequest({ toString: '1', hasOwnProperty: '2' })));
    expect({ ...echoed.updates }).to.deep.equal({ toString: '1', hasOwnProperty: '2' });
  });

  it('echoes submitted attributes with updateFrom, update winning over it', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('echo', 'true', '{ allow: true, updateFrom: { var: submitted }, update: { b: override } }', '', 'progressive.profile')}`,
    });
    const decision = evaluate(ruleset, registrationContext(ppRequest({ a: '1', b: '2' })));
    expect(decision.updates).to.deep.equal({ a: '1', b: 'override' });
  });

  it('leaves out null values and drops updates on deny', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule('u', 'true', '{ update: { missing: { var: nothing.here }, present: yes } }')}${rule(
        'd',
        '{ "==": [{ var: email }, bad@x.com] }',
        DENY('bad'),
      )}`,
    });
    expect(evaluate(ruleset, registrationContext(ssrRequest({ email: 'ok@x.com' }))).updates).to.deep.equal({ present: 'yes' });
    const denied = evaluate(ruleset, registrationContext(ssrRequest({ email: 'bad@x.com' })));
    expect(denied.outcome).to.equal('deny');
    expect(denied.updates).to.deep.equal({});
  });

  it('decides a one-attribute update as the same update beside a null attribute', async () => {
    // One computed attribute takes a shorter path than several; both must give the same
    // decision, trace and errors, whatever the value (kept, left out, refused) and the name.
    const values = ['Sales', 42, true, '[a, b]', 'null', '{ var: nothing.here }', '{ var: data }', '[{ var: data }]', '{ "/": [0, 0] }', '{ cat: [x, { var: email }] }'];
    const names = ['department', 'toString', 'valueOf']; // password and prototype keys are refused at load
    const seen = { error: 0, set: 0, notSet: 0 };
    for (const name of names) {
      for (const value of values) {
        const one = `{ update: { ${name}: ${value} } }`;
        const two = `{ update: { ${name}: ${value}, zzz: null } }`;
        const first = `{ update: { ${name}: first } }`;
        const [single, pair] = await Promise.all(
          [one, two].map((then) => rulesetOf({ 'r.yaml': `rules:${rule('before', 'false', first)}${rule('it', 'true', then)}${rule('after', 'true', first)}${rule('last', 'true', '{ allow: true }')}` })),
        );
        for (const onRuleError of ['deny', 'skip'] as const) {
          for (const trace of ['all', 'errors'] as const) {
            const request = ssrRequest({ email: 'a@x.com' });
            const a = evaluate(single!, registrationContext(request), { onRuleError, trace });
            const b = evaluate(pair!, registrationContext(request), { onRuleError, trace });
            const label = `${name}: ${value}, ${onRuleError}, ${trace}`;
            // Only where the two files differ is left out: version, source position, and effect.
            const comparable = (d: typeof a) => ({ ...d, rulesetVersion: '', trace: d.trace.map(({ source, effect, ...t }) => t) });
            expect(comparable(a), label).to.deep.equal(comparable(b));
            if (a.trace.some((t) => t.status === 'error')) seen.error++;
            if (Object.values(a.updatedBy).includes('it')) seen.set++;
            else if (a.outcome === 'allow') seen.notSet++;
          }
        }
      }
    }
    // Every kind of outcome was compared: refused, set, and kept out (null, or set before).
    expect(seen.error).to.be.greaterThan(10);
    expect(seen.set).to.be.greaterThan(10);
    expect(seen.notSet).to.be.greaterThan(10);
  });

  it('never sets password or prototype keys from updateFrom', async () => {
    const ruleset = await rulesetOf({ 'r.yaml': `rules:${rule('echo', 'true', '{ updateFrom: { var: submitted } }')}` });
    const decision = evaluate(ruleset, registrationContext(ssrRequest({ password: 'hunter2' })), { onRuleError: 'skip' });
    expect(decision.updates).to.deep.equal({});
    expect(decision.trace[0]!.status).to.equal('error');
    const polluted = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    const second = evaluate(ruleset, registrationContext(ssrRequest(polluted)), { onRuleError: 'skip' });
    expect(second.updates).to.deep.equal({});
    expect(({} as Record<string, unknown>).admin).to.equal(undefined);
  });
});

describe('evaluate: failing rules', () => {
  const files = { 'r.yaml': `rules:${rule('broken', 'true', '{ updateFrom: [1, 2] }')}${rule('after', 'true', '{ allow: true }')}` };

  it('denies with a generic message by default (fail closed), naming the rule internally', async () => {
    const ruleset = await rulesetOf(files);
    const decision = evaluate(ruleset, registrationContext(ssrRequest({})));
    expect(decision.outcome).to.equal('deny');
    expect(decision.decidedBy).to.deep.equal({ kind: 'error', ruleId: 'broken' });
    expect(decision.deny?.message).to.equal('Registration cannot be completed at this time.');
    expect(decision.deny?.internalReason).to.match(/rule broken failed: updateFrom must return an object/);
    expect(decision.trace.map((t) => t.status)).to.deep.equal(['error', 'skipped']);
  });

  it('skips the rule with ON_RULE_ERROR=skip', async () => {
    const ruleset = await rulesetOf(files);
    const decision = evaluate(ruleset, registrationContext(ssrRequest({})), { onRuleError: 'skip' });
    expect(decision.outcome).to.equal('allow');
    expect(decision.decidedBy.ruleId).to.equal('after');
  });
});

describe("evaluate: trace 'errors' (the hook route's mode)", () => {
  const files = {
    'r.yaml': `rules:${rule('allow-all', 'true', '{ allow: true, update: { tier: { cat: [gold] } } }')}${rule('broken', 'true', '{ updateFrom: [1, 2] }')}${rule('deny-x', '{ "==": [{ var: email }, bad@x.com] }', DENY('x'))}${rule('after', 'true', '{ allow: true }')}`,
  };

  it('decides exactly as with a full trace, and keeps only the rules that threw', async () => {
    const ruleset = await rulesetOf(files);
    for (const onRuleError of ['deny', 'skip'] as const) {
      for (const email of ['ok@x.com', 'bad@x.com']) {
        const full = evaluate(ruleset, registrationContext(ssrRequest({ email })), { onRuleError });
        const lean = evaluate(ruleset, registrationContext(ssrRequest({ email })), { onRuleError, trace: 'errors' });
        const { trace: fullTrace, ...fullRest } = full;
        const { trace: leanTrace, ...leanRest } = lean;
        expect(leanRest, `${onRuleError} ${email}`).to.deep.equal(fullRest);
        expect(leanTrace).to.deep.equal(fullTrace.filter((t) => t.status === 'error'));
        expect(leanTrace.map((t) => [t.id, t.status])).to.deep.equal([['broken', 'error']]);
        expect(leanTrace[0]!.error).to.match(/updateFrom must return an object/);
      }
    }
  });

  it('still records every rule when explaining', async () => {
    const ruleset = await rulesetOf(files);
    const decision = evaluate(ruleset, registrationContext(ssrRequest({ email: 'ok@x.com' })), { onRuleError: 'skip', trace: 'errors', explain: true });
    expect(decision.trace.map((t) => t.id)).to.deep.equal(['allow-all', 'broken', 'deny-x', 'after']);
  });

  it('gives every decision its keys in one order (what the CLI and the preview print)', async () => {
    const ruleset = await rulesetOf({
      ...files,
      'd.yaml': `defaults:\n  progressive.profile: deny\n`,
    });
    const base = ['requestType', 'outcome', 'decidedBy', 'matchedRuleIds', 'updates', 'updatedBy', 'rulesetVersion', 'trace'];
    const withDeny = ['requestType', 'outcome', 'decidedBy', 'deny', 'matchedRuleIds', 'updates', 'updatedBy', 'rulesetVersion', 'trace'];
    const noted = (keys: string[]) => [keys[0]!, 'requestTypeNote', ...keys.slice(1)];
    const unlabelled = (request: ReturnType<typeof ssrRequest>) => {
      delete (request as { requestType?: string }).requestType;
      return request;
    };
    const cases: Array<[string, ReturnType<typeof ssrRequest>, 'deny' | 'skip', string[]]> = [
      ['allowed by a rule', ssrRequest({ email: 'ok@x.com' }), 'skip', base],
      ['denied by a rule', ssrRequest({ email: 'bad@x.com' }), 'skip', withDeny],
      ['denied by an error', ssrRequest({ email: 'ok@x.com' }), 'deny', withDeny],
      ['denied by the default', ppRequest({ x: 1 }), 'skip', withDeny],
      ['allowed, type from the body', unlabelled(ssrRequest({ email: 'ok@x.com' })), 'skip', noted(base)],
      ['denied, type from the body', unlabelled(ssrRequest({ email: 'bad@x.com' })), 'skip', noted(withDeny)],
    ];
    for (const [name, request, onRuleError, keys] of cases) {
      for (const trace of ['all', 'errors'] as const) {
        expect(Object.keys(evaluate(ruleset, registrationContext(request), { onRuleError, trace })), `${name}, trace ${trace}`).to.deep.equal(keys);
      }
    }
  });
});

describe('evaluate: facts and explanation', () => {
  it('sees the request as sent and the conveniences', async () => {
    const ruleset = await rulesetOf({
      'r.yaml': `rules:${rule(
        'all-facts',
        `{ and: [
          { "==": [{ var: data.userProfile.firstName }, Rosario] },
          { "==": [{ var: requestType }, progressive.profile] },
          { "==": [{ var: profile.firstName }, Rosario] },
          { "==": [{ var: submitted.employeeNumber }, "1234"] },
          { "==": [{ var: email }, rosario.jones@example.com] },
          { "==": [{ var: emailDomain }, example.com] },
          { "==": [{ var: user.id }, 00u48gwcu01WxvNo] },
          { "==": [{ var: ipAddress }, 127.0.0.1] }
        ] }`,
        DENY('all seen'),
        '',
        'progressive.profile',
      )}`,
    });
    const decision = evaluate(ruleset, registrationContext(ppRequest({ employeeNumber: '1234' })), { explain: true });
    // data.userProfile is absent in PP, so the first clause is false: the explanation says so.
    expect(decision.outcome).to.equal('allow');
    const parts = decision.trace[0]!.parts!.map((p) => p.value);
    expect(parts).to.deep.equal([false, true, true, true, true, true, true, true]);
    expect(decision.trace[0]!.saw).to.include({ emailDomain: 'example.com', 'submitted.employeeNumber': '1234', 'data.userProfile.firstName': null });
  });
});
