import { expect } from 'chai';
import { checkTokenOutcome, parseLifetime } from '../../../src/hooks/token/checkTokenOutcome.js';
import { RESERVED_CLAIMS, reservedClaimProblem } from '../../../src/hooks/token/reservedClaims.js';
import { tokenFixture } from './support.js';

const AT = ['rules', 2, 'then'];

describe('token hook: reserved claims', () => {
  it('are the union of every published version of Okta’s table', () => {
    const history = tokenFixture<{ versions: Record<string, Record<string, unknown>> }>('derived/reserved-claims-by-doc-version.json');
    const union = new Set(Object.values(history.versions).flatMap((table) => Object.keys(table)));
    expect(union.size).to.be.greaterThan(50);
    expect([...RESERVED_CLAIMS].sort()).to.deep.equal([...union].sort());
  });

  it('a claim reserved in one version only (amr was access-token only until 2023) is refused in both tokens', () => {
    for (const token of ['identity', 'access'] as const) {
      expect(reservedClaimProblem(token, 'amr', 'set'), token).to.match(/reserved/);
      expect(reservedClaimProblem(token, 'authorization_details', 'remove'), token).to.match(/reserved/);
    }
  });

  it('aud and sub may be changed in the access token only, and never removed', () => {
    for (const claim of ['aud', 'sub']) {
      expect(reservedClaimProblem('access', claim, 'set')).to.equal(null);
      expect(reservedClaimProblem('access', claim, 'remove')).to.match(/not removed/);
      expect(reservedClaimProblem('identity', claim, 'set')).to.match(/access token only/);
    }
  });

  it('scopes can never be changed, in either token', () => {
    for (const token of ['identity', 'access'] as const) {
      for (const claim of ['scp', 'scopes']) expect(reservedClaimProblem(token, claim, 'set')).to.match(/granted scopes/);
    }
  });

  it('custom and standard profile claims are free', () => {
    for (const claim of ['entitlements', 'birthdate', 'locale', 'https://example.com/claims/tier', 'Sub', 'preferred_username']) {
      expect(reservedClaimProblem('identity', claim, 'set'), claim).to.equal(null);
      expect(reservedClaimProblem('access', claim, 'remove'), claim).to.equal(null);
    }
  });
});

describe('token hook: checking a rule’s token outcome at load', () => {
  it('accepts the issue’s three rules', () => {
    expect(checkTokenOutcome({ access: { claims: { entitlements: { var: 'facts.entitlements.names' }, 'https://example.com/claims/tier': 'gold' } } }, ['token'], AT)).to.deep.equal([]);
    expect(checkTokenOutcome({ access: { lifetime: '15m' }, identity: { remove: ['preferred_username'] } }, ['token'], AT)).to.deep.equal([]);
    expect(checkTokenOutcome({ deny: { message: 'This application has been retired.' } }, ['token'], AT)).to.deep.equal([]);
  });

  it('reports every reserved claim, scp and remove of aud/sub, each at its own key', () => {
    const problems = checkTokenOutcome(
      {
        identity: { claims: { groups: ['a'], sub: 'x', ok: 1 }, remove: ['nonce'] },
        access: { claims: { scp: ['admin'], aud: 'api://other', sub: 'svc' }, remove: ['sub', 'uid'] },
      },
      ['token'],
      AT,
    );
    expect(problems.map(({ path, key }) => [path.join('.'), key ?? null])).to.deep.equal([
      ['rules.2.then.identity.claims', 'groups'],
      ['rules.2.then.identity.claims', 'sub'],
      ['rules.2.then.identity.remove.0', null],
      ['rules.2.then.access.claims', 'scp'],
      ['rules.2.then.access.remove.0', null],
      ['rules.2.then.access.remove.1', null],
    ]);
    expect(problems[3]!.message).to.match(/granted scopes/);
    expect(problems[4]!.message).to.match(/not removed/);
  });

  it('lifetimes: durations from 5m to 24h in whole seconds', () => {
    for (const ok of ['5m', '300s', '15m', '1h', '24h', '1d', '86400s']) expect(parseLifetime(ok), ok).to.have.property('seconds');
    expect(parseLifetime('15m')).to.deep.equal({ seconds: 900 });
    for (const [bad, why] of [
      ['4m', /5m to 24h/],
      ['299s', /5m to 24h/],
      ['25h', /5m to 24h/],
      ['2d', /5m to 24h/],
      ['300500ms', /whole number of seconds/],
      ['15 minutes', /a duration such as/],
      [900, /bare number/],
      [null, /a duration such as/],
    ] as const) {
      const result = parseLifetime(bad);
      expect(result, String(bad)).to.have.property('problem');
      expect((result as { problem: string }).problem).to.match(why);
    }
    const problems = checkTokenOutcome({ access: { lifetime: '48h' }, identity: { lifetime: 3600 } }, ['token'], AT);
    expect(problems.map((p) => [p.path.join('.'), p.key])).to.deep.equal([
      ['rules.2.then.identity', 'lifetime'],
      ['rules.2.then.access', 'lifetime'],
    ]);
  });

  it('a token outcome in a rule that also applies to registration, or not to token at all', () => {
    const mixed = checkTokenOutcome({ access: { claims: { a: 1 } } }, ['token', 'self.service.registration'], AT);
    expect(mixed).to.have.length(1);
    expect(mixed[0]).to.deep.include({ path: AT, key: 'access' });
    expect(mixed[0]!.message).to.match(/also applies to self\.service\.registration/);
    const notToken = checkTokenOutcome({ identity: { remove: ['x'] } }, ['progressive.profile'], AT);
    expect(notToken).to.have.length(1);
    expect(notToken[0]!.message).to.match(/does not apply to token/);
  });

  it('registration outcomes (update, updateFrom, causes) in a token rule', () => {
    const problems = checkTokenOutcome(
      { update: { a: 1 }, updateFrom: { var: 'x' }, deny: { message: 'no', causes: [{ message: 'x' }] } },
      ['token'],
      AT,
    );
    expect(problems.map((p) => [p.path.join('.'), p.key])).to.deep.equal([
      ['rules.2.then', 'update'],
      ['rules.2.then', 'updateFrom'],
      ['rules.2.then.deny', 'causes'],
    ]);
    expect(checkTokenOutcome({ update: { a: 1 } }, ['self.service.registration'], AT), 'fine for registration').to.deep.equal([]);
    expect(checkTokenOutcome({ deny: { message: 'no' } }, ['token', 'progressive.profile'], AT), 'a plain deny fits both').to.deep.equal([]);
  });

  it('shape mistakes: unknown keys, nothing to do, deny with a token change, duplicates, set and removed', () => {
    const problems = checkTokenOutcome(
      { deny: { message: 'x' }, access: { claim: { a: 1 } }, identity: { claims: JSON.parse('{"a":1,"":2,"__proto__":3}'), remove: ['b', 'b', 'a', 7] } },
      ['token'],
      AT,
    );
    const described = problems.map((p) => `${p.path.join('.')}${p.key !== undefined ? `[${p.key}]` : ''}: ${p.message}`);
    expect(described).to.deep.equal([
      'rules.2.then[identity]: a deny refuses the token, so identity would never be sent: drop one of them',
      'rules.2.then.identity.claims[]: a claim name cannot be empty',
      'rules.2.then.identity.claims[__proto__]: "__proto__" cannot be a claim name',
      'rules.2.then.identity.remove.1: "b" is listed twice',
      'rules.2.then.identity.remove.2: "a" is both set under claims and removed',
      'rules.2.then.identity.remove.3: remove lists claim names (text)',
      'rules.2.then[access]: a deny refuses the token, so access would never be sent: drop one of them',
      'rules.2.then.access[claim]: access takes claims, remove and lifetime, not "claim"',
      'rules.2.then.access: access changes nothing: give it claims, remove or lifetime',
    ]);
    expect(checkTokenOutcome({ access: 'yes' }, ['token'], AT)[0]!.message).to.match(/takes claims, remove and\/or lifetime/);
  });
});
