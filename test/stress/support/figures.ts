import { writeFileSync } from 'node:fs';
import { SCALE, tally } from '../../hostile/support/budget.js';
import type { LoadReport } from './load.js';

/** What the stress run measured, printed at the end and optionally written as JSON. */
const loads = new Map<string, LoadReport>();
const notes = new Map<string, string>();

export function recordLoad(label: string, report: LoadReport): void {
  loads.set(label, report);
}

export function recordNote(label: string, value: string): void {
  notes.set(label, value);
}

export function printFigures(): void {
  const inputs = [...tally().entries()];
  const total = inputs.reduce((sum, [, n]) => sum + n, 0);
  const lines = ['', `== stress figures (HOSTILE_SCALE=${SCALE}) ==`, '', `inputs tried by the property tests: ${total}`];
  for (const [label, n] of inputs) lines.push(`  ${String(n).padStart(8)}  ${label}`);
  for (const [label, r] of loads) {
    lines.push('', `load: ${label}`);
    lines.push(`  requests served ${r.answered} in ${r.seconds.toFixed(1)} s (${r.perSecond}/s), failures ${r.failed}${r.tolerated ? `, tolerated ${r.tolerated}` : ''}`);
    lines.push(`  by status ${JSON.stringify(r.byStatus)}; latency ms p50 ${r.latencyMs.p50}, p99 ${r.latencyMs.p99}, max ${r.latencyMs.max}`);
    for (const failure of r.failures) lines.push(`  FAILED ${failure}`);
  }
  if (notes.size > 0) lines.push('');
  for (const [label, value] of notes) lines.push(`${label}: ${value}`);
  console.log(lines.join('\n'));
  if (process.env.STRESS_REPORT) {
    writeFileSync(process.env.STRESS_REPORT, JSON.stringify({ scale: SCALE, inputs: Object.fromEntries(inputs), inputsTotal: total, loads: Object.fromEntries(loads), notes: Object.fromEntries(notes) }, null, 2));
  }
}
