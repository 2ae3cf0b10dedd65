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
  // domainToASCII returns '' for names that are not valid domains.
  const ascii = domainToASCII(domain);
  return ascii === '' ? null : ascii;
}
