import { RE2JS } from 're2js';
import { caseFold } from './caseFold.js';
import { emailDomain } from './emailDomain.js';

/** A named list as `in_list` reads it (rules/lists.ts builds them). */
export interface ListLookup {
  has(value: unknown): boolean;
}

/** A ruleset's named lists, by name. */
export type Lists = ReadonlyMap<string, ListLookup>;

/**
 * What an expression of a ruleset compiles with: the ruleset's patterns (compiled once, at
 * load) and its lists. Both are bound where the expression is written; an evaluation may pass
 * other lists (a rule test that replaces a list's entries).
 */
export interface OperatorScope {
  readonly patterns: ReadonlyMap<string, RE2JS>;
  readonly lists: Lists;
}

/** No patterns and no lists: for an expression that is not part of a ruleset. */
export const NO_SCOPE: OperatorScope = Object.freeze({ patterns: new Map(), lists: new Map() });

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

/** An operation that reads the ruleset: called with the lists in force, then its evaluated arguments. */
export type ScopedOperation = (lists: Lists, ...args: unknown[]) => unknown;

/**
 * `in_list` and `matches` at one place in an expression, chosen when it compiles. `matches`
 * with a literal pattern and flags (the only kind checkLogic lets into a ruleset) is bound to
 * its compiled pattern: the same answers and errors, without a Map lookup per call. undefined:
 * the operation is not one of these.
 */
export function scopedOperation(patterns: ReadonlyMap<string, RE2JS>, op: string, args: readonly unknown[]): ScopedOperation | undefined {
  if (op === 'in_list') return (lists, value, name) => inList(lists, value, name);
  if (op !== 'matches') return undefined;
  const [, pattern, flags = ''] = args;
  const compiled = args.length >= 2 && args.length <= 3 && typeof pattern === 'string' && typeof flags === 'string' ? patterns.get(patternKey(pattern, flags)) : undefined;
  if (!compiled) return (_lists, value, pattern, flags = '') => matchesPattern(patterns, value, pattern, flags);
  return (_lists, value) => {
    const text = asText(value);
    return text !== null && compiled.test(text);
  };
}

/** {"in_list": [value, "listName"]} → true when the value is in the named list. */
export function inList(lists: Lists, value: unknown, name: unknown): boolean {
  const list = lists.get(String(name));
  if (!list) throw new Error(`unknown list "${String(name)}"`);
  return list.has(value);
}

/** {"matches": [value, "pattern", "flags"?]} → true when the pattern is found (RE2 syntax, linear time). */
export function matchesPattern(patterns: ReadonlyMap<string, RE2JS>, value: unknown, pattern: unknown, flags: unknown = ''): boolean {
  const text = asText(value);
  if (text === null) return false;
  const compiled = patterns.get(patternKey(String(pattern), String(flags ?? '')));
  if (!compiled) throw new Error(`pattern ${String(pattern)} was not compiled at load`);
  return compiled.test(text);
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** Our operations that read nothing but their arguments (in_list and matches: scopedOperation). */
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
  lower: (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value),
  upper: (value: unknown) => (typeof value === 'string' ? value.toUpperCase() : value),
  trim: (value: unknown) => (typeof value === 'string' ? value.trim() : value),
} as const;

/** Ours, in the order "did you mean" suggestions prefer them. */
const CUSTOM_OPERATION_NAMES = ['email_domain', 'iequals', 'matches', 'in_list', 'lower', 'upper', 'trim'] as const;

/** The standard JsonLogic operations a rule may use: json-logic-js's own, less `log` (a side effect). */
export const STANDARD_OPERATIONS = [
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!!', '!', '%', 'in', 'cat', 'substr',
  '+', '*', '-', '/', 'min', 'max', 'merge', 'var', 'missing', 'missing_some',
  'if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some',
] as const;

export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set<string>([
  ...STANDARD_OPERATIONS,
  ...CUSTOM_OPERATION_NAMES,
]);
