import type { PathSegment } from '../rules/parseYamlFile.js';

export interface CounterRead {
  /** The counter's name, or undefined when the path is `counters` alone. */
  name: string | undefined;
  path: PathSegment[];
}

const ITERATING = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

/**
 * Every `counters.NAME` an expression reads (var, missing, missing_some), with where it is
 * written. Inside map/filter/reduce/all/some/none only the first operand reads the request:
 * elsewhere `var` means the item, as in evaluate's explain.
 */
export function counterReads(logic: unknown, at: PathSegment[], out: CounterRead[] = []): CounterRead[] {
  if (Array.isArray(logic)) {
    logic.forEach((item, i) => counterReads(item, [...at, i], out));
    return out;
  }
  if (logic === null || typeof logic !== 'object') return out;
  for (const [op, raw] of Object.entries(logic)) {
    const opPath = [...at, op];
    const args = Array.isArray(raw) ? raw : [raw];
    const argPath = (i: number): PathSegment[] => (Array.isArray(raw) ? [...opPath, i] : opPath);
    if (op === 'var') {
      read(args[0], argPath(0), out);
      counterReads(args[1], argPath(1), out);
    } else if (op === 'missing') {
      args.forEach((arg, i) => read(arg, argPath(i), out));
    } else if (op === 'missing_some' && Array.isArray(args[1])) {
      (args[1] as unknown[]).forEach((arg, i) => read(arg, [...argPath(1), i], out));
    } else if (ITERATING.has(op)) {
      counterReads(args[0], argPath(0), out);
    } else {
      counterReads(raw, opPath, out);
    }
  }
  return out;
}

function read(path: unknown, at: PathSegment[], out: CounterRead[]): void {
  if (typeof path !== 'string') return;
  if (path === 'counters') out.push({ name: undefined, path: at });
  else if (path.startsWith('counters.')) out.push({ name: path.slice('counters.'.length).split('.')[0], path: at });
}
