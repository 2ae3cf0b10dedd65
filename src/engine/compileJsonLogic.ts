/**
 * Compiles a JSON-Logic expression once into nested closures that give exactly what
 * json-logic-js 2.0.5's `apply` gives, without re-walking the expression on every call.
 *
 * It mirrors `apply` step by step: arrays map, non-logic values pass through, `if`/`?:`,
 * `and`, `or` and the iteration operations evaluate lazily, every other operation gets its
 * arguments depth-first, left to right, and is called with exactly that many arguments. The
 * standard operations below are json-logic-js's own (MIT), copied so they can be called
 * directly. Anything else (an unknown or dotted operation, `log`) is handed to json-logic-js
 * itself, so even its errors are the same. test/engine/parity.test.ts holds this to it.
 *
 * Our own operations are given as functions, never added to json-logic-js's operation table
 * (which is one table for the whole process). An expression runs with a scope its caller
 * passes in, which reaches the operations that read it (a ruleset's lists).
 */
import jsonLogic from 'json-logic-js';

export type Run<S> = (data: unknown, scope: S) => unknown;
type Operation = (...args: unknown[]) => unknown;

/** Operations beyond json-logic-js's standard ones. */
export interface CustomOperations<S> {
  /** Called with their evaluated arguments only. */
  readonly plain: Readonly<Record<string, Operation>>;
  /**
   * Chosen for one place in an expression when it compiles, from the operation's name and its
   * arguments as written; called with the scope, then the evaluated arguments. undefined: not
   * one of these.
   */
  scoped(op: string, args: readonly unknown[]): ((scope: S, ...args: unknown[]) => unknown) | undefined;
}

const truthy = (value: unknown): boolean => (Array.isArray(value) && value.length === 0 ? false : !!value);

/* eslint-disable eqeqeq -- loose equality is JsonLogic's meaning of == and != */
const STANDARD: Record<string, Operation> = {
  '==': (a, b) => a == b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a != b,
  '!==': (a, b) => a !== b,
  '>': (a: any, b: any) => a > b,
  '>=': (a: any, b: any) => a >= b,
  '<': (a: any, b: any, c: any) => (c === undefined ? a < b : a < b && b < c),
  '<=': (a: any, b: any, c: any) => (c === undefined ? a <= b : a <= b && b <= c),
  '!!': (a) => truthy(a),
  '!': (a) => !truthy(a),
  '%': (a: any, b: any) => a % b,
  in: (a, b: any) => {
    if (!b || typeof b.indexOf === 'undefined') return false;
    return b.indexOf(a) !== -1;
  },
  cat: (...args) => args.join(''),
  substr: (source, start: any, end: any) => {
    if (end < 0) {
      const temp = String(source).substr(start);
      return temp.substr(0, temp.length + end);
    }
    return String(source).substr(start, end);
  },
  '+': (...args: any[]) => args.reduce((a, b) => parseFloat(a) + parseFloat(b), 0),
  '*': (...args: any[]) => args.reduce((a, b) => parseFloat(a) * parseFloat(b)),
  '-': (a: any, b: any) => (b === undefined ? -a : a - b),
  '/': (a: any, b: any) => a / b,
  min: (...args: any[]) => Math.min(...args),
  max: (...args: any[]) => Math.max(...args),
  merge: (...args: any[]) => args.reduce((a, b) => a.concat(b), []),
};
/* eslint-enable eqeqeq */

/** Operations with lazy arguments or that read the data: compiled below, not called. */
const SPECIAL = new Set(['if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some', 'var', 'missing', 'missing_some']);

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

function isLogic(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

/** json-logic-js's `var`, with the path already split when it is a literal. */
function readPath(data: unknown, parts: readonly string[], notFound: unknown): unknown {
  let value: any = data;
  for (let i = 0; i < parts.length; i++) {
    if (value === null || value === undefined) return notFound;
    value = value[parts[i]!];
    if (value === undefined) return notFound;
  }
  return value;
}

function varOp(data: unknown, a: unknown, b: unknown): unknown {
  const notFound = b === undefined ? null : b;
  if (typeof a === 'undefined' || a === '' || a === null) return data;
  return readPath(data, String(a).split('.'), notFound);
}

function missingOp(data: unknown, args: readonly unknown[]): unknown[] {
  const keys: readonly unknown[] = Array.isArray(args[0]) ? args[0] : args;
  const missing: unknown[] = [];
  for (const key of keys) {
    // json-logic-js evaluates {"var": key}; for a text or number key that is varOp.
    const value =
      typeof key === 'string' || typeof key === 'number' ? varOp(data, key, undefined) : jsonLogic.apply({ var: key } as never, data);
    if (value === null || value === '') missing.push(key);
  }
  return missing;
}

const isPrimitiveList = (value: unknown): value is Array<string | number> =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number');

export function compileJsonLogic<S>(logic: unknown, custom: CustomOperations<S>): Run<S> {
  const compile = (node: unknown): Run<S> => compileNode(node, custom, compile);
  return compile(logic);
}

function compileNode<S>(logic: unknown, custom: CustomOperations<S>, compile: (node: unknown) => Run<S>): Run<S> {
  if (Array.isArray(logic)) {
    const items = logic.map(compile);
    return (data, scope) => items.map((item) => item(data, scope));
  }
  if (!isLogic(logic)) return () => logic;

  const op = Object.keys(logic)[0]!;
  const raw = logic[op];
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];

  if (SPECIAL.has(op)) return compileSpecial(op, values, compile);

  const scoped = custom.scoped(op, values);
  if (scoped) return compileScoped(scoped, values.map(compile));
  let fn: Operation | undefined;
  if (hasOwn(custom.plain, op)) fn = custom.plain[op];
  else if (hasOwn(STANDARD, op)) fn = STANDARD[op];
  // Unknown, dotted or `log`: json-logic-js decides (and throws its own error).
  if (!fn) return (data) => jsonLogic.apply(logic as never, data);
  const call = fn;
  const args = values.map(compile);
  // By arity: no arguments array per call, and still exactly as many arguments as written.
  switch (args.length) {
    case 0:
      return () => call();
    case 1: {
      const [a] = args as [Run<S>];
      return (data, scope) => call(a(data, scope));
    }
    case 2: {
      const [a, b] = args as [Run<S>, Run<S>];
      return (data, scope) => call(a(data, scope), b(data, scope));
    }
    case 3: {
      const [a, b, c] = args as [Run<S>, Run<S>, Run<S>];
      return (data, scope) => call(a(data, scope), b(data, scope), c(data, scope));
    }
    default:
      return (data, scope) => call(...args.map((arg) => arg(data, scope)));
  }
}

function compileScoped<S>(call: (scope: S, ...args: unknown[]) => unknown, args: Array<Run<S>>): Run<S> {
  switch (args.length) {
    case 1: {
      const [a] = args as [Run<S>];
      return (data, scope) => call(scope, a(data, scope));
    }
    case 2: {
      const [a, b] = args as [Run<S>, Run<S>];
      return (data, scope) => call(scope, a(data, scope), b(data, scope));
    }
    case 3: {
      const [a, b, c] = args as [Run<S>, Run<S>, Run<S>];
      return (data, scope) => call(scope, a(data, scope), b(data, scope), c(data, scope));
    }
    default:
      return (data, scope) => call(scope, ...args.map((arg) => arg(data, scope)));
  }
}

function compileSpecial<S>(op: string, values: unknown[], compile: (node: unknown) => Run<S>): Run<S> {
  switch (op) {
    case 'if':
    case '?:': {
      const parts = values.map(compile);
      return (data, scope) => {
        let i = 0;
        for (; i < parts.length - 1; i += 2) {
          if (truthy(parts[i]!(data, scope))) return parts[i + 1]!(data, scope);
        }
        if (parts.length === i + 1) return parts[i]!(data, scope);
        return null;
      };
    }
    case 'and': {
      const parts = values.map(compile);
      return (data, scope) => {
        let current: unknown;
        for (const part of parts) {
          current = part(data, scope);
          if (!truthy(current)) return current;
        }
        return current;
      };
    }
    case 'or': {
      const parts = values.map(compile);
      return (data, scope) => {
        let current: unknown;
        for (const part of parts) {
          current = part(data, scope);
          if (truthy(current)) return current;
        }
        return current;
      };
    }
    case 'filter':
    case 'map':
    case 'all':
    case 'none':
    case 'some': {
      const source = compile(values[0]);
      const each = compile(values[1]);
      return iterate(op, source, each);
    }
    case 'reduce': {
      const source = compile(values[0]);
      const each = compile(values[1]);
      const initial = typeof values[2] !== 'undefined' ? compile(values[2]) : () => null;
      return (data, scope) => {
        const items = source(data, scope);
        const start = initial(data, scope);
        if (!Array.isArray(items)) return start;
        return items.reduce((accumulator, current) => each({ current, accumulator }, scope), start);
      };
    }
    case 'var': {
      const [first] = values;
      const literal = typeof first === 'string' || typeof first === 'number';
      if (literal && values.length <= 2) {
        const fallback = compile(values[1]);
        // The default is evaluated even when unused, as json-logic-js does (it could throw).
        if (first === '') return (data, scope) => (fallback(data, scope), data);
        const parts = String(first).split('.');
        return (data, scope) => {
          const b = fallback(data, scope);
          return readPath(data, parts, b === undefined ? null : b);
        };
      }
      const args = values.map(compile);
      return (data, scope) => {
        const evaluated = args.map((arg) => arg(data, scope));
        return varOp(data, evaluated[0], evaluated[1]);
      };
    }
    case 'missing': {
      const args = values.map(compile);
      return (data, scope) => missingOp(data, args.map((arg) => arg(data, scope)));
    }
    default: {
      // missing_some: [need_count, options]
      const args = values.map(compile);
      return (data, scope) => {
        const evaluated = args.map((arg) => arg(data, scope));
        const [needCount, options] = evaluated as [any, any];
        const areMissing = isPrimitiveList(options) ? missingOp(data, options) : (jsonLogic.apply({ missing: options } as never, data) as unknown[]);
        return options.length - areMissing.length >= needCount ? [] : areMissing;
      };
    }
  }
}

function iterate<S>(op: string, source: Run<S>, each: Run<S>): Run<S> {
  switch (op) {
    case 'filter':
      return (data, scope) => {
        const items = source(data, scope);
        return Array.isArray(items) ? items.filter((item) => truthy(each(item, scope))) : [];
      };
    case 'map':
      return (data, scope) => {
        const items = source(data, scope);
        return Array.isArray(items) ? items.map((item) => each(item, scope)) : [];
      };
    case 'all':
      return (data, scope) => {
        const items = source(data, scope);
        if (!Array.isArray(items) || !items.length) return false;
        for (const item of items) if (!truthy(each(item, scope))) return false;
        return true;
      };
    case 'none':
      return (data, scope) => {
        const items = source(data, scope);
        if (!Array.isArray(items) || !items.length) return true;
        for (const item of items) if (truthy(each(item, scope))) return false;
        return true;
      };
    default:
      return (data, scope) => {
        const items = source(data, scope);
        if (!Array.isArray(items) || !items.length) return false;
        for (const item of items) if (truthy(each(item, scope))) return true;
        return false;
      };
  }
}
