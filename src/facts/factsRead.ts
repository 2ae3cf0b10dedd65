import type { PathSegment } from '../rules/parseYamlFile.js';

/** One place an expression reads a fact: `{var: facts.member.plan}` reads "member". */
export interface FactRead {
  /** The fact's name; '' when the path is `facts` alone (which names no fact). */
  name: string;
  path: PathSegment[];
}

/**
 * Every fact an expression reads, by literal `var`, `missing` or `missing_some` path (load-time
 * checks refuse computed paths, so this is the whole set). Paths inside an iteration scope
 * (map, filter…) are counted too: fetching a fact that turns out unread is only wasted work.
 */
export function factsRead(logic: unknown, at: PathSegment[], out: FactRead[] = []): FactRead[] {
  if (Array.isArray(logic)) {
    logic.forEach((item, i) => factsRead(item, [...at, i], out));
    return out;
  }
  if (logic === null || typeof logic !== 'object') return out;
  for (const [op, raw] of Object.entries(logic)) {
    const opPath = [...at, op];
    const args = Array.isArray(raw) ? raw : [raw];
    const argPath = (i: number): PathSegment[] => (Array.isArray(raw) ? [...opPath, i] : opPath);
    if (op === 'var') {
      readPath(args[0], argPath(0), out);
      factsRead(args[1], argPath(1), out);
    } else if (op === 'missing') {
      args.forEach((arg, i) => readPath(arg, argPath(i), out));
    } else if (op === 'missing_some' && Array.isArray(args[1])) {
      (args[1] as unknown[]).forEach((arg, i) => readPath(arg, [...argPath(1), i], out));
    } else {
      factsRead(raw, opPath, out);
    }
  }
  return out;
}

function readPath(path: unknown, at: PathSegment[], out: FactRead[]): void {
  if (typeof path !== 'string') return;
  if (path === 'facts') out.push({ name: '', path: at });
  else if (path.startsWith('facts.')) out.push({ name: path.slice('facts.'.length).split('.')[0]!, path: at });
}
