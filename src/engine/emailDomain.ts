import { domainToASCII } from 'node:url';

/**
 * The domain of an email address, normalised for comparison: the part after the last `@`,
 * lowercased, without a trailing dot, internationalised names in punycode.
 * Returns null when the value is not an address with a domain.
 */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return null;
  let domain = email.slice(at + 1).trim().toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain === '') return null;
  if (isPlainDomain(domain)) return domain;
  // domainToASCII returns '' for names that are not valid domains.
  const ascii = domainToASCII(domain);
  return ascii === '' ? null : ascii;
}

const A = 0x61;
const Z = 0x7a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const HYPHEN = 0x2d;
const DOT = 0x2e;

/**
 * True for names that domainToASCII returns unchanged, checked without calling it (an IDNA
 * conversion on every request): lowercase ASCII letters, digits and hyphens in non-empty labels, no
 * punycode label (`xn--`, which it validates), and a last label that starts with a letter
 * (one starting with a digit can be read as an IPv4 number: `a.1` gives '', `0x7f.1` an
 * address). Anything else still goes through domainToASCII; test/engine/emailDomain.test.ts
 * compares the two on generated names.
 */
export function isPlainDomain(domain: string): boolean {
  let labelStart = 0;
  for (let i = 0; i < domain.length; i++) {
    const code = domain.charCodeAt(i);
    if (code === DOT) {
      if (i === labelStart) return false;
      labelStart = i + 1;
    } else if (!((code >= A && code <= Z) || (code >= DIGIT_0 && code <= DIGIT_9) || code === HYPHEN)) {
      return false;
    }
  }
  if (labelStart === domain.length) return false; // empty (last) label
  const first = domain.charCodeAt(labelStart);
  if (first < A || first > Z) return false;
  return !domain.includes('xn--');
}
