import autocannon, { type Options } from 'autocannon';
import { preciseCpuSeconds } from './cpuTime.js';
import type { RunningBenchServer } from './spawnServer.js';

/** What autocannon sends to one server; `amount` is set per burst. */
export type BurstLoad = (server: RunningBenchServer) => Omit<Options, 'amount' | 'duration'>;

export interface SideBySide {
  /** Each pair's first server ÷ second server, CPU per request. */
  ratios: number[];
  /** Each server's CPU µs per request, burst by burst. */
  costs: [number[], number[]];
}

/**
 * The machine's speed drifts within seconds: rows of a few seconds each, one server after the
 * other, drift apart by as much as the difference being measured. Here two servers run at once
 * (one loaded at a time) and are measured in `pairs` pairs of alternating bursts, each burst's
 * CPU time read to the nanosecond, so every pair meets the same machine.
 */
export async function sideBySide(
  servers: [RunningBenchServer, RunningBenchServer],
  load: BurstLoad,
  options: { pairs: number; burst: number; warmUp: number; onPair?: (pair: number, us: [number, number]) => void },
): Promise<SideBySide> {
  for (const server of servers) await autocannon({ ...load(server), amount: options.warmUp });
  const result: SideBySide = { ratios: [], costs: [[], []] };
  for (let pair = 0; pair < options.pairs; pair++) {
    const us: [number, number] = [0, 0];
    // Which goes first alternates, so neither always follows the other.
    for (const index of pair % 2 === 0 ? [0, 1] : [1, 0]) {
      const server = servers[index]!;
      const before = preciseCpuSeconds(server.pid);
      const answered = await autocannon({ ...load(server), amount: options.burst });
      const after = preciseCpuSeconds(server.pid);
      if (before === undefined || after === undefined) throw new Error('side by side needs /proc/PID/task/*/schedstat (Linux)');
      if (answered.non2xx + answered.errors > 0) throw new Error(`a burst had ${answered.non2xx} non-2xx answers and ${answered.errors} errors`);
      us[index] = ((after - before) * 1e6) / options.burst;
      result.costs[index as 0 | 1].push(us[index]);
    }
    result.ratios.push(us[0] / us[1]);
    options.onPair?.(pair, us);
  }
  return result;
}

export function quantile(values: readonly number[], q: number): number {
  return [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;
}

/** The median pair ratio and quartiles, then the two servers' bursts compared at the low percentiles and in the mean. */
export function describeSideBySide(measured: SideBySide, names: [string, string], burst: number): string[] {
  const { ratios, costs } = measured;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const lines = [
    `${names[0]} ÷ ${names[1]} over ${ratios.length} pairs of ${burst}-request bursts: median ${quantile(ratios, 0.5).toFixed(3)} (quartiles ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)})`,
  ];
  // A busy host only ever adds time (a stalled CPU counts as running), so the cheaper bursts are the truer ones.
  for (const q of [0, 0.1, 0.25, 0.5]) {
    const [mine, theirs] = [quantile(costs[0], q), quantile(costs[1], q)];
    lines.push(`  ${q === 0 ? 'cheapest burst' : `${q * 100}th percentile`}: ${mine.toFixed(1)} against ${theirs.toFixed(1)} µs CPU/request, ratio ${(mine / theirs).toFixed(3)}`);
  }
  lines.push(`  mean: ${mean(costs[0]).toFixed(1)} against ${mean(costs[1]).toFixed(1)} µs CPU/request`);
  return lines;
}
