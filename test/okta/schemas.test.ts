import { expect } from 'chai';
import { validateRequest, validateResponse } from '../../src/okta/validateRequest.js';
import { fixture, REQUEST_FIXTURES, RESPONSE_FIXTURES } from '../helpers/fixtures.js';

/** CONTRACT.md §5.2 and §1.6: published samples that are not valid answers. */
const KNOWN_BROKEN: Record<string, RegExp> = {
  'openapi-ProfileEnrollmentResponse-2026.06.3.json': /commands\.0/, // com.action.update typo
  'openapi-ProfileEnrollmentResponseDeny-2026.06.3.json': /commands\.0/,
  'openapi-ProgressiveProfileResponse-2026.06.3.json': /commands\.0/, // stray quote, value is a JS string
  'openapi-ProgressiveProfileResponseDeny-2026.06.3.json': /commands\.0/,
  'ref-ea-draft-response-deny-action-2019.json': /commands\.0/, // {"action": "DENY"}: the 2019 draft key
};

describe('Okta response schema (schemas/okta-response.schema.json)', () => {
  it('covers every response fixture', () => {
    expect(RESPONSE_FIXTURES.length).to.be.greaterThan(20);
    for (const name of Object.keys(KNOWN_BROKEN)) expect(RESPONSE_FIXTURES).to.include(name);
  });

  for (const name of RESPONSE_FIXTURES) {
    const broken = KNOWN_BROKEN[name];
    it(`${broken ? 'rejects' : 'accepts'} ${name}`, () => {
      const result = validateResponse(fixture(name));
      if (broken) {
        expect(result.ok).to.equal(false);
        if (!result.ok) expect(result.problems.join('\n')).to.match(broken);
      } else {
        expect(result.ok ? [] : result.problems).to.deep.equal([]);
      }
    });
  }

  it('rejects the OpenAPI spec’s capitalised `Error` key', () => {
    const result = validateResponse({ Error: { errorSummary: 'x' } });
    expect(result.ok).to.equal(false);
  });

  it('rejects a password update and object-valued attributes', () => {
    expect(validateResponse({ commands: [{ type: 'com.okta.user.profile.update', value: { password: 'x' } }] }).ok).to.equal(false);
    expect(validateResponse({ commands: [{ type: 'com.okta.user.profile.update', value: { a: { b: 1 } } }] }).ok).to.equal(false);
  });
});

describe('Okta request schema (schemas/okta-request.schema.json)', () => {
  for (const name of REQUEST_FIXTURES) {
    it(`accepts ${name}`, () => {
      const result = validateRequest(fixture(name));
      expect(result.ok ? [] : result.problems).to.deep.equal([]);
    });
  }

  const bad: Array<[string, unknown, RegExp]> = [
    ['no data', { eventType: 'com.okta.user.pre-registration' }, /missing required property "data"/],
    ['data without a profile', { data: { context: {} } }, /needs data\.userProfile/],
    ['another event type', { eventType: 'com.okta.import.transform', data: { userProfile: {} } }, /eventType: must be "com\.okta\.user\.pre-registration"/],
    ['an unknown requestType', { requestType: 'password.import', data: { userProfile: {} } }, /requestType: must be/],
    ['a profile that is not an object', { data: { userProfile: 'x' } }, /data\.userProfile: must be object/],
    ['a bad action', { data: { userProfile: {}, action: 'MAYBE' } }, /data\.action: must be/],
  ];
  for (const [what, body, message] of bad) {
    it(`rejects ${what}, saying what is wrong`, () => {
      const result = validateRequest(body);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.problems.join('\n')).to.match(message);
    });
  }
});
