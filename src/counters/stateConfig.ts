import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_MEMORY_MAX_ENTRIES } from './memoryStore.js';

/** Where counters live and how their keys are made (docs/counters.md, "Where counts live"). */
export interface StateConfig {
  /** STATE_URL: redis:// or rediss://; undefined keeps counts in the process's memory. */
  url?: string;
  /** STATE_KEY_SALT (or _FILE): the HMAC key that hashes counter keys. */
  keySalt: string;
  /** The salt was not set: a fixed one is used (with Redis: warned about at start). */
  keySaltDefaulted: boolean;
  /** RULESET_NAME: the prefix of this deployment's keys, so deployments can share a Redis. */
  rulesetName: string;
  /** STATE_TIMEOUT_MS: a request's counter operations finish within this, or fail by onError. */
  timeoutMs: number;
  /** STATE_MEMORY_MAX_ENTRIES: the bound of the in-memory store (no STATE_URL); the least recently used keys go first. */
  memoryMaxEntries: number;
}

/** Salt used when none is set; documented as not for production with Redis. */
const FIXED_SALT = 'okta-hook-rules/counters';

export function stateConfigFromEnv(env: NodeJS.ProcessEnv, production: boolean, problems: string[]): StateConfig {
  const url = env.STATE_URL?.trim() || undefined;
  if (url !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      problems.push('STATE_URL: not a URL (redis://host:6379 or rediss://… for TLS)');
    }
    if (protocol && protocol !== 'redis:' && protocol !== 'rediss:') problems.push(`STATE_URL: "${protocol}" is not redis: or rediss:`);
  }
  let salt = env.STATE_KEY_SALT || undefined;
  if (env.STATE_KEY_SALT_FILE) {
    try {
      salt = readFileSync(env.STATE_KEY_SALT_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`STATE_KEY_SALT_FILE: cannot read "${env.STATE_KEY_SALT_FILE}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (salt !== undefined && salt.length < 16) problems.push('STATE_KEY_SALT: at least 16 characters (a random string, e.g. openssl rand -hex 32)');
  if (salt === undefined && url !== undefined && production) {
    problems.push('STATE_KEY_SALT: required in production with STATE_URL, or counter keys (IP addresses, emails) could be recovered from Redis by hashing guesses');
  }
  const rulesetName = env.RULESET_NAME?.trim() || 'default';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(rulesetName)) problems.push(`RULESET_NAME: "${rulesetName}" must be 1 to 64 letters, digits, ".", "_" or "-"`);
  let timeoutMs = 250;
  if (env.STATE_TIMEOUT_MS !== undefined && env.STATE_TIMEOUT_MS !== '') {
    timeoutMs = Number(env.STATE_TIMEOUT_MS);
    if (!/^\d+$/.test(env.STATE_TIMEOUT_MS.trim()) || timeoutMs < 5 || timeoutMs > 2_500) {
      problems.push(`STATE_TIMEOUT_MS: "${env.STATE_TIMEOUT_MS}" is not a whole number from 5 to 2500 (Okta waits 3 s)`);
      timeoutMs = 250;
    }
  }
  let memoryMaxEntries = DEFAULT_MEMORY_MAX_ENTRIES;
  const rawMax = env.STATE_MEMORY_MAX_ENTRIES?.trim();
  if (rawMax !== undefined && rawMax !== '') {
    memoryMaxEntries = Number(rawMax);
    if (!/^\d+$/.test(rawMax) || memoryMaxEntries < 100 || memoryMaxEntries > 100_000_000) {
      problems.push(`STATE_MEMORY_MAX_ENTRIES: "${env.STATE_MEMORY_MAX_ENTRIES}" is not a whole number from 100 to 100000000`);
      memoryMaxEntries = DEFAULT_MEMORY_MAX_ENTRIES;
    }
  }
  // In memory nothing leaves the process: a salt of its own is as good as any.
  const keySalt = salt ?? (url ? FIXED_SALT : randomBytes(32).toString('hex'));
  return { ...(url ? { url } : {}), keySalt, keySaltDefaulted: salt === undefined, rulesetName, timeoutMs, memoryMaxEntries };
}

/** The settings above, for the configuration table check. */
export const STATE_ENV_NAMES = ['STATE_URL', 'STATE_KEY_SALT', 'STATE_KEY_SALT_FILE', 'STATE_TIMEOUT_MS', 'STATE_MEMORY_MAX_ENTRIES', 'RULESET_NAME'] as const;
