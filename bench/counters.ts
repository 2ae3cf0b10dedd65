/**
 * The counters rows of `npm run bench`, on a real redis-server started here: the cost of one
 * counter in the stage itself (resolveCounters and the commit after the decision, one request
 * at a time, in process), and the service answering with the same limit rule without a
 * counter, with one `count: attempts` counter and with one `count: allowed` counter on Redis.
 * `node --import tsx bench/counters.ts` runs these rows alone.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCounterRuntime } from '../src/counters/counterRuntime.js';
import { decide } from '../src/decide/index.js';
import { registration } from '../src/hooks/registration/index.js';
import { stateConfigFromEnv } from '../src/counters/stateConfig.js';
import { loadHookRuleset } from '../src/hooks/loadHookRuleset.js';
import type { OktaHookRequest } from '../src/okta/types.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { startRedis } from '../test/helpers/redis.js';
import { loadHook, type LoadFigures } from './servers/loadHook.js';
import { spawnServer } from './servers/spawnServer.js';

export interface CountersBenchOptions {
  duration: number;
  connections: number;
  pin: boolean;
}

export interface StageFigures {
  count: 'attempts' | 'allowed';
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export interface CountersRow extends LoadFigures {
  name: string;
}

const rules = (count: 'attempts' | 'allowed' | undefined) => `${
  count
    ? `counters:
  signupsPerIp:
    key: { var: ipAddress }
    window: 10m
    count: ${count}
`
    : ''
}rules:
  - id: too-many-from-one-ip
    description: the limit rule (without a counter it reads a constant)
    appliesTo: [self.service.registration]
    when: { ">": [${count ? '{ var: counters.signupsPerIp }' : 0}, 100000] }
    then: { deny: { message: Too many sign-ups from your network. } }
`;

const IPS = 5_000;
function request(i: number): OktaHookRequest {
  return {
    eventId: `bench-${i}-${Math.random()}`,
    requestType: 'self.service.registration',
    data: { context: { request: { ipAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }, userProfile: { email: `u${i}@example.com` } },
  } as OktaHookRequest;
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 1000) / 1000;
}

export async function runCountersBench(options: CountersBenchOptions, progress: (line: string) => void = () => {}): Promise<{ stage: StageFigures[]; rows: CountersRow[] }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-bench-counters-'));
  progress('counters: starting redis-server');
  const redis = await startRedis();
  try {
    const dirs: Record<string, string> = {};
    for (const variant of ['none', 'attempts', 'allowed'] as const) {
      dirs[variant] = path.join(tmp, variant);
      await mkdir(dirs[variant]!, { recursive: true });
      await writeFile(path.join(dirs[variant]!, 'rules.yaml'), rules(variant === 'none' ? undefined : variant));
    }

    // The stage alone: what one counter adds to a request, one request at a time.
    const stage: StageFigures[] = [];
    for (const count of ['attempts', 'allowed'] as const) {
      progress(`counters: the stage, count ${count}`);
      const loaded = await loadHookRuleset(dirs[count]!);
      if (!loaded.ok) throw new Error('bench ruleset invalid');
      const runtime = await openCounterRuntime(stateConfigFromEnv({ STATE_URL: redis.url, STATE_KEY_SALT: 'bench-salt-0123456789', RULESET_NAME: `bench-${count}` }, false, []));
      await runtime.connected(5_000);
      const times: number[] = [];
      const n = 5_000;
      for (let i = 0; i < n + 500; i++) {
        const started = performance.now();
        // As the hook decides: the stage, the decision, and the reservation settled after it.
        const decided = await decide(registration, request(i % IPS), loaded.ruleset, { kind: 'live', sources: { counters: runtime, deadlineMs: 2_000 }, onRuleError: 'deny' });
        if (i >= 500) times.push(performance.now() - started); // the first 500 warm up
        if (decided.counters[0]?.failed) throw new Error(`counter failed: ${decided.counters[0].failed.reason}`);
      }
      await runtime.close();
      times.sort((a, b) => a - b);
      stage.push({ count, requests: n, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) });
    }

    const rows: CountersRow[] = [];
    const bodies = Array.from({ length: IPS }, (_, i) => ({ body: JSON.stringify({ ...request(i), eventId: undefined }) }));
    for (const [name, variant] of [
      ['the limit rule, no counter', 'none'],
      ['one counter on Redis, count attempts', 'attempts'],
      ['one counter on Redis, count allowed', 'allowed'],
    ] as const) {
      progress(`counters: ${name}`);
      const server = await spawnServer(
        [path.join(PACKAGE_ROOT, 'dist/cli/main.js'), 'serve'],
        { RULES_DIR: dirs[variant]!, STATE_URL: redis.url, STATE_KEY_SALT: 'bench-salt-0123456789', RULESET_NAME: `bench-http-${variant}`, LOG_LEVEL: 'info' },
        '/readyz',
        options.pin,
      );
      try {
        rows.push({ name, ...(await loadHook(server, { requests: bodies, connections: options.connections, duration: options.duration })) });
      } finally {
        await server.stop();
      }
    }
    return { stage, rows };
  } finally {
    await redis.remove();
    await rm(tmp, { recursive: true, force: true });
  }
}

export function formatCountersRows(result: { stage: StageFigures[]; rows: CountersRow[] }, options: CountersBenchOptions): string {
  const lines = [
    `Counters: a real redis-server on loopback. The stage alone: ${result.stage[0]?.requests ?? 0} requests one at a time, each read-and-count plus the commit after the decision.`,
    '',
    '| one counter, the stage alone | p50 ms | p99 ms |',
    '|---|---:|---:|',
    ...result.stage.map((s) => `| count ${s.count} | ${s.p50Ms} | ${s.p99Ms} |`),
    '',
    `The service, autocannon ${options.connections} connections, ${options.duration} s per row, ${IPS.toLocaleString('en')} IP addresses:`,
    '',
    '| server | req/s | p50 ms | p99 ms | server CPU µs/request | errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.rows.map((r) => `| ${r.name} | ${r.requestsPerSecond.toLocaleString('en')} | ${r.p50Ms} | ${r.p99Ms} | ${r.cpuUsPerRequest ?? 'n/a'} | ${r.errors} |`),
    '',
    'Targets (counters):',
  ];
  for (const s of result.stage) lines.push(`- a counter costs under 0.5 ms p50 (count ${s.count}): ${s.p50Ms} ms (${s.p50Ms < 0.5 ? 'met' : 'NOT met'})`);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const options = { duration: Number(process.env.BENCH_DURATION ?? 5), connections: 10, pin: false };
  const result = await runCountersBench(options, (line) => process.stderr.write(`bench: ${line}\n`));
  process.stdout.write(`${formatCountersRows(result, options)}\n`);
}
