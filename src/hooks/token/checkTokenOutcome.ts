import { durationMs } from '../../core/duration.js';
import { REQUEST_TYPES, type Json } from '../../okta/types.js';
import type { PathSegment } from '../../language/position.js';
import { reservedClaimProblem } from './reservedClaims.js';
import { LIFETIME_MAX_SECONDS, LIFETIME_MIN_SECONDS, TOKEN_KINDS, TOKEN_REQUEST_TYPE, type TokenKind } from './types.js';

/** What a rule's `then` may say about one token (docs: the token hook's rule language). */
export interface TokenChangeSpec {
  /** Claim name → JSON-Logic value: sent as add when the token lacks the claim, replace when it has it. */
  claims?: Record<string, Json>;
  /** Claim names to remove (sent only for claims the token has). */
  remove?: string[];
  /** A duration from 5m to 24h, e.g. 15m. */
  lifetime?: string;
}

/** A problem at a YAML path: the key `key` inside the mapping at `path`, or the value at `path` itself. */
export interface OutcomeProblem {
  path: PathSegment[];
  key?: string;
  message: string;
}

const REGISTRATION_TYPES: ReadonlySet<string> = new Set(REQUEST_TYPES.filter((type) => type !== TOKEN_REQUEST_TYPE));
const REGISTRATION_OUTCOMES = ['update', 'updateFrom'] as const;
const CHANGE_KEYS: ReadonlySet<string> = new Set(['claims', 'remove', 'lifetime']);
/** Names that would reach an object's prototype rather than be a claim. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks, at load, a rule's outcome (`then`, at YAML path `at`) against its `appliesTo`: what
 * Okta would refuse (reserved claims, scopes, lifetimes outside 5m–24h) and outcomes of one hook
 * in a rule for the other. Every problem is returned, none stops the others.
 */
export function checkTokenOutcome(then: unknown, appliesTo: readonly string[], at: PathSegment[]): OutcomeProblem[] {
  const problems: OutcomeProblem[] = [];
  if (!isObject(then)) return problems;
  const forToken = appliesTo.includes(TOKEN_REQUEST_TYPE);
  const registration = appliesTo.filter((type) => REGISTRATION_TYPES.has(type));

  for (const token of TOKEN_KINDS) {
    if (!(token in then)) continue;
    if (!forToken) {
      problems.push({ path: at, key: token, message: `${token} changes a token, but the rule does not apply to ${TOKEN_REQUEST_TYPE} (appliesTo: [${TOKEN_REQUEST_TYPE}])` });
    } else if (registration.length > 0) {
      problems.push({ path: at, key: token, message: `${token} changes a token, but the rule also applies to ${registration.join(', ')}: a rule with token outcomes applies to [${TOKEN_REQUEST_TYPE}] alone` });
    }
    if ('deny' in then) problems.push({ path: at, key: token, message: `a deny refuses the token, so ${token} would never be sent: drop one of them` });
    problems.push(...checkChange(token, then[token], [...at, token]));
  }

  if (forToken) {
    for (const key of REGISTRATION_OUTCOMES) {
      if (key in then) problems.push({ path: at, key, message: `${key} changes a registration profile; a rule that applies to ${TOKEN_REQUEST_TYPE} changes tokens with access or identity` });
    }
    const deny = then.deny;
    if (isObject(deny) && 'causes' in deny) {
      problems.push({ path: [...at, 'deny'], key: 'causes', message: `causes point at registration form fields; a token deny has only a message (Okta's error.errorSummary)` });
    }
  }
  return problems;
}

function checkChange(token: TokenKind, change: unknown, at: PathSegment[]): OutcomeProblem[] {
  if (!isObject(change)) return [{ path: at, message: `${token} takes claims, remove and/or lifetime` }];
  const problems: OutcomeProblem[] = [];
  const keys = Object.keys(change);
  for (const key of keys) {
    if (!CHANGE_KEYS.has(key)) problems.push({ path: at, key, message: `${token} takes claims, remove and lifetime, not "${key}"` });
  }
  if (!keys.some((key) => CHANGE_KEYS.has(key))) problems.push({ path: at, message: `${token} changes nothing: give it claims, remove or lifetime` });

  const set = new Set<string>();
  if ('claims' in change) {
    if (!isObject(change.claims)) problems.push({ path: at, key: 'claims', message: 'claims maps claim names to values' });
    else {
      for (const name of Object.keys(change.claims)) {
        set.add(name);
        const problem = nameProblem(name) ?? reservedClaimProblem(token, name, 'set');
        if (problem) problems.push({ path: [...at, 'claims'], key: name, message: problem });
      }
    }
  }
  if ('remove' in change) {
    if (!Array.isArray(change.remove)) problems.push({ path: at, key: 'remove', message: 'remove is a list of claim names' });
    else {
      const seen = new Set<string>();
      for (const [index, name] of (change.remove as unknown[]).entries()) {
        const path = [...at, 'remove', index];
        const problem =
          typeof name !== 'string'
            ? 'remove lists claim names (text)'
            : (nameProblem(name) ??
              reservedClaimProblem(token, name, 'remove') ??
              (seen.has(name) ? `"${name}" is listed twice` : set.has(name) ? `"${name}" is both set under claims and removed` : null));
        if (typeof name === 'string') seen.add(name);
        if (problem) problems.push({ path, message: problem });
      }
    }
  }
  if ('lifetime' in change) {
    const lifetime = parseLifetime(change.lifetime);
    if ('problem' in lifetime) problems.push({ path: at, key: 'lifetime', message: lifetime.problem });
  }
  return problems;
}

/** A rule's `lifetime` in whole seconds, or why Okta would refuse it. */
export function parseLifetime(value: unknown): { seconds: number } | { problem: string } {
  const ms = typeof value === 'string' ? (durationMs(value) ?? undefined) : undefined;
  if (ms === undefined) return { problem: `lifetime is a duration such as 15m, 1h or 24h${typeof value === 'number' ? ' (a bare number could mean seconds or milliseconds)' : ''}` };
  const seconds = ms / 1000;
  if (!Number.isInteger(seconds)) return { problem: `lifetime ${String(value)} is not a whole number of seconds` };
  if (seconds < LIFETIME_MIN_SECONDS || seconds > LIFETIME_MAX_SECONDS) return { problem: `lifetime ${String(value)} is outside what Okta accepts: 5m to 24h` };
  return { seconds };
}

function nameProblem(name: string): string | null {
  if (name === '') return 'a claim name cannot be empty';
  if (FORBIDDEN_NAMES.has(name)) return `"${name}" cannot be a claim name`;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
