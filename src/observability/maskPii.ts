import { isIPv6 } from 'node:net';
import { capText } from './capText.js';
import { replaceEmails } from './emailScan.js';

/**
 * Masks personal data before it reaches a log line. Fields known to hold a person's data are
 * masked by what they are; every other string is scanned for email and IP addresses, so an
 * error message that quotes a submitted value does not leak it either. Credentials
 * (`authorization`, at any depth) are replaced whole.
 */

/** Profile attributes that name a person (Okta's base profile names, and generic ones). */
const NAME_KEYS = new Set(['firstname', 'lastname', 'middlename', 'displayname', 'nickname', 'name', 'fullname', 'honorificprefix', 'honorificsuffix']);
const EMAIL_KEYS = new Set(['email', 'login', 'secondemail', 'username']);
const IP_KEYS = new Set(['ip', 'ipaddress', 'remoteaddress', 'clientip']);
/** Other personal attributes of Okta's base profile: not searched by pattern, so masked whole. */
const OTHER_KEYS = new Set(['mobilephone', 'primaryphone', 'phone', 'streetaddress', 'postaladdress', 'zipcode']);

/** Our own settings, never a person's: logged as they are (the listen URL, the rules folder). */
const SETTING_KEYS = new Set(['url', 'rulesdir', 'jwksuri', 'issuer']);
/** Credentials, whatever their value and wherever they are: replaced whole. */
const SECRET_KEYS = new Set(['authorization']);
export const REDACTED = '[redacted]';

type KeyClass = 'setting' | 'name' | 'email' | 'ip' | 'secret' | 'other';
/**
 * What each key is, by its lowercased name. Keys come from our own log calls, so there are few;
 * the cache is bounded anyway (an error object could carry keys from anywhere).
 */
const keyClasses = new Map<string, KeyClass>();
function classOf(key: string): KeyClass {
  let known = keyClasses.get(key);
  if (known === undefined) {
    const name = key.toLowerCase();
    known = SETTING_KEYS.has(name)
      ? 'setting'
      : NAME_KEYS.has(name) || OTHER_KEYS.has(name)
        ? 'name'
        : EMAIL_KEYS.has(name)
          ? 'email'
          : IP_KEYS.has(name)
            ? 'ip'
            : SECRET_KEYS.has(name)
              ? 'secret'
              : 'other';
    if (keyClasses.size < 1000) keyClasses.set(key, known);
  }
  return known;
}

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
// Candidates for IPv6: runs of hex digits and colons (with a dotted tail); node:net decides.
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f.]*(?![\w:])/g;

/**
 * `ann@example.com` → `***@example.com`: the domain stays (rules are often about it).
 * A hand scan (emailScan.ts), linear in the text: this runs on request data, and a regex for
 * addresses backtracks over long runs such as `a@a` followed by thousands of dashes.
 */
export function maskEmail(value: string): string {
  // Most log text (ids, rule names, versions) has no "@" and is passed on without a scan.
  if (!value.includes('@')) return value;
  return replaceEmails(value);
}

/** IPv4 keeps its /24 (`203.0.113.x`), IPv6 its first three groups: enough to see a network. */
export function maskIp(value: string): string {
  const v4 = value.includes('.')
    ? value.replace(IPV4, (whole, a: string, b: string, c: string, d: string) => ([a, b, c, d].every((n) => Number(n) <= 255) ? `${a}.${b}.${c}.x` : whole))
    : value;
  return v4.includes(':') ? v4.replace(IPV6_CANDIDATE, (whole) => (isIPv6(whole) ? `${whole.split(':').slice(0, 3).join(':')}:x` : whole)) : v4;
}

/** Any string: emails and IP addresses inside it are masked. */
export function maskText(value: string): string {
  return maskIp(maskEmail(value));
}

/** A copy of `value` with personal data masked; cycles and depth are bounded. */
export function maskPii(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof PiiText) return maskText(value.masked);
  if (value instanceof Date) return value;
  if (seen.has(value) || depth > 12) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskPii(item, depth + 1, seen));
  // An error stays an error (same prototype, so log serializers still know it), text masked.
  const out: Record<string, unknown> = value instanceof Error ? (Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>) : {};
  if (value instanceof Error) {
    out.message = maskText(value.message);
    if (value.stack) out.stack = maskText(value.stack);
    if (value.cause !== undefined) out.cause = maskPii(value.cause, depth + 1, seen);
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key)) out[key] = maskField(key, record[key], depth, seen);
  return out;
}

function maskField(key: string, item: unknown, depth: number, seen: WeakSet<object>): unknown {
  const kind = classOf(key);
  if (kind === 'secret') return item === undefined ? item : REDACTED;
  if (typeof item === 'string') {
    if (kind === 'setting' && depth === 0) return item;
    if (kind === 'name') return item === '' ? item : '***';
    if (kind === 'email') return item.includes('@') ? capText(maskEmail(item)) : '***';
    if (kind === 'ip') return capText(maskIp(item));
  }
  return maskPii(item, depth + 1, seen);
}

/**
 * Text that quotes data from a request which no pattern would find (an attribute name taken
 * from the submitted profile, such as a person's name), with that data already masked out of
 * `masked`. The logger writes `masked`; with LOG_PII on it writes `text` (toJSON).
 */
export class PiiText {
  constructor(
    readonly text: string,
    readonly masked: string,
  ) {}

  toJSON(): string {
    return this.text;
  }
}
