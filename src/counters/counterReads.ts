import type { PathSegment } from '../language/position.js';
import { namespaceReads } from '../language/namespaceReads.js';

export interface CounterRead {
  /** The counter's name, or undefined when the path is `counters` alone. */
  name: string | undefined;
  path: PathSegment[];
}

/** Every `counters.NAME` an expression reads, with where it is written. */
export function counterReads(logic: unknown, at: PathSegment[]): CounterRead[] {
  return namespaceReads('counters', logic, at).map((read) => ({ name: read.name === '' ? undefined : read.name, path: read.path }));
}
