import { expect } from 'chai';
import { applyTokenPatch } from '../../../src/hooks/token/applyTokenPatch.js';
import type { TokenCommand, TokenHookRequest, TokenHookResponse } from '../../../src/hooks/token/types.js';
import { validateTokenAnswer } from '../../../src/hooks/token/validateTokenAnswer.js';
import {
  ALL_TOKEN_FIXTURES,
  clientCredentialsRequest,
  isClaimsVector,
  MALFORMED_REQUEST,
  refRequest,
  requestWithIdentityClaims,
  TOKEN_REQUESTS,
  tokenFixture,
} from './support.js';

/**
 * Every answer Okta published, and the verdict the contract gives it: valid, or refused for the
 * reason matched. Judged alone (no request): shape, paths, reserved claims, lifetimes, size.
 */
const ANSWER_VERDICTS: Record<string, 'valid' | RegExp> = {
  'blog-2019-12-response-add-array-claim.json': 'valid',
  'kb-deserialize-error-response-add-claims.json': 'valid',
  'mgmt-2024-execute-response-add-claims.json': 'valid',
  // The SAML hook's command type, copied into the token hook's spec (fixed in 2024.09.2).
  'openapi-2024.08.0-TokenHookResponse-assertion-type-typo.json': /^\/commands\/0\/type: must be "com\.okta\.identity\.patch" or "com\.okta\.access\.patch"$/m,
  'openapi-2026.06.3-TokenHookErrorExample.json': 'valid',
  'openapi-2026.06.3-TokenHookModifyLifetime.json': 'valid',
  'openapi-2026.06.3-TokenHookRemoveClaim.json': 'valid',
  'openapi-2026.06.3-TokenHookRemoveFromArray.json': 'valid',
  'openapi-2026.06.3-TokenHookRemoveFromObject.json': 'valid',
  'openapi-2026.06.3-TokenHookReplaceExisting.json': 'valid',
  'openapi-2026.06.3-TokenHookReplaceInPath.json': 'valid',
  'openapi-2026.06.3-TokenHookResponse.json': 'valid',
  'openapi-2026.06.3-TokenHookResponseAppendArray.json': 'valid',
  'openapi-2026.06.3-TokenHookResponseWithURIFormat.json': 'valid',
  // Still the SAML command type in today's spec text.
  'openapi-2026.06.3-opdesc-add-a-claim-operation.json': /^\/commands\/1\/type: must be "com\.okta\.identity\.patch"/m,
  'openapi-2026.06.3-opdesc-add-new-elements-to-existing-arrays-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-add-new-members-to-existing-json-objects-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-modify-an-existing-claim-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-modify-members-within-existing-json-objects-and-arrays-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-modify-token-lifetimes-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-remove-a-claim-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-remove-members-from-existing-arrays-operation.json': 'valid',
  'openapi-2026.06.3-opdesc-remove-members-from-existing-json-objects-operation.json': 'valid',
  'ref-2019-03-response-add-claims.json': 'valid',
  // commands and error together: written once, withdrawn "as per feedback"; undocumented.
  'ref-2023-12-withdrawn-response-add-claims-plus-error.json': /^: has both commands and error/m,
  'ref-response-add-claims.json': 'valid',
  'ref-response-add-object-member.json': 'valid',
  'ref-response-append-array-dash.json': 'valid',
  'ref-response-append-array-index.json': 'valid',
  'ref-response-modify-lifetime.json': 'valid',
  'ref-response-remove-array-element.json': 'valid',
  'ref-response-remove-claims.json': 'valid',
  'ref-response-remove-object-member.json': 'valid',
  'ref-response-replace-claims.json': 'valid',
  'ref-response-replace-object-member.json': 'valid',
  'sdkjava-token-addClaim.json': 'valid',
  'sdkjava-token-addClaims.json': 'valid',
  'sdkjava-token-basicError.json': 'valid',
  'sdkjava-token-emptySuccess.json': 'valid',
  'sdkjava-token-removeClaims.json': 'valid',
  'sdkjava-token-replaceClaims.json': 'valid',
  'sdkjava-token-tokenExpiration.json': 'valid',
};

function problemsOf(answer: unknown, request?: TokenHookRequest): string {
  return validateTokenAnswer(answer, request ? { request } : {})
    .map((p) => `${p.path}: ${p.message}`)
    .join('\n');
}

/**
 * Okta's before/after claim vectors for one operation: applying the answer's identity command
 * to `before` gives `after`. `numberTypo`: the published "Updated JSON" shows a number where the
 * operation sends text (a known slip in the spec), so only that claim's type differs.
 */
const PATCH_EXAMPLES: Array<{ answer: string; before: string; after?: string; numberTypo?: string }> = [
  { answer: 'ref-response-add-object-member.json', before: 'ref-claims-before-add-object-member.json', after: 'ref-claims-after-add-object-member.json' },
  { answer: 'ref-response-append-array-index.json', before: 'ref-claims-before-append-array.json', after: 'ref-claims-after-append-array.json' },
  { answer: 'ref-response-append-array-dash.json', before: 'ref-claims-before-append-array.json', after: 'ref-claims-after-append-array.json' },
  { answer: 'ref-response-remove-array-element.json', before: 'ref-claims-before-remove-array-element.json', after: 'ref-claims-after-remove-array-element.json' },
  { answer: 'ref-response-remove-object-member.json', before: 'ref-claims-before-remove-object-member.json', after: 'ref-claims-after-remove-object-member.json' },
  { answer: 'ref-response-replace-object-member.json', before: 'ref-claims-before-replace-object-member.json', after: 'ref-claims-after-replace-object-member.json' },
  ...['add-new-elements-to-existing-arrays', 'add-new-members-to-existing-json-objects'].map((op) => ({
    answer: `openapi-2026.06.3-opdesc-${op}-operation.json`,
    before: `openapi-2026.06.3-opdesc-${op}-existing-json.json`,
    after: `openapi-2026.06.3-opdesc-${op}-updated-json.json`,
  })),
  ...['modify-members-within-existing-json-objects-and-arrays', 'remove-members-from-existing-arrays'].map((op) => ({
    answer: `openapi-2026.06.3-opdesc-${op}-operation.json`,
    before: `openapi-2026.06.3-opdesc-${op}-existing-target-json-object.json`,
    after: `openapi-2026.06.3-opdesc-${op}-updated-json.json`,
  })),
  {
    answer: 'openapi-2026.06.3-opdesc-modify-an-existing-claim-operation.json',
    before: 'openapi-2026.06.3-opdesc-modify-an-existing-claim-existing-target-json-object.json',
    after: 'openapi-2026.06.3-opdesc-modify-an-existing-claim-updated-json.json',
    numberTypo: 'extPatientId',
  },
  // Its "Updated JSON" is invalid JSON as published, so it was not copied.
  {
    answer: 'openapi-2026.06.3-opdesc-remove-members-from-existing-json-objects-operation.json',
    before: 'openapi-2026.06.3-opdesc-remove-members-from-existing-json-objects-existing-target-json-object.json',
  },
];

describe('token hook: the answer validator over every published answer', () => {
  it('every fixture is judged: a request, a claims vector, or an answer with its verdict', () => {
    const requests = new Set<string>([...TOKEN_REQUESTS, MALFORMED_REQUEST]);
    const unjudged = ALL_TOKEN_FIXTURES.filter((name) => !requests.has(name) && !isClaimsVector(name) && !(name in ANSWER_VERDICTS) && !name.startsWith('derived/reserved-claims'));
    expect(unjudged).to.deep.equal([]);
    for (const name of Object.keys(ANSWER_VERDICTS)) expect(ALL_TOKEN_FIXTURES).to.include(name);
  });

  for (const [name, verdict] of Object.entries(ANSWER_VERDICTS)) {
    it(`${verdict === 'valid' ? 'accepts' : 'refuses'} ${name}`, () => {
      const answer = tokenFixture(name);
      const before = structuredClone(answer);
      const problems = problemsOf(answer);
      if (verdict === 'valid') expect(problems).to.equal('');
      else expect(problems).to.match(verdict);
      expect(answer, 'the validator changes nothing').to.deep.equal(before);
      expect(problemsOf(JSON.parse(JSON.stringify(answer))), 'the same verdict after a round trip').to.equal(problems);
    });
  }

  for (const example of PATCH_EXAMPLES) {
    it(`${example.answer} applies to its published "before" claims${example.after ? ' and gives the "after" ones' : ''}`, () => {
      const answer = tokenFixture<TokenHookResponse>(example.answer);
      const before = tokenFixture<Record<string, unknown>>(example.before);
      expect(problemsOf(answer, requestWithIdentityClaims(before))).to.equal('');
      const ops = answer.commands!.flatMap((command: TokenCommand) => command.value);
      const applied = applyTokenPatch({ claims: before as never }, ops);
      expect(applied.ok).to.equal(true);
      if (!applied.ok || !example.after) return;
      const after = tokenFixture<Record<string, unknown>>(example.after);
      if (example.numberTypo) {
        const claim = example.numberTypo;
        expect(applied.token.claims[claim]).to.equal(String(after[claim]));
        after[claim] = String(after[claim]);
      }
      expect(applied.token.claims).to.deep.equal(after);
    });
  }
});

describe('token hook: the answer validator against the request’s tokens', () => {
  it('adds to the REF request pass; replacing or removing claims it lacks does not', () => {
    expect(problemsOf(tokenFixture('ref-response-add-claims.json'), refRequest())).to.equal('');
    expect(problemsOf(tokenFixture('ref-response-modify-lifetime.json'), refRequest())).to.equal('');
    expect(problemsOf(tokenFixture('ref-response-replace-claims.json'), refRequest())).to.equal(
      [
        '/commands/0/value/0: claim "extPatientId" is not in the token, so it cannot be replaced',
        '/commands/1/value/0: claim "external_guid" is not in the token, so it cannot be replaced',
      ].join('\n'),
    );
    expect(problemsOf(tokenFixture('ref-response-remove-claims.json'), refRequest())).to.match(/claim "birthdate" is not in the token, so it cannot be removed/);
  });

  it('an ID-token command for a request that mints no ID token (client credentials)', () => {
    expect(problemsOf(tokenFixture('ref-response-add-claims.json'), clientCredentialsRequest())).to.equal(
      '/commands/0/type: the request mints no ID token, and Okta refuses a command for a token it is not minting',
    );
  });

  it('commands of one type apply in order: a second remove of the same claim fails', () => {
    const remove = { op: 'remove', path: '/claims/preferred_username' };
    const answer = {
      commands: [
        { type: 'com.okta.identity.patch', value: [remove] },
        { type: 'com.okta.identity.patch', value: [{ op: 'add', path: '/claims/x', value: 1 }, remove] },
      ],
    };
    expect(problemsOf(answer, refRequest())).to.equal('/commands/1/value/1: claim "preferred_username" is not in the token, so it cannot be removed');
  });

  it('nested paths need their parent, array indexes stay within the list', () => {
    const request = requestWithIdentityClaims({ profile: { a: 1 }, list: ['x', 'y'] });
    const answer = (op: string, path: string, value?: unknown) => ({
      commands: [{ type: 'com.okta.identity.patch', value: [{ op, path, ...(value === undefined ? {} : { value }) }] }],
    });
    expect(problemsOf(answer('add', '/claims/profile/b', 2), request)).to.equal('');
    expect(problemsOf(answer('add', '/claims/missing/b', 2), request)).to.match(/claim "missing" does not exist/);
    expect(problemsOf(answer('add', '/claims/list/2', 'z'), request)).to.equal('');
    expect(problemsOf(answer('add', '/claims/list/3', 'z'), request)).to.match(/no such position in a list of 2/);
    expect(problemsOf(answer('add', '/claims/list/01', 'z'), request)).to.match(/no such position/);
    expect(problemsOf(answer('replace', '/claims/list/2', 'z'), request)).to.match(/no such position/);
    expect(problemsOf(answer('remove', '/claims/profile/b'), request)).to.match(/is not in the token, so it cannot be removed/);
  });
});

describe('token hook: the answer validator’s own rules', () => {
  const command = (type: string, ...value: unknown[]) => ({ commands: [{ type, value }] });
  const identity = (...value: unknown[]) => command('com.okta.identity.patch', ...value);
  const access = (...value: unknown[]) => command('com.okta.access.patch', ...value);

  it('reserved claims, in any op and at any depth; aud/sub in the access token only', () => {
    expect(problemsOf(identity({ op: 'add', path: '/claims/groups', value: ['x'] }))).to.match(/^\/commands\/0\/value\/0\/path: "groups" is a reserved claim/);
    expect(problemsOf(identity({ op: 'remove', path: '/claims/groups/0' }))).to.match(/"groups" is a reserved claim/);
    expect(problemsOf(access({ op: 'replace', path: '/claims/scp', value: ['a'] }))).to.match(/granted scopes/);
    expect(problemsOf(access({ op: 'replace', path: '/claims/sub', value: 'svc' }))).to.equal('');
    expect(problemsOf(access({ op: 'remove', path: '/claims/aud' }))).to.match(/not removed/);
    expect(problemsOf(identity({ op: 'replace', path: '/claims/aud', value: 'x' }))).to.match(/access token only/);
  });

  it('paths: /claims/… as JSON Pointers, or /token/lifetime/expiration (replace only); never /scopes', () => {
    expect(problemsOf(identity({ op: 'add', path: '/claims/https:~1~1example.com~1tier', value: 'gold' }))).to.equal('');
    for (const path of ['/claims/https://example.com/tier', '/claims/a~2b', '/claims/', '/claims', '/scopes/openid', 'claims/x', '/claims//x']) {
      expect(problemsOf(identity({ op: 'add', path, value: 1 })), path).to.match(/\/commands\/0\/value\/0\/path: must be/);
    }
    expect(problemsOf(identity({ op: 'add', path: '/token/lifetime/expiration', value: 900 }))).to.match(/\/commands\/0\/value\/0\/path: must be/);
    expect(problemsOf(identity({ op: 'remove', path: '/token/lifetime/expiration' }))).to.match(/must be/);
  });

  it('lifetime: whole seconds from 300 to 86,400', () => {
    for (const ok of [300, 900, 86_400]) expect(problemsOf(access({ op: 'replace', path: '/token/lifetime/expiration', value: ok })), String(ok)).to.equal('');
    for (const bad of [299, 86_401, 900.5, '900', null]) {
      expect(problemsOf(access({ op: 'replace', path: '/token/lifetime/expiration', value: bad })), String(bad)).to.match(/\/commands\/0\/value\/0\/value: must be/);
    }
  });

  it('ops: only add, replace and remove; remove carries no value but null; add and replace need one', () => {
    expect(problemsOf(identity({ op: 'move', from: '/claims/a', path: '/claims/b' }))).to.match(/\/op: must be "add" or "replace" or "remove"/);
    expect(problemsOf(identity({ op: 'remove', path: '/claims/a', value: 'x' }))).to.match(/\/value: must be null/);
    expect(problemsOf(identity({ op: 'remove', path: '/claims/a', value: null }))).to.equal('');
    expect(problemsOf(identity({ op: 'add', path: '/claims/a' }))).to.match(/missing required property "value"/);
    expect(problemsOf(identity({ op: 'replace', path: '/claims/a', value: null }))).to.equal('');
  });

  it('shape: no unknown keys, error only with errorSummary, no errorCauses', () => {
    expect(problemsOf({ Error: { errorSummary: 'x' } })).to.match(/unexpected property "Error"/);
    expect(problemsOf({ error: { errorSummary: 'x', errorCauses: [] } })).to.match(/\/error: unexpected property "errorCauses"/);
    expect(problemsOf({ commands: {} })).to.match(/\/commands: must be array/);
    expect(problemsOf({ error: {} }), 'Okta then shows its own generic text').to.equal('');
    expect(problemsOf({ commands: [], debugContext: { rules: 'a,b' } })).to.equal('');
    expect(problemsOf(null)).to.match(/must be object/);
  });

  it('size: an answer of 256,000 bytes or more', () => {
    const filler = (n: number) => identity({ op: 'add', path: '/claims/big', value: 'x'.repeat(n) });
    const base = Buffer.byteLength(JSON.stringify(filler(0)));
    expect(problemsOf(filler(256_000 - base - 1))).to.equal('');
    expect(problemsOf(filler(256_000 - base))).to.equal(': is 256000 bytes; Okta refuses an answer of 256000 bytes or more');
  });
});
