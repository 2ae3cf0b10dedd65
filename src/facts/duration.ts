import type { Duration } from './types.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** 300ms, 2s, 5m, 1h or a number of milliseconds, in milliseconds; null when it is none of these. */
export function durationMs(value: Duration): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}
