/** What a rule file may write for a length of time: a whole number of milliseconds, or text. */
export type Duration = number | string;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * 500ms, 2s, 5m, 1h, 1d or a whole number of milliseconds, in milliseconds; null when it is
 * none of these or not above zero. Each section bounds the result itself (a fact's timeout, a
 * counter's window), so this one knows no bounds.
 */
export function durationMs(value: Duration): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}
