/**
 * In-process figures, printed as one JSON line: evaluation cost per request, load time,
 * memory, the longest event-loop pause during a reload, and cost against list size.
 * Run on its own (a fresh process) so memory figures are this ruleset's and nothing else's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { decide } from '../src/decide/index.js';
import { registration } from '../src/hooks/registration/index.js';
import { decisionLog, type DecisionLine } from '../src/observability/decisionLog.js';
import { createLogger } from '../src/observability/log.js';
import type { OktaHookRequest } from '../src/okta/types.js';
import type { CompiledRuleset } from '../src/ruleset/CompiledRuleset.js';
import { loadHookRuleset } from '../src/hooks/loadHookRuleset.js';
import { disposableDomains } from './domains.js';
import { generateLargeRuleset } from './generate.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { requestMix } from './requests.js';

export interface InProcessFigures {
  evalUs: { default: number; large: number };
  requestPathUs: { default: number; large: number };
  largeRules: number;
  listSize: number;
  loadMs: number;
  rssMb: { before: number; loaded: number };
  reload: { ms: number; longestPauseMs: number };
  /** One masked decision line written to /dev/null through the service's logger. */
  logLineUs: number;
  listScaling: Array<{ entries: number; evalUs: number }>;
}

async function load(dir: string): Promise<CompiledRuleset> {
  const result = await loadHookRuleset(dir);
  if (!result.ok) throw new Error(`bench ruleset invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result.ruleset;
}

/** Mean µs per call over the mix, after a warm-up. */
function timeUs(iterations: number, bodies: OktaHookRequest[], fn: (body: OktaHookRequest) => unknown): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(bodies[i % bodies.length]!);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn(bodies[i % bodies.length]!);
  return ((performance.now() - start) * 1000) / iterations;
}

const GIVEN = { kind: 'given', onRuleError: 'deny', decisionId: '00000000-0000-4000-8000-000000000000' } as const;
/** The decision and its answer (decide/, nothing to fetch), for a request already checked. */
const evalOnly = (ruleset: CompiledRuleset) => (body: OktaHookRequest) => decide(registration, body, ruleset, GIVEN);
/** What the hook route does per request besides HTTP: validate, decide, answer, serialise. */
const requestPath = (ruleset: CompiledRuleset) => (body: OktaHookRequest) => {
  const checked = registration.parse(body);
  if (!checked.ok) throw new Error('invalid bench request');
  return decide(registration, checked.value, ruleset, GIVEN);
};

/** Longest gap between 1 ms timer ticks while `work` runs: what a request in flight would wait. */
async function longestPause<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; longestPauseMs: number }> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  running = false;
  const now = performance.now();
  longest = Math.max(longest, now - last);
  return { result, ms, longestPauseMs: longest };
}

/** The decision line the hook writes for a request (decisionLog), to /dev/null. */
function logLineFigure(iterations: number, bodies: OktaHookRequest[]): number {
  const logDecision = decisionLog(createLogger('info', pino.destination({ dest: '/dev/null', sync: true })));
  const line = (body: OktaHookRequest): DecisionLine => ({
    event: 'decision',
    eventId: body.eventId,
    decisionId: '00000000-0000-4000-8000-000000000000',
    requestType: 'self.service.registration',
    decision: 'allow',
    decidedBy: { kind: 'rule', ruleId: 'allow-partner-domains' },
    matchedRules: ['allow-partner-domains', 'set-display-name', 'set-initials'],
    updatedAttributes: ['displayName', 'initials'],
    rulesetVersion: '0123456789ab',
    latencyMs: 0.123,
    subject: { login: 'rosario.jones@example.com', ip: '192.0.2.8' },
  });
  return timeUs(iterations, bodies, (body) => logDecision(line(body)));
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function inProcessFigures(options: { listSize: number; iterations: number; scaling: number[] }): Promise<InProcessFigures> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-bench-'));
  try {
    const bodies = requestMix().map((m) => m.body as OktaHookRequest);
    const defaults = await load(path.join(PACKAGE_ROOT, 'rules'));
    const largeDir = path.join(tmp, 'large');
    await generateLargeRuleset(largeDir, { listSize: options.listSize });

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const loadStart = performance.now();
    const large = await load(largeDir);
    const loadMs = performance.now() - loadStart;
    global.gc?.();
    const rssLoaded = process.memoryUsage().rss;

    const evalUs = { default: timeUs(options.iterations, bodies, evalOnly(defaults)), large: timeUs(options.iterations, bodies, evalOnly(large)) };
    const requestPathUs = {
      default: timeUs(options.iterations, bodies, requestPath(defaults)),
      large: timeUs(options.iterations, bodies, requestPath(large)),
    };

    const logLineUs = logLineFigure(options.iterations, bodies);

    // A reload while "requests" (timer ticks) are waiting: the pause they would see.
    const reload = await longestPause(() => load(largeDir));

    const listScaling: InProcessFigures['listScaling'] = [];
    for (const entries of options.scaling) {
      const dir = path.join(tmp, `scale-${entries}`);
      await generateLargeRuleset(dir, { listSize: entries });
      const ruleset = await load(dir);
      // The denied request's domain is the list's first entry at every size.
      const scaled = requestMix(disposableDomains(1)[0]).map((m) => m.body as OktaHookRequest);
      listScaling.push({ entries, evalUs: round(timeUs(options.iterations, scaled, evalOnly(ruleset))) });
    }

    return {
      evalUs: { default: round(evalUs.default), large: round(evalUs.large) },
      requestPathUs: { default: round(requestPathUs.default), large: round(requestPathUs.large) },
      largeRules: large.rules.length,
      listSize: options.listSize,
      loadMs: round(loadMs, 0),
      rssMb: { before: mb(rssBefore), loaded: mb(rssLoaded) },
      reload: { ms: round(reload.ms, 0), longestPauseMs: round(reload.longestPauseMs, 1) },
      logLineUs: round(logLineUs),
      listScaling,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// Run directly (by bench/run.ts, in a child process): print the figures as JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = JSON.parse(process.argv[2] ?? '{}') as Partial<{ listSize: number; iterations: number; scaling: number[] }>;
  const figures = await inProcessFigures({
    listSize: args.listSize ?? 100_000,
    iterations: args.iterations ?? 20_000,
    scaling: args.scaling ?? [10, 200_000],
  });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
