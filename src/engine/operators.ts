import jsonLogic from 'json-logic-js';
import { RE2JS } from 're2js';
import { caseFold } from './caseFold.js';
import { emailDomain } from './emailDomain.js';
import type { NamedList } from '../rules/lists.js';

/**
 * Custom JSON-Logic operations. json-logic-js keeps operations in one module-global table,
 * so they are registered once; anything that depends on the ruleset (named lists, compiled
 * patterns) is reached through `activeScope`, which `withScope` sets for the duration of one
 * synchronous evaluation. Evaluation never awaits, so scopes cannot interleave.
 */
export interface EvaluationScope {
  lists: ReadonlyMap<string, NamedList>;
  patterns: ReadonlyMap<string, RE2JS>;
}

let activeScope: EvaluationScope | undefined;

export function withScope<T>(scope: EvaluationScope, fn: () => T): T {
  const previous = activeScope;
  activeScope = scope;
  try {
    return fn();
  } finally {
    activeScope = previous;
  }
}

function scope(): EvaluationScope {
  if (!activeScope) throw new Error('custom operation used outside an evaluation');
  return activeScope;
}

/** Patterns compile at load; the key joins pattern and flags. */
export function patternKey(pattern: string, flags: string): string {
  return `${flags}/${pattern}`;
}

export function compilePattern(pattern: string, flags: string): RE2JS {
  let bits = 0;
  for (const flag of flags) {
    if (flag === 'i') bits |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 's') bits |= RE2JS.DOTALL;
    else if (flag === 'm') bits |= RE2JS.MULTILINE;
    else throw new Error(`unknown regex flag "${flag}" (use i, s or m)`);
  }
  return RE2JS.compile(pattern, bits);
}

/**
 * `matches` with a literal pattern and flags (the only kind checkLogic lets into a ruleset),
 * bound to its compiled pattern when the ruleset compiles: the same answers and errors, without
 * two Map lookups per call. Anything else keeps the operation, which looks the pattern up.
 */
export function bindOperation(patterns: ReadonlyMap<string, RE2JS>) {
  return (op: string, args: readonly unknown[]): ((value: unknown) => boolean) | undefined => {
    if (op !== 'matches' || args.length < 2 || args.length > 3) return undefined;
    const [, pattern, flags = ''] = args;
    if (typeof pattern !== 'string' || typeof flags !== 'string') return undefined;
    const compiled = patterns.get(patternKey(pattern, flags));
    if (!compiled) return undefined;
    return (value) => {
      const text = asText(value);
      if (text === null) return false;
      scope(); // as the operation: only during an evaluation
      return compiled.test(text);
    };
  };
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

export const CUSTOM_OPERATIONS = {
  /** {"email_domain": [email]} → "example.com" (lowercased), or null. */
  email_domain: (email: unknown) => emailDomain(email),
  /** {"iequals": [a, b]} → true when both are the same text but for case (caseFold.ts). */
  iequals: (a: unknown, b: unknown) => {
    const left = asText(a);
    const right = asText(b);
    if (left === null || right === null) return a == null && b == null;
    return left === right || caseFold(left) === caseFold(right);
  },
  /** {"matches": [value, "pattern", "flags"?]} → true when the pattern is found (RE2 syntax, linear time). */
  matches: (value: unknown, pattern: unknown, flags: unknown = '') => {
    const text = asText(value);
    if (text === null) return false;
    const compiled = scope().patterns.get(patternKey(String(pattern), String(flags ?? '')));
    if (!compiled) throw new Error(`pattern ${String(pattern)} was not compiled at load`);
    return compiled.test(text);
  },
  /** {"in_list": [value, "listName"]} → true when the value is in the named list. */
  in_list: (value: unknown, name: unknown) => {
    const list = scope().lists.get(String(name));
    if (!list) throw new Error(`unknown list "${String(name)}"`);
    return list.has(value);
  },
  lower: (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value),
  upper: (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : value),
  trim: (value: unknown) => (typeof value === 'string' ? value.trim() : value),
} as const;

export type CustomOperation = keyof typeof CUSTOM_OPERATIONS;

/** The standard JsonLogic operations a rule may use: json-logic-js's own, less `log` (a side effect). */
export const STANDARD_OPERATIONS = [
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!!', '!', '%', 'in', 'cat', 'substr',
  '+', '*', '-', '/', 'min', 'max', 'merge', 'var', 'missing', 'missing_some',
  'if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some',
] as const;

export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set<string>([
  ...STANDARD_OPERATIONS,
  ...Object.keys(CUSTOM_OPERATIONS),
]);

let registered = false;
export function registerCustomOperations(): void {
  if (registered) return;
  for (const [name, fn] of Object.entries(CUSTOM_OPERATIONS)) {
    jsonLogic.add_operation(name, fn as (...args: unknown[]) => unknown);
  }
  registered = true;
}
