import type { JsonPath } from './mutations.js';

/**
 * JSON text with extra members written into chosen objects, as raw text: the only way to
 * make `__proto__` or a duplicate key really arrive (an object literal cannot hold either).
 * `inject` maps an object's path (JSON-encoded) to member texts such as `"__proto__":{}`.
 */
export function jsonWithMembers(value: unknown, inject: ReadonlyMap<string, string[]>, at: JsonPath = []): string {
  if (Array.isArray(value)) return `[${value.map((item, i) => jsonWithMembers(item, inject, [...at, i])).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const own = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonWithMembers(v, inject, [...at, k])}`);
    const extra = inject.get(JSON.stringify(at)) ?? [];
    // Extra members go first or last alternately, so both "first wins" and "last wins" parsers are tried.
    const members = extra.length % 2 === 0 ? [...extra, ...own] : [...own, ...extra];
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Paths of the objects (not arrays or scalars) inside `value`, the root included. */
export function objectPaths(value: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value)) out.push(at);
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) objectPaths(child, [...at, key], out);
  return out;
}

/** Spellings of the dangerous keys, escaped forms included (JSON.parse decodes them to the same key). */
export const POISON_KEYS = ['"__proto__"', '"\\u005f_proto__"', '"__proto\\u005f_"', '"constructor"', '"prototype"', '"\\u0063onstructor"'];

/** Values that would plant a key if any code merged them into a shared prototype. */
export const POISON_VALUES = ['{"polluted":"yes"}', '{"prototype":{"polluted":"yes","isAdmin":true}}', '{"__proto__":{"isAdmin":true}}', '"yes"', '[{"polluted":1}]', 'null'];
