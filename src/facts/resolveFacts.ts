import { buildFacts, type RequestContext } from '../engine/facts.js';
import { maskPii } from '../observability/maskPii.js';
import { detectRequestType } from '../okta/requestType.js';
import type { OktaHookRequest } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { FactSources, LookupOutcome } from './FactSources.js';
import { whenAborted } from './sources/Database.js';
import type { CompiledFact, FactTrace, LookupResult, ResolvedFacts } from './types.js';

export const DEFAULT_FACTS_DEADLINE_MS = 2000;

export interface ResolveOptions {
  /** FACTS_DEADLINE_MS: after this, facts still pending count as failed (kind deadline). */
  deadlineMs: number;
  /** Show fetched values unmasked in the trace (only for facts marked `reveal: true` otherwise). */
  reveal?: boolean;
  /** Aborting it (the server stopping) ends the stage at once: pending facts fail as unavailable. */
  signal?: AbortSignal;
  /**
   * What `trace` holds: every fact, with its value masked (default: `hook-rules eval`, the
   * preview page, rule tests), or only the failed facts ('failures': all the hook route's log
   * reads, without masking every fetched value on every request).
   */
  trace?: 'all' | 'failures';
  /** The request's type and data, when the caller built them already (the hook route builds them once for this stage and the engine). */
  context?: RequestContext;
}

/**
 * The facts stage, in front of the engine:
 *
 *   Okta request ─validate─▶ resolveFacts (parallel, one deadline) ─▶ evaluate(ruleset, request, { facts }) (synchronous, pure)
 *
 * Fetches the facts the rules applying to the request's type read (ruleset.factsFor), all at
 * once; each has its own timeout and the whole stage ends by `deadlineMs` whatever the
 * sources do. Never rejects: a failure is a value in `failures`, named with its kind and
 * the fact's onError, which the engine applies to the rules reading it. `trace` says, per fact,
 * where it came from, how long it took, whether the cache answered, and the value (masked)
 * or the failure. When the cache answered every fact, the result comes back as it is, not in
 * a promise, so the hook answers without waiting a turn of the event loop.
 *
 * Another stage (counters) plugs in the same way: take the ruleset, the request
 * and its context, return values by name plus failures, never throw, respect the deadline.
 */
export function resolveFacts(ruleset: CompiledRuleset, request: OktaHookRequest, sources: FactSources, options: ResolveOptions): ResolvedFacts | Promise<ResolvedFacts> {
  const type = options.context?.type ?? detectRequestType(request).type;
  const needed = ruleset.factsFor[type];
  if (needed.length === 0) return { values: {}, failures: {}, trace: [] };
  const data = options.context?.facts ?? buildFacts(request, type);
  const deadlineAt = performance.now() + options.deadlineMs;
  const answers = needed.map((fact) => resolveOne(fact, data, sources, deadlineAt, options.signal));
  // Cache hits are answered already: when every fact was, so is the stage (no promise to wait on).
  if (answers.some((answer) => answer instanceof Promise)) return Promise.all(answers).then((outcomes) => collect(needed, outcomes, sources, options));
  return collect(needed, answers as Outcome[], sources, options);
}

function collect(needed: readonly CompiledFact[], outcomes: readonly Outcome[], sources: FactSources, options: ResolveOptions): ResolvedFacts {
  const resolved: ResolvedFacts = { values: {}, failures: {}, trace: [] };
  const traceValues = options.trace !== 'failures';
  for (let i = 0; i < needed.length; i++) {
    const fact = needed[i]!;
    const outcome = outcomes[i]!;
    const { result } = outcome;
    if (result.ok) {
      resolved.values[fact.name] = result.value;
      if (traceValues) {
        const trace = traceOf(fact, outcome);
        trace.value = options.reveal || fact.reveal ? result.value : maskPii(result.value);
        resolved.trace.push(trace);
      }
    } else {
      const failure = { kind: result.kind, message: result.message, onError: fact.onError };
      resolved.failures[fact.name] = failure;
      const trace = traceOf(fact, outcome);
      trace.failure = failure;
      resolved.trace.push(trace);
    }
    sources.metrics?.observe(fact.name, outcome.ms, outcome.cacheHit, result.ok ? undefined : result.kind);
  }
  return resolved;
}

interface Outcome extends LookupOutcome {
  ms: number;
}

function traceOf(fact: CompiledFact, outcome: Outcome): FactTrace {
  return { name: fact.name, source: outcome.source, ms: Math.round(outcome.ms * 10) / 10, cacheHit: outcome.cacheHit };
}

/**
 * One fact: answered at once when the cache has it (no timer, no race), otherwise fetched
 * within its timeout and the request's deadline.
 */
function resolveOne(fact: CompiledFact, context: object, sources: FactSources, deadlineAt: number, signal?: AbortSignal): Outcome | Promise<Outcome> {
  const started = performance.now();
  const begun = sources.begin(fact, context);
  if ('answer' in begun) {
    const { result, cacheHit, source } = begun.answer;
    return { result, cacheHit, source, ms: performance.now() - started };
  }
  return fetchInTime(fact, sources.fetch(begun.pending), started, deadlineAt, signal);
}

/** Whichever comes first: the answer, the fact's timeout, the request's deadline, or the server stopping. */
async function fetchInTime(fact: CompiledFact, lookup: Promise<LookupOutcome>, started: number, deadlineAt: number, signal?: AbortSignal): Promise<Outcome> {
  const remaining = Math.max(0, deadlineAt - started);
  const byDeadline = remaining < fact.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), byDeadline ? remaining : fact.timeoutMs)));
  const stopped = signal ? whenAborted(signal).then(() => 'stopped' as const) : undefined;
  const first = await Promise.race(stopped ? [lookup, late, stopped] : [lookup, late]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  if (first === 'stopped') return { result: { ok: false, kind: 'unavailable', message: 'the lookup was cancelled' }, cacheHit: false, source: sourceLabel(fact), ms };
  if (first === 'late') {
    const result: LookupResult = byDeadline
      ? { ok: false, kind: 'deadline', message: 'the request deadline (FACTS_DEADLINE_MS) passed first' }
      : { ok: false, kind: 'timeout', message: `no answer within ${fact.timeoutMs} ms` };
    return { result, cacheHit: false, source: sourceLabel(fact), ms };
  }
  return { result: first.result, cacheHit: first.cacheHit, source: first.source, ms };
}

/** Every fact the request needs, failed as `config`: for an app built without fact sources. */
export function unavailableFacts(ruleset: CompiledRuleset, request: OktaHookRequest): ResolvedFacts {
  const resolved: ResolvedFacts = { values: {}, failures: {}, trace: [] };
  for (const fact of ruleset.factsFor[detectRequestType(request).type]) {
    const failure = { kind: 'config' as const, message: 'this app has no fact sources', onError: fact.onError };
    resolved.failures[fact.name] = failure;
    resolved.trace.push({ name: fact.name, source: sourceLabel(fact), ms: 0, cacheHit: false, failure });
  }
  return resolved;
}

function sourceLabel(fact: CompiledFact): string {
  return fact.lookup.kind === 'sql' ? `sql:${fact.lookup.database}` : 'http';
}
