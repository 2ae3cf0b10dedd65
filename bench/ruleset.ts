/**
 * The large bench ruleset, written once and rendered two ways: as this service's YAML
 * (JSON-Logic conditions) and as json-rules-engine rules, so both decide the same requests
 * the same way (the bench smoke test checks that they do).
 */
import type { RequestType } from '../src/okta/types.js';

/** One test on one fact. `path` is dotted, from the top of the facts (e.g. profile.age). */
export type Check =
  | { path: string; op: 'inList'; list: string }
  | { path: string; op: 'matches' | 'notMatches'; pattern: string; flags?: string }
  | { path: string; op: 'eq' | 'ne' | 'lt'; value: string | number }
  | { path: string; op: 'oneOf'; values: string[] }
  | { path: string; op: 'present' | 'absent' };

/** An attribute computed from the request: the JSON-Logic form and the same in plain JS. */
export interface Computed {
  logic: unknown;
  js: (facts: Record<string, unknown>) => unknown;
}

export interface BenchRule {
  id: string;
  appliesTo: RequestType[];
  priority: number;
  when: { all: Check[] } | { any: Check[] } | true;
  then:
    | { deny: { message: string; reason: string; location?: string } }
    | { allow: true; update?: Record<string, Computed>; updateFromSubmitted?: boolean }
    | { update: Record<string, Computed> };
}

export const BOTH: RequestType[] = ['self.service.registration', 'progressive.profile'];
const SSR: RequestType[] = ['self.service.registration'];
const PP: RequestType[] = ['progressive.profile'];

export const EMBARGOED = ['CU', 'IR', 'KP', 'SY', 'RU', 'BY'];
export const PARTNERS = ['example.com', 'partner-one.test', 'partner-two.test', 'supplier.test', 'contractor.test'];
export const LOCALES: Record<string, string> = { FR: 'fr_FR', DE: 'de_DE', ES: 'es_ES', JP: 'ja_JP', BR: 'pt_BR' };

/** Reads a dotted path the way JSON-Logic's `var` does (missing → null). */
export function at(facts: unknown, path: string): unknown {
  let value: unknown = facts;
  for (const key of path.split('.')) {
    if (value === null || value === undefined) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

const text = (v: unknown) => (typeof v === 'string' ? v : null);

export function benchRules(): BenchRule[] {
  const rules: BenchRule[] = [
    {
      id: 'deny-disposable-domain',
      appliesTo: BOTH,
      priority: 100,
      when: { all: [{ path: 'emailDomain', op: 'inList', list: 'disposable' }] },
      then: { deny: { message: 'Use a permanent email address.', reason: 'DISPOSABLE_EMAIL', location: 'data.userProfile.email' } },
    },
    {
      id: 'deny-embargoed-country',
      appliesTo: SSR,
      priority: 90,
      when: { all: [{ path: 'profile.countryCode', op: 'inList', list: 'embargoed' }] },
      then: { deny: { message: 'Registration is not available in your country.', reason: 'COUNTRY_NOT_SERVED' } },
    },
    {
      id: 'deny-blocked-ip',
      appliesTo: BOTH,
      priority: 90,
      when: { all: [{ path: 'ipAddress', op: 'inList', list: 'blocked-ips' }] },
      then: { deny: { message: 'Registration cannot be completed at this time.', reason: 'BLOCKED_NETWORK' } },
    },
    {
      id: 'deny-role-address',
      appliesTo: SSR,
      priority: 90,
      when: { all: [{ path: 'email', op: 'matches', pattern: '^(admin|root|postmaster|abuse|noreply|support)@', flags: 'i' }] },
      then: { deny: { message: 'Use a personal email address.', reason: 'ROLE_ADDRESS', location: 'data.userProfile.email' } },
    },
    {
      id: 'deny-missing-names',
      appliesTo: SSR,
      priority: 80,
      when: { any: [{ path: 'profile.firstName', op: 'absent' }, { path: 'profile.lastName', op: 'absent' }] },
      then: { deny: { message: 'Enter your first and last name.', reason: 'NAME_REQUIRED' } },
    },
  ];
  for (let i = 0; i < 20; i++) {
    const field = i % 2 === 0 ? 'firstName' : 'lastName';
    rules.push({
      id: `deny-banned-word-${i}`,
      appliesTo: SSR,
      priority: 50,
      when: { all: [{ path: `profile.${field}`, op: 'matches', pattern: `\\b(spam${i}|junk${i}|fake${i}user)\\b`, flags: 'i' }] },
      then: { deny: { message: 'Enter your real name.', reason: 'BANNED_WORD', location: `data.userProfile.${field}` } },
    });
  }
  for (let i = 0; i < 10; i++) {
    rules.push({
      id: `deny-suspicious-tld-${i}`,
      appliesTo: SSR,
      priority: 50,
      when: { all: [{ path: 'emailDomain', op: 'matches', pattern: `\\.(zz${i}|qq${i}x)$` }] },
      then: { deny: { message: 'This email domain is not accepted.', reason: 'SUSPICIOUS_TLD', location: 'data.userProfile.email' } },
    });
  }
  ['US', 'FR', 'DE', 'JP', 'BR'].forEach((country, i) => {
    rules.push({
      id: `deny-under-age-${country}`,
      appliesTo: SSR,
      priority: 50,
      when: {
        all: [
          { path: 'profile.countryCode', op: 'eq', value: country },
          { path: 'profile.age', op: 'present' },
          { path: 'profile.age', op: 'lt', value: 13 + i },
        ],
      },
      then: { deny: { message: 'You are too young to register.', reason: 'UNDER_AGE', location: 'data.userProfile.age' } },
    });
  });
  rules.push({
    id: 'deny-malformed-employee-number',
    appliesTo: PP,
    priority: 100,
    when: {
      all: [
        { path: 'submitted.employeeNumber', op: 'present' },
        { path: 'submitted.employeeNumber', op: 'notMatches', pattern: '^[0-9]{4}$' },
      ],
    },
    then: { deny: { message: 'Enter an employee number with 4 digits.', reason: 'INVALID_EMPLOYEE_NUMBER', location: 'data.userProfile.employeeNumber' } },
  });
  ['nickName', 'title', 'department', 'city', 'organization', 'division', 'costCenter', 'manager', 'streetAddress', 'zipCode'].forEach(
    (field, i) => {
      rules.push({
        id: `deny-bad-${field}`,
        appliesTo: PP,
        priority: 50,
        when: { all: [{ path: `submitted.${field}`, op: 'matches', pattern: `(<script|javascript:|\\{\\{|banned${i})`, flags: 'i' }] },
        then: { deny: { message: `Check the ${field} you entered.`, reason: 'INVALID_VALUE', location: `data.userProfile.${field}` } },
      });
    },
  );
  rules.push(
    {
      id: 'allow-partner-domains',
      appliesTo: SSR,
      priority: 10,
      when: { all: [{ path: 'emailDomain', op: 'oneOf', values: PARTNERS }] },
      then: { allow: true, update: { partnerDomain: { logic: { var: 'emailDomain' }, js: (f) => f.emailDomain } } },
    },
    {
      id: 'accept-submitted-attributes',
      appliesTo: PP,
      priority: 0,
      when: true,
      then: { allow: true, updateFromSubmitted: true },
    },
    ...updateRules(),
  );
  return rules;
}

function updateRules(): BenchRule[] {
  const upd = (id: string, appliesTo: RequestType[], attribute: string, computed: Computed, when: BenchRule['when'] = true): BenchRule => ({
    id,
    appliesTo,
    priority: 0,
    when,
    then: { update: { [attribute]: computed } },
  });
  return [
    upd('set-display-name', BOTH, 'displayName', {
      logic: { cat: [{ var: 'profile.firstName' }, ' ', { var: 'profile.lastName' }] },
      js: (f) => `${String(at(f, 'profile.firstName') ?? '')} ${String(at(f, 'profile.lastName') ?? '')}`,
    }),
    upd('set-login-lowercase', SSR, 'login', { logic: { lower: { var: 'email' } }, js: (f) => text(f.email)?.toLowerCase() ?? null }),
    upd('set-email-domain', BOTH, 'emailDomain', { logic: { var: 'emailDomain' }, js: (f) => f.emailDomain }),
    upd('set-locale-from-country', SSR, 'locale', {
      logic: {
        if: [
          ...Object.entries(LOCALES).flatMap(([country, locale]) => [{ '==': [{ var: 'profile.countryCode' }, country] }, locale]),
          'en_US',
        ],
      },
      js: (f) => LOCALES[String(at(f, 'profile.countryCode'))] ?? 'en_US',
    }),
    upd(
      'set-country-uppercase',
      SSR,
      'countryCode',
      { logic: { upper: { trim: { var: 'profile.countryCode' } } }, js: (f) => text(at(f, 'profile.countryCode'))?.trim().toUpperCase() ?? null },
      { all: [{ path: 'profile.countryCode', op: 'present' }] },
    ),
    upd('set-initials', BOTH, 'initials', {
      logic: { cat: [{ substr: [{ var: 'profile.firstName' }, 0, 1] }, { substr: [{ var: 'profile.lastName' }, 0, 1] }] },
      // json-logic-js's substr stringifies first, so a missing name gives "n" (of "null"): same here.
      js: (f) => `${String(at(f, 'profile.firstName')).slice(0, 1)}${String(at(f, 'profile.lastName')).slice(0, 1)}`,
    }),
    upd('set-signup-source', SSR, 'signupSource', { logic: { var: 'data.context.request.url.value' }, js: (f) => at(f, 'data.context.request.url.value') }),
    upd(
      'set-department-uppercase',
      BOTH,
      'department',
      { logic: { upper: { var: 'profile.department' } }, js: (f) => text(at(f, 'profile.department'))?.toUpperCase() ?? null },
      { all: [{ path: 'profile.department', op: 'present' }] },
    ),
    upd(
      'set-employee-tier',
      PP,
      'employeeTier',
      { logic: { if: [{ '<': [{ var: 'submitted.employeeNumber' }, 5000] }, 'early', 'regular'] }, js: (f) => (Number(at(f, 'submitted.employeeNumber')) < 5000 ? 'early' : 'regular') },
      { all: [{ path: 'submitted.employeeNumber', op: 'present' }] },
    ),
    upd('set-time-zone-default', BOTH, 'timeZone', {
      logic: { var: ['profile.timeZone', 'UTC'] },
      js: (f) => at(f, 'profile.timeZone') ?? 'UTC',
    }),
  ];
}
