import { expect } from 'chai';
import { detectRequestType } from '../../src/hooks/registration/index.js';
import type { OktaHookRequest } from '../../src/okta/types.js';
import { fixture, REQUEST_FIXTURES } from '../helpers/fixtures.js';

describe('detectRequestType', () => {
  const expected: Record<string, [string, boolean]> = {
    'guide-ssr-request-2022.json': ['self.service.registration', false],
    'guide-pp-request-2022.json': ['progressive.profile', false],
    'openapi-ProfileEnrollmentRequest-2026.06.3.json': ['self.service.registration', false],
    'openapi-ProgressiveProfileRequest-2026.06.3.json': ['progressive.profile', false],
    'upgrade-guide-ssr-request-2026.json': ['self.service.registration', false],
    'upgrade-guide-pp-request-2026.json': ['progressive.profile', false],
    'guide-ie-ssr-request-2021-12.json': ['self.service.registration', true],
    'guide-ie-pp-request-2021-12.json': ['progressive.profile', true],
    'ref-classic-ssr-request-2019.json': ['self.service.registration', true],
    'ref-pp-request-mislabeled-2022-05.json': ['self.service.registration', true],
    'ref-ea-draft-request-2019.json': ['self.service.registration', true],
  };

  it('knows every request fixture', () => {
    expect(REQUEST_FIXTURES.filter((n) => !n.startsWith('derived/'))).to.have.members(Object.keys(expected));
  });

  for (const [name, [type, noted]] of Object.entries(expected)) {
    it(`${name} → ${type}${noted ? ' (from the body, noted)' : ''}`, () => {
      const verdict = detectRequestType(fixture<OktaHookRequest>(name));
      expect(verdict.type).to.equal(type);
      expect(Boolean(verdict.note)).to.equal(noted);
    });
  }

  it('keeps the declared type when the body has signs of both', () => {
    const request = { requestType: 'self.service.registration', data: { userProfile: {}, userProfileUpdate: {} } } as OktaHookRequest;
    expect(detectRequestType(request)).to.deep.equal({ type: 'self.service.registration' });
  });
});
