import { fixture } from '../../helpers/fixtures.js';

/**
 * Text that scans written as backtracking regexes take quadratic (or worse) time on: each
 * fits the 100 KB body limit in one field. Email masking met `a@a` + dashes in seconds; the
 * rest are the other shapes of the same family (long local parts, many dots, many `@`, many
 * labels for a domains list, IPv6- and IPv4-looking runs, non-ASCII labels for punycode).
 */
export const SLOW_SHAPES: ReadonlyArray<readonly [name: string, text: string]> = [
  ['a@a + 60,000 dashes', `a@a${'-'.repeat(60_000)}`],
  ['60,000 letters then @', `${'a'.repeat(60_000)}@`],
  ['30,000 "a." then @', `${'a.'.repeat(30_000)}@`],
  ['a@ + 30,000 "a-"', `a@${'a-'.repeat(30_000)}`],
  ['60,000 @', '@'.repeat(60_000)],
  ['30,000 "a@"', 'a@'.repeat(30_000)],
  ['a@ + 45,000 labels .com', `a@${'a.'.repeat(45_000)}com`],
  ['a@ + 20,000 "é-" labels', `a@${'é.'.repeat(10_000)}${'é-'.repeat(10_000)}x`],
  ['60,000 colons then g', `-${':'.repeat(60_000)}g`],
  ['30,000 "1."', '1.'.repeat(30_000)],
  ['20,000 "a:" then g', `-${'a:'.repeat(20_000)}g`],
];

/** Where a request carries text into the log and the rules: login, email, IP address, event id, attribute names. */
export const SLOW_PLACES: ReadonlyArray<readonly [name: string, body: (text: string) => string]> = [
  ['login', (text) => JSON.stringify(withProfile({ email: 'ann@example.com', login: text, firstName: 'Ann', lastName: 'Lee' }))],
  ['email', (text) => JSON.stringify(withProfile({ email: text, firstName: 'Ann', lastName: 'Lee' }))],
  ['IP address', (text) => JSON.stringify(withIp(text))],
  ['event id', (text) => JSON.stringify({ ...withProfile({ email: 'ann@example.com', login: 'ann@example.com' }), eventId: text })],
  // Echoed by updateFrom, so the decision line lists it among the updated attributes (masked as any text).
  ['submitted attribute name', (text) => JSON.stringify({ ...PP, data: { ...PP.data, userProfileUpdate: { employeeNumber: '1234', [text]: 'x' } } })],
];

const SSR = fixture<Record<string, any>>('guide-ssr-request-2022.json');
const PP = fixture<Record<string, any>>('guide-pp-request-2022.json');

function withProfile(profile: Record<string, unknown>): Record<string, unknown> {
  return { ...SSR, data: { ...SSR.data, userProfile: profile } };
}

function withIp(ip: string): Record<string, unknown> {
  const base = withProfile({ email: 'ann@example.com', login: 'ann@example.com' }) as Record<string, any>;
  return { ...base, data: { ...base.data, context: { ...base.data.context, request: { ...base.data.context?.request, ipAddress: ip } } } };
}
