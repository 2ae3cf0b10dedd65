import { createHmac } from 'node:crypto';
import { maskText } from '../observability/maskPii.js';

/**
 * What a counter's key expression returned, as one string: null (and "") means "not counted".
 * Numbers and text with the same digits are the same key; lists and objects (a key made of
 * several values) are their JSON.
 */
export function keyText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The store key for one counter and one key value. Raw keys (IP and email addresses) never
 * reach the store: they are HMAC-SHA-256'd with the deployment's salt (STATE_KEY_SALT), so a
 * dump of Redis cannot be read back by hashing every IPv4 address. The prefix names the
 * ruleset (RULESET_NAME), so two deployments can share one Redis; the counter's name is in
 * clear for operators. The hash sits in a `{…}` tag: a counter's log and reservations share
 * a Redis Cluster slot, as a script touching both needs.
 */
export class KeyHasher {
  constructor(
    private readonly salt: string,
    private readonly rulesetName: string,
  ) {}

  storeKey(counter: string, text: string): string {
    const hash = createHmac('sha256', this.salt).update(`${this.rulesetName}\0${counter}\0${text}`).digest('base64url').slice(0, 27);
    return `hook-rules:${this.rulesetName}:${counter}:{${hash}}`;
  }
}

/**
 * Letters, digits and hyphens in two or more dot-separated labels, one letter at least: a
 * domain, not a number. A scan rather than a regex: keys are request data.
 */
function looksLikeDomain(text: string): boolean {
  let letter = false;
  let dots = 0;
  let labelStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      if (i === labelStart) return false;
      dots++;
      labelStart = i + 1;
    } else if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) letter = true;
    else if (!((code >= 0x30 && code <= 0x39) || code === 0x2d)) return false;
  }
  return letter && dots > 0 && labelStart < text.length;
}

/**
 * A key as eval, the preview page and logs show it: emails keep their domain, IP addresses
 * their network, a domain stays (per-domain counters are about it); anything else keeps two
 * characters and its length.
 */
export function maskKey(text: string): string {
  const masked = maskText(text);
  if (masked !== text || looksLikeDomain(text)) return masked;
  return text.length <= 2 ? '*'.repeat(text.length) : `${text.slice(0, 2)}***(${text.length})`;
}
