/**
 * Sums a V8 CPU profile (`node --cpu-prof`, e.g. from `bench/cpu.ts large-prof`) by module and
 * by function, as self time per request: how docs/performance.md's profile tables were read.
 * Usage: node --import tsx bench/profileSummary.ts FILE.cpuprofile REQUESTS [TOP=40]
 * REQUESTS is every request the process answered (bench/cpu.ts: 5,000 warm-up + AMOUNT).
 */
import { readFileSync } from 'node:fs';

interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

const [file, requestsArg, topArg = '40'] = process.argv.slice(2);
if (!file || !requestsArg) throw new Error('usage: profileSummary.ts FILE.cpuprofile REQUESTS [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const requests = Number(requestsArg);

const selfTime = new Map<number, number>(); // node id → µs
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

const byFunction = new Map<string, number>();
const byModule = new Map<string, number>();
let total = 0;
for (const [id, us] of selfTime) {
  total += us;
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const where = url.replace(/^file:\/\/.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/(dist|src|bench)\//, '$1/');
  const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  // A package (scoped or not), a Node module, one of our files, or V8's own entries ((idle), (garbage collector)…)
  const module = where.startsWith('nm/')
    ? where.split('/').slice(1, where.startsWith('nm/@') ? 3 : 2).join('/')
    : where.startsWith('node:')
      ? where.split('/')[0]!
      : where || functionName;
  byModule.set(module, (byModule.get(module) ?? 0) + us);
}

const top = (map: Map<string, number>, count: number) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, us]) => `${(us / requests).toFixed(1).padStart(8)}  ${name}`);
console.log(`total ${(total / requests).toFixed(1)} µs per request (profiled, idle included)\n\nby module, µs per request:`);
console.log(top(byModule, 25).join('\n'));
console.log('\nby function (self time), µs per request:');
console.log(top(byFunction, Number(topArg)).join('\n'));
