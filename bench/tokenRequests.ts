/**
 * The token rows' requests: Okta's published token request (test/fixtures/okta/token, the
 * implicit flow at /authorize, with an ID token and an access token) beside the registration
 * request of the main mix (bench/requests.ts), each allowed and denied the same way (a
 * blocklisted email domain). The token request's user is the registration's user (the profile
 * the rules read), so both hooks' rules see the same values and the difference is the hook's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { disposableDomains } from './domains.js';
import { FIXTURES, requestMix, type MixEntry } from './requests.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const TOKEN_FIXTURE = 'token/ref-request-implicit-authorize.json';

function tokenFixture(): Body {
  return JSON.parse(readFileSync(path.join(FIXTURES, TOKEN_FIXTURE), 'utf8')) as Body;
}

/** Okta's token request for the registration mix's user, with the login `login`. */
export function tokenRequest(login: string): Body {
  const body = tokenFixture();
  const user = body.data.context.user;
  user.profile = { ...user.profile, ...registrationRequest(login).data.userProfile };
  body.data.context.session.login = login;
  return body;
}

export interface ComparableMix {
  registration: MixEntry[];
  token: MixEntry[];
}

/**
 * The registration request of the main mix, allowed and denied, and a token request for the same
 * user (login and email domain), allowed and denied by the same rule. `deniedDomain` must be in
 * the large ruleset's blocklist.
 */
export function comparableMix(deniedDomain = disposableDomains(1)[0]!): ComparableMix {
  const [allowed, denied] = requestMix(deniedDomain);
  const login = allowed!.body.data.userProfile.login as string;
  return {
    registration: [allowed!, denied!],
    token: [
      { name: 'token, allowed', body: tokenRequest(login), expect: 'ALLOW' },
      { name: 'token, denied', body: tokenRequest(`${login.split('@')[0]}@${deniedDomain}`), expect: 'DENY' },
    ],
  };
}

/** `count` users, each with a row of entitlements: the same users as token and as registration requests. */
export function memberLogins(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `member${i}@example.com`);
}

/** The main mix's allowed registration request (country and age added there), with the login and email `login`. */
export function registrationRequest(login: string): Body {
  const [allowed] = requestMix();
  const body = allowed!.body;
  body.data.userProfile = { ...body.data.userProfile, login, email: login };
  return body;
}
