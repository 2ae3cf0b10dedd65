/**
 * The facts rows of `npm run bench`: the same member check decided from the request alone
 * (no facts), and from a SQL fact against a real PostgreSQL server started here (cached;
 * uncached; uncached at a fixed 500 req/s; and with the server stalled by SIGSTOP, where every
 * answer must come within FACTS_DEADLINE_MS); then the cached and no-facts servers side by side
 * (servers/sideBySide.ts), which the cache-hit target reads. `node --import tsx bench/facts.ts`
 * runs these rows alone.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { hookLoad, loadHook, type LoadFigures } from './servers/loadHook.js';
import { describeSideBySide, quantile, sideBySide, type SideBySide } from './servers/sideBySide.js';
import { spawnServer, type RunningBenchServer } from './servers/spawnServer.js';

export interface FactsRow extends LoadFigures {
  name: string;
}

export interface FactsBenchOptions {
  duration: number;
  connections: number;
  pin: boolean;
  /** The no-facts and cached servers side by side, in this many pairs of alternating bursts (40; 0: not at all). */
  pairs?: number;
}

export interface FactsResult {
  rows: FactsRow[];
  /** Cached ÷ no facts, side by side (servers/sideBySide.ts): what the cache-hit target reads. */
  cacheHit?: SideBySide;
}

const BURST = 3000;

const MEMBERS = 200;
const DEADLINE_MS = 800;

const RULES = (fact: string) => `facts:
  member:
    sql: SELECT plan, status FROM members WHERE member_number = $1 AND birth_date = $2::date
    params: [{ var: profile.memberNumber }, { var: profile.birthDate }]
    database: MEMBERS_DB
    timeout: 300ms
${fact}rules:
  - id: members-only
    description: only active members
    appliesTo: [self.service.registration]
    when: { "!=": [{ var: facts.member.status }, active] }
    then: { deny: { message: members only } }
  - id: copy-plan
    description: plan to the profile
    appliesTo: [self.service.registration]
    when: { "==": [{ var: facts.member.status }, active] }
    then: { allow: true, update: { plan: { var: facts.member.plan } } }
`;

/** The same decisions from the request alone: the baseline a cache hit is compared with. */
const NO_FACT_RULES = `rules:
  - id: members-only
    description: only active members
    appliesTo: [self.service.registration]
    when: { "!": { in: [{ var: profile.memberNumber }, [${Array.from({ length: MEMBERS }, (_, i) => `"m${i}"`).join(', ')}]] } }
    then: { deny: { message: members only } }
  - id: copy-plan
    description: plan to the profile
    appliesTo: [self.service.registration]
    when: { in: [{ var: profile.memberNumber }, [${Array.from({ length: MEMBERS }, (_, i) => `"m${i}"`).join(', ')}]] }
    then: { allow: true, update: { plan: gold } }
`;

function body(i: number): string {
  return JSON.stringify({
    eventType: 'com.okta.user.pre-registration',
    requestType: 'self.service.registration',
    data: { userProfile: { email: `m${i}@example.com`, login: `m${i}@example.com`, memberNumber: `m${i}`, birthDate: '1990-04-01' } },
  });
}

export async function runFactsBench(options: FactsBenchOptions, progress: (line: string) => void = () => {}): Promise<FactsResult> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-bench-facts-'));
  progress('facts: starting PostgreSQL');
  const db = await startPostgres();
  try {
    await db.sql(`CREATE TABLE members (member_number text PRIMARY KEY, birth_date date NOT NULL, plan text NOT NULL, status text NOT NULL);
      INSERT INTO members SELECT 'm' || i, '1990-04-01', 'gold', 'active' FROM generate_series(0, ${MEMBERS - 1}) AS i;`);
    const dirs = { none: path.join(tmp, 'none'), cached: path.join(tmp, 'cached'), uncached: path.join(tmp, 'uncached') };
    for (const [name, text] of [
      ['none', NO_FACT_RULES],
      ['cached', RULES('    cache: 5m\n')],
      ['uncached', RULES('')],
    ] as const) {
      await mkdir(dirs[name], { recursive: true });
      await writeFile(path.join(dirs[name], 'rules.yaml'), text);
    }
    // Cached: a few members asked again and again (Okta's retries, bursts). Uncached: all 200.
    const few = Array.from({ length: 10 }, (_, i) => ({ body: body(i) }));
    const many = Array.from({ length: MEMBERS }, (_, i) => ({ body: body(i) }));
    const rows: FactsRow[] = [];
    const serve = (dir: string) =>
      spawnServer(
        [path.join(PACKAGE_ROOT, 'dist/cli/main.js'), 'serve'],
        { RULES_DIR: dir, MEMBERS_DB: db.url, FACTS_DEADLINE_MS: String(DEADLINE_MS), LOG_LEVEL: 'info' },
        '/readyz',
        options.pin,
      );
    const row = async (name: string, dir: string, requests: Array<{ body: string }>, extra: { overallRate?: number; during?: (pid: number | undefined) => () => void } = {}): Promise<FactsRow> => {
      progress(`facts: ${name}`);
      const server = await serve(dir);
      try {
        return { name, ...(await loadHook(server, { requests, connections: options.connections, duration: options.duration, ...extra })) };
      } finally {
        await server.stop();
      }
    };
    rows.push(await row('member check, no facts (the same decisions from the request)', dirs.none, few));
    rows.push(await row('SQL fact, cached (10 members, cache hits)', dirs.cached, few));
    // The cache-hit target is a ratio of those two, and the machine drifts between rows: it is
    // read from the two servers side by side.
    let cacheHit: SideBySide | undefined;
    if ((options.pairs ?? 40) > 0) {
      progress('facts: SQL fact cached and no facts, side by side');
      const servers: [RunningBenchServer, RunningBenchServer] = [await serve(dirs.cached), await serve(dirs.none)];
      try {
        cacheHit = await sideBySide(servers, (server) => hookLoad(server.url, few, options.connections), { pairs: options.pairs ?? 40, burst: BURST, warmUp: 5000 });
      } finally {
        for (const server of servers) await server.stop();
      }
    }
    rows.push(await row(`SQL fact, uncached (${MEMBERS} members, a query each)`, dirs.uncached, many));
    rows.push(await row('SQL fact, uncached, at a fixed 500 req/s', dirs.uncached, many, { overallRate: 500 }));
    rows.push(await row(`SQL fact, database stalled (SIGSTOP), FACTS_DEADLINE_MS=${DEADLINE_MS}, 100 req/s`, dirs.uncached, many, {
      overallRate: 100,
      during: () => {
        db.pause();
        return () => db.resume();
      },
    }));
    return { rows, ...(cacheHit ? { cacheHit } : {}) };
  } finally {
    await db.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

export function formatFactsRows({ rows, cacheHit }: FactsResult, options: FactsBenchOptions): string {
  const base = rows[0];
  const cached = rows[1];
  const uncachedAt500 = rows[3];
  const stalled = rows[4];
  const lines = [
    `Facts: a real PostgreSQL server on loopback, autocannon ${options.connections} connections, ${options.duration} s per row.`,
    '',
    '| server | req/s | p50 ms | p99 ms | max ms | server CPU µs/request | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.requestsPerSecond.toLocaleString('en')} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.cpuUsPerRequest ?? 'n/a'} | ${r.errors} |`),
  ];
  if (cacheHit) lines.push('', 'The cached and no-facts servers side by side (one loaded at a time, alternating bursts):', ...describeSideBySide(cacheHit, ['SQL fact, cached', 'no facts'], BURST));
  lines.push('', 'Targets (facts):');
  const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)} %`;
  if (cacheHit) {
    // Side by side: the rows above, one server after the other, drift apart with the machine.
    const ratio = quantile(cacheHit.ratios, 0.5);
    lines.push(`- a cache hit costs under 10 % more CPU per request than no facts: ${percent(ratio)}, median of ${cacheHit.ratios.length} pairs side by side (${ratio < 1.1 ? 'met' : 'NOT met'})`);
  } else if (base?.cpuUsPerRequest && cached?.cpuUsPerRequest) {
    const ratio = cached.cpuUsPerRequest / base.cpuUsPerRequest;
    lines.push(`- a cache hit costs under 10 % more CPU per request than no facts: ${percent(ratio)} (${ratio < 1.1 ? 'met' : 'NOT met'})`);
  }
  if (uncachedAt500) lines.push(`- p99 under 50 ms uncached at 500 req/s: ${uncachedAt500.p99Ms} ms at ${uncachedAt500.requestsPerSecond} req/s (${uncachedAt500.p99Ms < 50 ? 'met' : 'NOT met'})`);
  if (stalled) lines.push(`- every answer within the deadline when the database stalls: slowest ${stalled.maxMs} ms against ${DEADLINE_MS} ms (${stalled.maxMs <= DEADLINE_MS + 50 ? 'met' : 'NOT met'}), ${stalled.errors} errors`);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const options = { duration: Number(process.env.BENCH_DURATION ?? 5), connections: 10, pin: false };
  const result = await runFactsBench(options, (line) => process.stderr.write(`bench: ${line}\n`));
  process.stdout.write(`${formatFactsRows(result, options)}\n`);
}
