import { expect } from 'chai';
import fc from 'fast-check';
import type { Decision } from '../../../src/engine/Decision.js';
import { tokenAnswer } from '../../../src/hooks/token/answer.js';
import { applyTokenPatch } from '../../../src/hooks/token/applyTokenPatch.js';
import { DEBUG_CONTEXT_RESERVE_BYTES, OKTA_RESPONSE_LIMIT_BYTES } from '../../../src/okta/answerLimit.js';
import { buildTokenPatch, type RuleTokenChanges, type TokenDecision } from '../../../src/hooks/token/buildTokenPatch.js';
import type { TokenHookRequest } from '../../../src/hooks/token/types.js';
import { validateTokenAnswer } from '../../../src/hooks/token/validateTokenAnswer.js';
import { clientCredentialsRequest, refRequest } from './support.js';

const allow = (...changes: RuleTokenChanges[]): TokenDecision => ({ outcome: 'allow', changes });

describe('token hook: building the patch', () => {
  it('add when the token lacks the claim, replace when it has it, names JSON-Pointer encoded', () => {
    const patch = buildTokenPatch(
      allow({ ruleId: 'r1', access: { claims: { 'https://example.com/claims/tier': 'gold', preferred_username: 'jo', 'a~b': 1 } } }),
      refRequest(),
    );
    expect(patch.errors).to.deep.equal([]);
    expect(patch.response).to.deep.equal({
      commands: [
        {
          type: 'com.okta.access.patch',
          value: [
            { op: 'add', path: '/claims/https:~1~1example.com~1claims~1tier', value: 'gold' },
            { op: 'replace', path: '/claims/preferred_username', value: 'jo' },
            { op: 'add', path: '/claims/a~0b', value: 1 },
          ],
        },
      ],
    });
    expect(patch.sent.map((s) => [s.ruleId, s.claim, s.op])).to.deep.equal([
      ['r1', 'https://example.com/claims/tier', 'add'],
      ['r1', 'preferred_username', 'replace'],
      ['r1', 'a~b', 'add'],
    ]);
  });

  it('remove only claims the token has; the others are dropped, with why', () => {
    const patch = buildTokenPatch(allow({ ruleId: 'minimise', identity: { remove: ['preferred_username', 'birthdate'] } }), refRequest());
    expect(patch.commands).to.deep.equal([{ type: 'com.okta.identity.patch', value: [{ op: 'remove', path: '/claims/preferred_username' }] }]);
    expect(patch.dropped).to.deep.equal([
      { token: 'identity', ruleId: 'minimise', change: 'remove', claim: 'birthdate', reason: 'claim-absent', message: 'the token does not have this claim, and Okta refuses to remove a missing one' },
    ]);
  });

  it('no patch for a token the request does not mint: client credentials get the access part only', () => {
    const patch = buildTokenPatch(
      allow({ ruleId: 'both', identity: { claims: { tier: 'gold' }, remove: ['x'], lifetimeSeconds: 900 }, access: { claims: { tier: 'gold' } } }),
      clientCredentialsRequest(),
    );
    expect(patch.commands).to.deep.equal([{ type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/tier', value: 'gold' }] }]);
    expect(patch.dropped.map((d) => [d.token, d.change, d.claim ?? null, d.reason])).to.deep.equal([
      ['identity', 'set', 'tier', 'token-not-minted'],
      ['identity', 'remove', 'x', 'token-not-minted'],
      ['identity', 'lifetime', null, 'token-not-minted'],
    ]);
    expect(patch.dropped[0]!.message).to.match(/mints no ID token/);
    expect(patch.errors).to.deep.equal([]);
  });

  it('the first rule wins a claim; a null value sends nothing and leaves the claim to later rules', () => {
    const patch = buildTokenPatch(
      allow(
        { ruleId: 'first', access: { claims: { tier: 'gold', region: null } } },
        { ruleId: 'second', access: { claims: { tier: 'silver', region: 'eu' }, remove: ['tier'] } },
      ),
      refRequest(),
    );
    expect(patch.commands[0]!.value).to.deep.equal([
      { op: 'add', path: '/claims/tier', value: 'gold' },
      { op: 'add', path: '/claims/region', value: 'eu' },
    ]);
    expect(patch.dropped.map((d) => [d.ruleId, d.claim, d.reason])).to.deep.equal([
      ['first', 'region', 'null-value'],
      ['second', 'tier', 'taken-by-earlier-rule'],
      ['second', 'tier', 'taken-by-earlier-rule'],
    ]);
    expect(patch.dropped[1]!.message).to.equal('rule "first" already set this claim');
  });

  it('lifetime: replace /token/lifetime/expiration in seconds; the first rule wins; out of range is an error', () => {
    const patch = buildTokenPatch(allow({ ruleId: 'short', access: { lifetimeSeconds: 900 } }, { ruleId: 'long', access: { lifetimeSeconds: 7200 } }), refRequest());
    expect(patch.commands).to.deep.equal([{ type: 'com.okta.access.patch', value: [{ op: 'replace', path: '/token/lifetime/expiration', value: 900 }] }]);
    expect(patch.dropped.map((d) => [d.ruleId, d.change, d.reason])).to.deep.equal([['long', 'lifetime', 'taken-by-earlier-rule']]);
    for (const bad of [299, 86_401, 900.5, Number.NaN]) {
      const wrong = buildTokenPatch(allow({ ruleId: 'r', identity: { lifetimeSeconds: bad } }), refRequest());
      expect(wrong.commands, String(bad)).to.deep.equal([]);
      expect(wrong.errors.map((e) => e.message)[0], String(bad)).to.match(/outside what Okta accepts/);
    }
  });

  it('a value that is not plain JSON is an error, and is not sent (nor replaced by a later rule’s)', () => {
    class Tier {}
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const values: Array<[unknown, RegExp]> = [
      [Number.NaN, /the number NaN/],
      [Number.POSITIVE_INFINITY, /the number Infinity/],
      [10n, /a bigint/],
      [() => 1, /a function/],
      [new Date(0), /a Date, not plain JSON \(turn it into text first/],
      [new Tier(), /a Tier, not plain JSON/],
      [[1, undefined], /undefined, which JSON cannot carry at \[1\]/],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 3], /a list with a hole at \[1\]/],
      [{ a: { b: Symbol('x') } }, /a symbol, which JSON cannot carry at "b" at "a"/],
      [cycle, /nested more than 64 levels/],
    ];
    for (const [value, why] of values) {
      const patch = buildTokenPatch(allow({ ruleId: 'bad', access: { claims: { x: value } } }, { ruleId: 'later', access: { claims: { x: 'fallback' } } }), refRequest());
      expect(patch.commands, String(why)).to.deep.equal([]);
      expect(patch.errors).to.have.length(1);
      expect(patch.errors[0]).to.deep.include({ token: 'access', ruleId: 'bad', change: 'set', claim: 'x' });
      expect(patch.errors[0]!.message).to.match(why);
      expect(patch.dropped.map((d) => [d.ruleId, d.reason])).to.deep.equal([['later', 'taken-by-earlier-rule']]);
    }
  });

  it('reserved claims and empty names are errors, never operations (rules are also checked at load)', () => {
    const patch = buildTokenPatch(
      allow({ ruleId: 'r', identity: { claims: { groups: ['x'], sub: 'y', '': 1 }, remove: ['nonce'] }, access: { claims: { sub: 'svc', scp: ['a'] }, remove: ['aud'] } }),
      refRequest(),
    );
    expect(patch.commands).to.deep.equal([{ type: 'com.okta.access.patch', value: [{ op: 'replace', path: '/claims/sub', value: 'svc' }] }]);
    expect(patch.errors.map((e) => `${e.token}.${e.claim}`)).to.deep.equal(['identity.groups', 'identity.sub', 'identity.', 'identity.nonce', 'access.scp', 'access.aud']);
  });

  it('a deny sends error.errorSummary and no commands', () => {
    const patch = buildTokenPatch({ outcome: 'deny', message: 'This application has been retired.' }, refRequest());
    expect(patch.response).to.deep.equal({ error: { errorSummary: 'This application has been retired.' } });
    expect(patch.commands).to.deep.equal([]);
  });

  it('nothing to change: an empty answer', () => {
    expect(buildTokenPatch(allow(), refRequest()).response).to.deep.equal({});
    expect(buildTokenPatch(allow({ ruleId: 'r', access: { claims: { x: null } } }), refRequest()).response).to.deep.equal({});
  });

  it('an answer of 256,000 bytes or more is an error, and nothing is sent', () => {
    const patch = buildTokenPatch(allow({ ruleId: 'big', access: { claims: { big: 'x'.repeat(256_000) } } }), refRequest());
    expect(patch.response).to.deep.equal({});
    expect(patch.commands).to.deep.equal([]);
    const bytes = Buffer.byteLength(JSON.stringify({ commands: [{ type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/big', value: 'x'.repeat(256_000) }] }] }));
    expect(patch.errors).to.deep.equal([{ ruleId: 'big', message: `the answer would be ${bytes + DEBUG_CONTEXT_RESERVE_BYTES} bytes with its debugContext; Okta refuses 256000 or more` }]);
    const fits = buildTokenPatch(allow({ ruleId: 'fits', access: { claims: { big: 'x'.repeat(200_000) } } }), refRequest());
    expect(fits.errors).to.deep.equal([]);
    expect(fits.commands).to.have.length(1);
  });
});

// ---- property: whatever the rules computed, the answer is one Okta applies whole ----

const NAMES = ['tier', 'https://example.com/claims/tier', 'a~b', 'a/b~1', '~', '/', 'groups', 'sub', 'aud', 'scp', 'uid', 'preferred_username', 'email', 'name', 'roles', '__proto__', 'constructor', ''];
const claimName = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 6 }));
const claimValue = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, Number.NaN, 10n, new Date(0), [1, undefined]) },
);
const claimsMap = fc.array(fc.tuple(claimName, claimValue), { maxLength: 5 }).map((entries) => {
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  return out;
});
const change = fc.record(
  {
    claims: claimsMap,
    remove: fc.array(claimName, { maxLength: 4 }),
    lifetimeSeconds: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(300, 86_400, 900.5)),
  },
  { requiredKeys: [] },
);
const ruleChanges = fc
  .array(fc.record({ identity: fc.option(change, { nil: undefined }), access: fc.option(change, { nil: undefined }) }), { maxLength: 4 })
  .map((rules): RuleTokenChanges[] => rules.map((rule, i) => ({ ruleId: `r${i}`, ...rule })));
const tokenClaims = fc.dictionary(fc.constantFrom(...NAMES.filter((n) => n !== '__proto__'), 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 });
const request = fc.record({ flow: fc.constantFrom('ref', 'client-credentials', 'no-access'), identity: tokenClaims, access: tokenClaims }).map(({ flow, identity, access }) => {
  const base: TokenHookRequest = flow === 'client-credentials' ? clientCredentialsRequest() : refRequest();
  if (base.data.identity) base.data.identity.claims = identity as never;
  if (flow === 'no-access') delete base.data.access;
  else base.data.access!.claims = access as never;
  return base;
});

function inputCount(changes: readonly RuleTokenChanges[]): number {
  let n = 0;
  for (const rule of changes) {
    for (const token of ['identity', 'access'] as const) {
      const c = rule[token];
      if (!c) continue;
      n += Object.keys(c.claims ?? {}).length + (c.remove?.length ?? 0) + (c.lifetimeSeconds === undefined ? 0 : 1);
    }
  }
  return n;
}

describe('token hook: the patch builder never sends what Okta would refuse (property)', () => {
  it('every answer passes the validator against its request, and every change is sent, dropped or an error', () => {
    fc.assert(
      fc.property(request, ruleChanges, (req, changes) => {
        const patch = buildTokenPatch({ outcome: 'allow', changes }, req);
        expect(validateTokenAnswer(patch.response, { request: req })).to.deep.equal([]);
        expect(patch.sent.length + patch.dropped.length + patch.errors.length).to.equal(inputCount(changes));
        expect(patch.commands.flatMap((c) => c.value)).to.have.length(patch.sent.length);
        for (const command of patch.commands) {
          const token = command.type === 'com.okta.identity.patch' ? 'identity' : 'access';
          const minted = req.data[token]!;
          const paths = command.value.map((op) => op.path);
          expect(new Set(paths).size, 'one operation per claim and token').to.equal(paths.length);
          const applied = applyTokenPatch({ claims: minted.claims ?? {} }, command.value);
          expect(applied.ok).to.equal(true);
          for (const sent of patch.sent.filter((s) => s.token === token && s.change === 'set')) {
            const value = changes.find((c) => c.ruleId === sent.ruleId && c[token]?.claims && Object.hasOwn(c[token]!.claims!, sent.claim!))![token]!.claims![sent.claim!];
            if (applied.ok) expect(JSON.stringify(applied.token.claims[sent.claim!])).to.equal(JSON.stringify(value));
          }
          for (const sent of patch.sent.filter((s) => s.token === token && s.change === 'remove')) {
            if (applied.ok) expect(Object.hasOwn(applied.token.claims, sent.claim!)).to.equal(false);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('token hook: an answer at the edge of Okta size limit', () => {
  /** A patch whose commands alone are `bytes` long: under the limit until the answer's debugContext is added. */
  const decisionWithClaimOf = (bytes: number): Decision => {
    const commandsOf = (length: number) => Buffer.byteLength(JSON.stringify({ commands: [{ type: 'com.okta.access.patch', value: [{ op: 'add', path: '/claims/big', value: 'x'.repeat(length) }] }] }));
    const length = bytes - commandsOf(0);
    expect(commandsOf(length)).to.equal(bytes);
    return {
      requestType: 'token',
      outcome: 'allow',
      decidedBy: { kind: 'default' },
      matchedRuleIds: ['big'],
      updates: {},
      updatedBy: {},
      outcomes: [{ ruleId: 'big', fixed: { access: {} }, values: [[['access', 'claims', 'big'], 'x'.repeat(length)]] }],
      rulesetVersion: 'v1',
      trace: [],
    };
  };

  for (const bytes of [OKTA_RESPONSE_LIMIT_BYTES - 40, OKTA_RESPONSE_LIMIT_BYTES - 1]) {
    for (const onRuleError of ['deny', 'skip'] as const) {
      it(`commands of ${bytes} bytes, ON_RULE_ERROR=${onRuleError}: the body Okta gets fits, and the decision says what it is`, () => {
        const answer = tokenAnswer(decisionWithClaimOf(bytes), refRequest() as TokenHookRequest, { decisionId: '0f8e6a3c-2b1d-4e5f-9a7b-6c5d4e3f2a1b', onRuleError });
        expect(Buffer.byteLength(answer.body!)).to.be.below(OKTA_RESPONSE_LIMIT_BYTES);
        expect(answer.tooLarge?.rules).to.deep.equal(['big']);
        expect(answer.sent).to.deep.equal([]);
        if (onRuleError === 'deny') {
          expect(answer.response.error?.errorSummary).to.equal('The token could not be issued at this time.');
          expect(answer.decision).to.deep.include({ outcome: 'deny', decidedBy: { kind: 'error', ruleId: 'big' } });
        } else {
          expect(answer.response).to.not.have.property('error');
          expect(answer.response).to.not.have.property('commands');
          expect(answer.decision.outcome).to.equal('allow');
        }
      });
    }
  }
});
