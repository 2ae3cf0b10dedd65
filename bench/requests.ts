/**
 * The request mix: Okta's published registration and progressive-profile payloads
 * (test/fixtures/okta), each in an allowed and a denied variant, for both rulesets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { disposableDomains } from './domains.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = process.env.OKTA_FIXTURES ?? path.resolve(HERE, '../test/fixtures/okta');

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fixture(name: string): Body {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Body;
}

export interface MixEntry {
  name: string;
  body: Body;
  /** What both rulesets decide (the default and the large one agree on this mix). */
  expect: 'ALLOW' | 'DENY';
}

/** `deniedDomain` must be in the large ruleset's blocklist (and is not example.com). */
export function requestMix(deniedDomain = disposableDomains(1)[0]!): MixEntry[] {
  const ssr = fixture('guide-ssr-request-2022.json');
  ssr.data.userProfile = { ...ssr.data.userProfile, countryCode: 'US', age: 34 };
  const ssrDenied = structuredClone(ssr);
  ssrDenied.data.userProfile.email = `rosario.jones@${deniedDomain}`;
  ssrDenied.data.userProfile.login = `rosario.jones@${deniedDomain}`;
  const pp = fixture('guide-pp-request-2022.json');
  const ppDenied = structuredClone(pp);
  ppDenied.data.userProfileUpdate.employeeNumber = '12a4';
  return [
    { name: 'registration, allowed', body: ssr, expect: 'ALLOW' },
    { name: 'registration, denied', body: ssrDenied, expect: 'DENY' },
    { name: 'progressive profile, allowed', body: pp, expect: 'ALLOW' },
    { name: 'progressive profile, denied', body: ppDenied, expect: 'DENY' },
  ];
}
