/**
 * CPU time of a server process per request under load: the steadier figure on a noisy machine.
 * Usage: npm run build && node --import tsx bench/cpu.ts [variant ...]   (variants below; default all)
 * Variants: limit, duties, large, large-nolog, default, and the token rows' pair (bench/token.ts):
 * token (Okta's token request on /tokenHook) and same-rules (the registration request, the same
 * number of rules).
 * Env: ROUNDS (2), AMOUNT (20000 requests measured per row, after 5000 to warm up),
 * BASELINE_ROOT (another checkout, built: adds its server as base-large, base-default and base-token),
 * PAIRS (with BASELINE_ROOT: instead of rounds, each variant and its baseline run side by side,
 * measured in PAIRS pairs of alternating bursts of BURST requests, 3000 by default).
 * Prints each row as it is measured, then the minimum and median of each variant, and with
 * BASELINE_ROOT each variant's ratio to its baseline round by round (or pair by pair).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { PACKAGE_ROOT } from '../src/paths.js';
import { disposableDomains } from './domains.js';
import { generateLargeRuleset } from './generate.js';
import { requestMix } from './requests.js';
import { comparableMix } from './tokenRequests.js';
import { writeRegistrationRuleset, writeTokenRuleset } from './tokenRuleset.js';
import { cpuSeconds } from './servers/cpuTime.js';
import { hookLoad } from './servers/loadHook.js';
import { describeSideBySide, sideBySide } from './servers/sideBySide.js';
import { pinSelf, spawnServer, type RunningBenchServer } from './servers/spawnServer.js';

const SECRET = 'bench-secret-value';
const largeDir = await mkdtemp(path.join(os.tmpdir(), 'cpu-large-'));
await generateLargeRuleset(largeDir, { listSize: 100_000 });
// The token rows' rulesets (bench/tokenRuleset.ts): the same rules for each hook.
const [tokenDir, sameRulesDir] = [await mkdtemp(path.join(os.tmpdir(), 'cpu-token-')), await mkdtemp(path.join(os.tmpdir(), 'cpu-same-rules-'))];
await writeTokenRuleset(tokenDir, { listSize: 100_000 });
await writeRegistrationRuleset(sameRulesDir, { listSize: 100_000 });
const serve = [path.join(PACKAGE_ROOT, 'dist/cli/main.js'), 'serve'];
const base = { NODE_ENV: 'development', LOG_LEVEL: 'info', OKTA_HOOK_AUTH_HEADER: 'authorization', OKTA_HOOK_AUTH_SECRET: SECRET };
/** A server to measure; `route` and `bodies` when it is not loaded with the main mix on /registrationHook. */
interface Variant {
  args: string[];
  env: Record<string, string>;
  ready: string;
  route?: string;
  bodies?: string[];
}
const mixes = comparableMix(disposableDomains(100_000)[50_000]);
const tokenLoad = { route: '/tokenHook', bodies: mixes.token.map((m) => JSON.stringify(m.body)) };
const sameRulesLoad = { bodies: mixes.registration.map((m) => JSON.stringify(m.body)) };
const variants: Record<string, Variant> = {
  limit: { args: ['--import', 'tsx', path.join(PACKAGE_ROOT, 'bench/servers/limit.ts')], env: {}, ready: '/' },
  duties: { args: ['--import', 'tsx', path.join(PACKAGE_ROOT, 'bench/servers/limit.ts')], env: { LIMIT_DUTIES: '1', OKTA_HOOK_AUTH_SECRET: SECRET }, ready: '/' },
  large: { args: serve, env: { ...base, RULES_DIR: largeDir }, ready: '/healthz' },
  'large-nolog': { args: serve, env: { ...base, RULES_DIR: largeDir, LOG_LEVEL: 'warn' }, ready: '/healthz' },
  default: { args: serve, env: { ...base, RULES_DIR: path.join(PACKAGE_ROOT, 'rules') }, ready: '/healthz' },
  token: { args: serve, env: { ...base, RULES_DIR: tokenDir }, ready: '/healthz', ...tokenLoad },
  'same-rules': { args: serve, env: { ...base, RULES_DIR: sameRulesDir }, ready: '/healthz', ...sameRulesLoad },
};
// A variant named with "-prof" (large-prof) runs with a CPU profile written to $PROFILE_DIR (/tmp/prof).
// BASELINE_ROOT=<another checkout, built> adds base-large and base-default: old code back to back with new.
const baseline = process.env.BASELINE_ROOT;
if (baseline) {
  const baseServe = [path.join(baseline, 'dist/cli/main.js'), 'serve'];
  variants['base-large'] = { args: baseServe, env: { ...base, RULES_DIR: largeDir }, ready: '/healthz' };
  variants['base-default'] = { args: baseServe, env: { ...base, RULES_DIR: path.join(baseline, 'rules') }, ready: '/healthz' };
  variants['base-token'] = { args: baseServe, env: { ...base, RULES_DIR: tokenDir }, ready: '/healthz', ...tokenLoad };
}
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(variants);
const profileDir = process.env.PROFILE_DIR ?? '/tmp/prof';
const rounds = Number(process.env.ROUNDS ?? 2);
const amount = Number(process.env.AMOUNT ?? 20000);
pinSelf(); // the load generator on CPU 0; spawnServer pins each server to CPU 1

const results: Record<string, number[]> = {};
const bodies = requestMix().map((m) => JSON.stringify(m.body));
const loadOf = (url: string, variant: Variant) => hookLoad(url, (variant.bodies ?? bodies).map((body) => ({ body })), 10, { authorization: SECRET }, variant.route);

const pairs = Number(process.env.PAIRS ?? 0);
if (pairs > 0) {
  if (!baseline) throw new Error('PAIRS needs BASELINE_ROOT');
  for (const name of chosen.filter((chosenName) => variants[`base-${chosenName}`])) await sideBySideWithBase(name, pairs, Number(process.env.BURST ?? 3000));
  process.exit(0);
}

/** The variant `name` and its baseline, side by side (servers/sideBySide.ts). */
async function sideBySideWithBase(name: string, count: number, burst: number): Promise<void> {
  const [mine, theirs] = [variants[name]!, variants[`base-${name}`]!];
  const servers: [RunningBenchServer, RunningBenchServer] = [await spawnServer(mine.args, mine.env, mine.ready, true), await spawnServer(theirs.args, theirs.env, theirs.ready, true)];
  try {
    const measured = await sideBySide(servers, (server) => loadOf(server.url, server === servers[0] ? mine : theirs), {
      pairs: count,
      burst,
      warmUp: 5000,
      onPair: (pair, us) => console.log(`pair ${String(pair + 1).padStart(3)}  ${name} ${us[0].toFixed(1)}  base-${name} ${us[1].toFixed(1)} µs CPU/request  ratio ${(us[0] / us[1]).toFixed(3)}`),
    });
    for (const line of describeSideBySide(measured, [name, `base-${name}`], burst)) console.log(line);
  } finally {
    for (const server of servers) await server.stop();
  }
}

for (let round = 0; round < rounds; round++) {
  for (const name of chosen) {
    const profiled = name.endsWith('-prof');
    const known = variants[profiled ? name.slice(0, -'-prof'.length) : name];
    if (!known) throw new Error(`unknown variant ${name}: ${Object.keys(variants).join(', ')} (each also as NAME-prof)`);
    const args = profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...known.args] : known.args;
    const server = await spawnServer(args, known.env, known.ready, true);
    try {
      const load = loadOf(server.url, known);
      await autocannon({ ...load, amount: 5000 }); // warm-up
      const before = cpuSeconds(server.pid)!;
      const result = await autocannon({ ...load, amount });
      const us = ((cpuSeconds(server.pid)! - before) * 1e6) / amount;
      (results[name] ??= []).push(us);
      console.log(`${name.padEnd(14)} ${us.toFixed(0).padStart(5)} µs CPU/request  ${Math.round(result.requests.average)} req/s  non2xx=${result.non2xx} errors=${result.errors}`);
    } finally {
      await server.stop(); // SIGTERM: a profiled server writes its profile as it exits
    }
  }
}
for (const [name, values] of Object.entries(results)) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(`${name.padEnd(14)} min ${sorted[0]!.toFixed(0)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} µs CPU/request over ${values.length} rounds`);
}
// The machine's speed drifts between rounds: a variant is best read against its baseline of
// the same round (measured back to back), round by round.
for (const [name, values] of Object.entries(results)) {
  const base = results[`base-${name}`];
  if (!base) continue;
  const ratios = values.map((us, round) => us / base[round]!);
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`${name.padEnd(14)} ÷ base-${name}, round by round: ${ratios.map((r) => r.toFixed(2)).join(' ')}; median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}`);
}
process.exit(0);
