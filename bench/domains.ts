/**
 * A deterministic "disposable email" domain list of any size: the same seed gives the same
 * names on every machine, so the bench needs no committed megabytes.
 */
const TLDS = ['com', 'net', 'org', 'io', 'xyz', 'top', 'info', 'site', 'online', 'email'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** mulberry32: a tiny, well-known seeded PRNG. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function disposableDomains(count: number, seed = 42): string[] {
  const random = prng(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const length = 6 + Math.floor(random() * 8);
    let label = '';
    for (let i = 0; i < length; i++) label += LETTERS[Math.floor(random() * LETTERS.length)];
    out.add(`${label}-mail.${TLDS[Math.floor(random() * TLDS.length)]}`);
  }
  return [...out];
}
