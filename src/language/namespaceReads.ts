import type { PathSegment } from './position.js';

/** One place an expression reads `NAMESPACE.NAME…`: `{var: facts.member.plan}` reads facts' "member". */
export interface NamespaceRead {
  /** The name after the namespace; '' when the path is the namespace alone (which names nothing). */
  name: string;
  path: PathSegment[];
}

const ITERATING = new Set(['map', 'filter', 'reduce', 'all', 'some', 'none']);

/**
 * Every `NAMESPACE.NAME` an expression reads by literal `var`, `missing` or `missing_some` path
 * (load-time checks refuse computed paths, so this is the whole set), with where it is written.
 * Inside map/filter/reduce/all/some/none only the first operand reads the request: elsewhere
 * `var` means the item, as in evaluate's explain. Facts and counters are found this way.
 */
export function namespaceReads(namespace: string, logic: unknown, at: PathSegment[], out: NamespaceRead[] = []): NamespaceRead[] {
  if (Array.isArray(logic)) {
    logic.forEach((item, i) => namespaceReads(namespace, item, [...at, i], out));
    return out;
  }
  if (logic === null || typeof logic !== 'object') return out;
  const read = (path: unknown, where: PathSegment[]) => {
    if (typeof path !== 'string') return;
    if (path === namespace) out.push({ name: '', path: where });
    else if (path.startsWith(`${namespace}.`)) out.push({ name: path.slice(namespace.length + 1).split('.')[0]!, path: where });
  };
  for (const [op, raw] of Object.entries(logic)) {
    const opPath = [...at, op];
    const args = Array.isArray(raw) ? raw : [raw];
    const argPath = (i: number): PathSegment[] => (Array.isArray(raw) ? [...opPath, i] : opPath);
    if (op === 'var') {
      read(args[0], argPath(0));
      namespaceReads(namespace, args[1], argPath(1), out);
    } else if (op === 'missing') {
      args.forEach((arg, i) => read(arg, argPath(i)));
    } else if (op === 'missing_some' && Array.isArray(args[1])) {
      (args[1] as unknown[]).forEach((arg, i) => read(arg, [...argPath(1), i]));
    } else if (ITERATING.has(op)) {
      namespaceReads(namespace, args[0], argPath(0), out);
    } else {
      namespaceReads(namespace, raw, opPath, out);
    }
  }
  return out;
}
