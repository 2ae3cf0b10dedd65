/** Deeper than this is refused rather than walked: no claim needs it, and it bounds the recursion. */
const MAX_DEPTH = 64;

/**
 * Why a computed claim value would not reach Okta as computed, or null when it is plain JSON:
 * text, a finite number, true/false, null, or lists and plain objects of those. JSON.stringify
 * would silently turn NaN into null, drop undefined members and functions, call toJSON on a
 * Date, and throw on BigInt or a cycle; each of those is named here instead.
 */
export function jsonValueProblem(value: unknown, depth = 0): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `the number ${String(value)} (JSON has no such number)`;
  if (value === undefined) return 'undefined, which JSON cannot carry';
  if (typeof value !== 'object') return `a ${typeof value}, which JSON cannot carry`;
  if (depth >= MAX_DEPTH) return `a value nested more than ${MAX_DEPTH} levels deep`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return `a list with a hole at [${i}]`;
      const problem = jsonValueProblem(value[i], depth + 1);
      if (problem) return `${problem} at [${i}]`;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    return `a ${name}, not plain JSON${name === 'Date' ? ' (turn it into text first, e.g. in SQL with to_char or ::text)' : ''}`;
  }
  for (const [key, member] of Object.entries(value)) {
    const problem = jsonValueProblem(member, depth + 1);
    if (problem) return `${problem} at ${JSON.stringify(key)}`;
  }
  return null;
}
