/**
 * How many inputs each property tries. `npm test` runs the base counts (fast); the stress
 * run sets HOSTILE_SCALE (see package.json "test:stress") to multiply them. Every property
 * counts what it really tried, so the stress report prints figures, not intentions.
 */
export const SCALE = Math.max(1, Number(process.env.HOSTILE_SCALE ?? '1') || 1);

export function runs(base: number): number {
  return Math.round(base * SCALE);
}

const tried = new Map<string, number>();

/** Call once per input actually tried. */
export function count(label: string, n = 1): void {
  tried.set(label, (tried.get(label) ?? 0) + n);
}

export function tally(): ReadonlyMap<string, number> {
  return tried;
}
