/**
 * A compiled part of a ruleset as plain JSON, so two versions compare by what was written:
 * a compiled condition becomes the JSON-Logic it came from, sets become sorted arrays, maps
 * become objects, functions go, and positions (`source`) go, since moving a rule to another
 * line changes nothing it does.
 */
export function comparable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (isCompiledLogic(value)) return comparable(value.logic);
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Set) return [...value].map(comparable).sort(byJson);
  if (value instanceof Map) return Object.fromEntries([...value].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)).map(([k, v]) => [String(k), comparable(v)]));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'source') continue;
    const plain = comparable((value as Record<string, unknown>)[key]);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

/** The fields of `before` and `after` (compared with `comparable`) whose values differ, in key order. */
export function changedFields(before: object, after: object, ignore: readonly string[] = []): string[] {
  const a = comparable(before) as Record<string, unknown>;
  const b = comparable(after) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !ignore.includes(key)).sort();
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

function isCompiledLogic(value: object): value is { logic: unknown } {
  return 'logic' in value && typeof (value as { run?: unknown }).run === 'function';
}

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
