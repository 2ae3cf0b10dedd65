import { ALLOWED_OPERATIONS, compilePattern, patternKey } from '../engine/operators.js';
import type { RE2JS } from 're2js';
import { nearest } from './nearest.js';
import type { PathSegment } from './position.js';

/** Path segments that would let `var` walk the prototype chain. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export interface LogicProblem {
  path: PathSegment[];
  /** Set when the problem is a key (an operator name) inside the object at `path`. */
  key?: string;
  message: string;
  /** A warning loads (an error under `validate --strict`); anything else refuses the ruleset. */
  warning?: true;
}

/**
 * How many arguments an operation takes, where a wrong count can only be a mistake (json-logic
 * would ignore the extra ones or compare with undefined). Operations not named take any count.
 */
const ARITY: Record<string, readonly [min: number, max: number]> = {
  '==': [2, 2], '===': [2, 2], '!=': [2, 2], '!==': [2, 2],
  '>': [2, 2], '>=': [2, 2], '<': [2, 3], '<=': [2, 3],
  '!': [1, 1], '!!': [1, 1], '%': [2, 2], '/': [2, 2], '-': [1, 2],
  in: [2, 2], substr: [2, 3], '?:': [3, 3], and: [1, Infinity], or: [1, Infinity], if: [1, Infinity],
  var: [0, 2], missing_some: [2, 2],
  map: [2, 2], filter: [2, 2], all: [2, 2], none: [2, 2], some: [2, 2], reduce: [2, 3],
  email_domain: [1, 1], iequals: [2, 2], matches: [2, 3], in_list: [2, 2], lower: [1, 1], upper: [1, 1], trim: [1, 1],
};

/** What a ruleset's conditions need from the rest of the ruleset, gathered while checking. */
export interface LogicNeeds {
  lists: Map<string, PathSegment[]>;
  patterns: Map<string, RE2JS>;
}

/**
 * Checks a JSON-Logic expression at load time, so that no request ever meets an unknown
 * operator, a prototype-walking `var`, an invalid regular expression or an unknown list.
 */
export function checkLogic(logic: unknown, at: PathSegment[], needs: LogicNeeds): LogicProblem[] {
  const problems: LogicProblem[] = [];
  walk(logic, at, problems, needs);
  return problems;
}

function walk(node: unknown, at: PathSegment[], problems: LogicProblem[], needs: LogicNeeds): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, [...at, i], problems, needs));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    problems.push({
      path: at,
      message: `an operation has exactly one operator key, found ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')}`,
    });
    return;
  }
  const op = keys[0]!;
  const opPath = [...at, op];
  if (!ALLOWED_OPERATIONS.has(op)) {
    problems.push({ path: at, key: op, message: `unknown operator "${op}"${suggest(op)}` });
    return;
  }
  const raw = (node as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const argPath = (i: number): PathSegment[] => (Array.isArray(raw) ? [...opPath, i] : opPath);
  const arity = ARITY[op];
  if (arity && (args.length < arity[0] || args.length > arity[1])) {
    problems.push({ path: opPath, message: `"${op}" takes ${arityText(arity)}, got ${args.length}: ${JSON.stringify(raw)}` });
    args.forEach((arg, i) => walk(arg, argPath(i), problems, needs)); // operators inside are still checked
    return;
  }

  switch (op) {
    case 'var':
      checkPath(args[0] ?? '', argPath(0), 'var', problems);
      walk(args[1], argPath(1), problems, needs); // the default value
      return;
    case 'missing':
      args.forEach((arg, i) => checkPath(arg, argPath(i), 'missing', problems));
      return;
    case 'missing_some': {
      walk(args[0], argPath(0), problems, needs);
      const paths = args[1];
      if (!Array.isArray(paths)) {
        problems.push({ path: argPath(1), message: 'missing_some takes [count, [paths…]]' });
      } else {
        paths.forEach((p, i) => checkPath(p, [...argPath(1), i], 'missing_some', problems));
      }
      return;
    }
    case 'matches': {
      walk(args[0], argPath(0), problems, needs);
      const [, pattern, flags = ''] = args;
      if (typeof pattern !== 'string' || typeof flags !== 'string') {
        problems.push({ path: opPath, message: 'matches takes [value, "pattern", "flags"?] with a literal pattern and flags' });
        return;
      }
      try {
        needs.patterns.set(patternKey(pattern, flags), compilePattern(pattern, flags));
        const typo = patternTypo(pattern);
        if (typo) problems.push({ path: argPath(1), message: `pattern ${JSON.stringify(pattern)}: ${typo}`, warning: true });
      } catch (error) {
        problems.push({ path: argPath(1), message: `invalid regular expression: ${(error as Error).message}` });
      }
      return;
    }
    case 'in_list': {
      walk(args[0], argPath(0), problems, needs);
      const name = args[1];
      if (typeof name !== 'string') {
        problems.push({ path: opPath, message: 'in_list takes [value, "listName"] with a literal list name' });
        return;
      }
      if (!needs.lists.has(name)) needs.lists.set(name, argPath(1));
      return;
    }
    default:
      args.forEach((arg, i) => walk(arg, argPath(i), problems, needs));
  }
}

function checkPath(arg: unknown, at: PathSegment[], op: string, problems: LogicProblem[]): void {
  if (typeof arg === 'number') return;
  if (typeof arg !== 'string') {
    problems.push({ path: at, message: `${op} takes a literal path (a string such as "profile.email"), not an expression` });
    return;
  }
  const bad = arg.split('.').find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (bad) problems.push({ path: at, message: `${op} path "${arg}" goes through "${bad}", which is not allowed` });
}

function suggest(op: string): string {
  const lower = op.toLowerCase();
  const near = [...ALLOWED_OPERATIONS].find((known) => known.toLowerCase() === lower || known.replace(/_/g, '') === lower.replace(/_/g, '')) ?? nearest(op, ALLOWED_OPERATIONS);
  return near ? ` (did you mean "${near}"?)` : '';
}

function arityText([min, max]: readonly [number, number]): string {
  const n = (count: number) => `${count} argument${count === 1 ? '' : 's'}`;
  if (min === max) return `exactly ${n(min)}`;
  if (max === Infinity) return `at least ${n(min)}`;
  return `${min} to ${n(max)}`;
}

/**
 * Why a valid RE2 pattern is almost surely a typo, or null. RE2 reads a "{" that starts no
 * repetition ({n}, {n,}, {n,m}) as a literal brace: "[0-9]{8,15$" then matches the text
 * "{8,15" rather than 8 to 15 digits. A brace that is meant is written "\{".
 */
export function patternTypo(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++; // a leading ] is literal inside a class
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
      return `the "{" at character ${i + 1} starts no repetition ({n}, {n,} or {n,m}), so it matches a literal "{"; close the repetition, or write "\\{" for a brace`;
    }
  }
  return null;
}
