import { LATE, within, type StageDeadline, type Staged } from '../core/stage.js';
import type { RequestContext } from '../engine/RequestContext.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { FactSources, LookupOutcome } from './FactSources.js';
import { maskFactValue } from './maskFactValue.js';
import type { CompiledFact, FactTrace, LookupResult, ResolvedFacts } from './types.js';

export { DEFAULT_FACTS_DEADLINE_MS } from './deadline.js';

export interface ResolveOptions {
  /** The request's deadline (FACTS_DEADLINE_MS from its start): facts still pending then fail as `deadline`. */
  deadline: StageDeadline;
  /** Show fetched values unmasked in the trace (only for facts marked `reveal: true` otherwise). */
  reveal?: boolean;
  /**
   * What `trace` holds: every fact, with its value masked (default: `hook-rules eval`, the
   * preview page, rule tests), or only the failed facts ('failures': all the hook route's log
   * reads, without masking every fetched value on every request).
   */
  trace?: 'all' | 'failures';
}

const NOTHING: ResolvedFacts = Object.freeze({ values: Object.freeze({}), failures: Object.freeze({}), trace: Object.freeze([]) }) as unknown as ResolvedFacts;

/**
 * The facts stage (core/stage.ts's contract), in front of the engine: fetches the facts the
 * rules applying to the request's type read (ruleset.factsFor), all at once; each has its own
 * timeout and the whole stage ends by the deadline whatever the sources do. Never rejects: a
 * failure is a value in `failures`, named with its kind and the fact's onError, which the
 * engine applies to the rules reading it. `trace` says, per fact, where it came from, how long
 * it took, whether the cache answered, and the value (masked) or the failure. When the cache
 * answered every fact, the result comes back as it is, not in a promise.
 */
export function resolveFacts(ruleset: CompiledRuleset, context: RequestContext, sources: FactSources, options: ResolveOptions): Staged<ResolvedFacts> {
  const needed = ruleset.factsFor[context.type];
  if (needed.length === 0) return NOTHING;
  const answers = needed.map((fact) => resolveOne(fact, context.data, sources, options.deadline.at));
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
        trace.value = options.reveal || fact.reveal ? result.value : maskFactValue(result.value);
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
function resolveOne(fact: CompiledFact, data: object, sources: FactSources, deadlineAt: number): Outcome | Promise<Outcome> {
  const started = performance.now();
  const begun = sources.begin(fact, data);
  if ('answer' in begun) {
    const { result, cacheHit, source } = begun.answer;
    return { result, cacheHit, source, ms: performance.now() - started };
  }
  return fetchInTime(fact, sources.fetch(begun.pending), started, deadlineAt);
}

/** Whichever comes first: the answer, the fact's timeout, or the request's deadline. */
async function fetchInTime(fact: CompiledFact, lookup: Promise<LookupOutcome>, started: number, deadlineAt: number): Promise<Outcome> {
  const remaining = Math.max(0, deadlineAt - started);
  const byDeadline = remaining < fact.timeoutMs;
  const first = await within(lookup, byDeadline ? remaining : fact.timeoutMs);
  const ms = performance.now() - started;
  if (first === LATE) {
    const result: LookupResult = byDeadline
      ? { ok: false, kind: 'deadline', message: 'the request deadline (FACTS_DEADLINE_MS) passed first' }
      : { ok: false, kind: 'timeout', message: `no answer within ${fact.timeoutMs} ms` };
    return { result, cacheHit: false, source: sourceLabel(fact), ms };
  }
  return { result: first.result, cacheHit: first.cacheHit, source: first.source, ms };
}

/** Every fact the request needs, failed as `config`: for an app built without fact sources. */
export function unavailableFacts(ruleset: CompiledRuleset, context: RequestContext): ResolvedFacts {
  const needed = ruleset.factsFor[context.type];
  if (needed.length === 0) return NOTHING;
  const resolved: ResolvedFacts = { values: {}, failures: {}, trace: [] };
  for (const fact of needed) {
    const failure = { kind: 'config' as const, message: 'this app has no fact sources', onError: fact.onError };
    resolved.failures[fact.name] = failure;
    resolved.trace.push({ name: fact.name, source: sourceLabel(fact), ms: 0, cacheHit: false, failure });
  }
  return resolved;
}

function sourceLabel(fact: CompiledFact): string {
  return fact.sourceId;
}
