import { randomUUID } from 'node:crypto';
import type { Breaker } from '../core/breaker.js';
import { LATE, within, type StageDeadline, type Staged } from '../core/stage.js';
import type { RequestContext } from '../engine/RequestContext.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { keyText, maskKey, type KeyHasher } from './counterKey.js';
import type { CounterMetrics } from './counterMetrics.js';
import { StoreError, type CounterStore, type StoreFailureKind } from './CounterStore.js';
import type { CompiledCounter, CounterFailure, CounterInput, CounterOnError, CountWhat } from './types.js';

/** How long a `count: allowed` reservation holds its place if its process dies before deciding. */
export const HOLD_MS = 10_000;

/** One store operation's end, as the breaker and the stage see it: a value, or a failure of a named kind. */
export type StoreOutcome = { ok: true; value: number } | { ok: false; kind: StoreFailureKind | 'circuit open' };

/** Everything the stage needs besides the request: built once per process (counterRuntime.ts). */
export interface CounterRuntime {
  store: CounterStore;
  hasher: KeyHasher;
  breaker: Breaker<StoreOutcome>;
  /** All of a request's counter operations finish within this, or count as failed. */
  timeoutMs: number;
  metrics?: CounterMetrics;
  clock?: () => number;
}

/** One counter as a request saw it: for eval, the preview page and test reports. */
export interface CounterReading {
  name: string;
  count: CountWhat;
  /**
   * counted: this request was recorded (the hook); peeked: a request of this type is counted,
   * but nothing was recorded here and the value is what the hook would see (eval, the preview
   * page, rule tests); read: a rule for this type reads it, and this type is never counted.
   */
  use: 'counted' | 'peeked' | 'read';
  /** The key, masked (see maskKey); null: the key was null, nothing counted, rules see 0. */
  key: string | null;
  /** What the rules saw. */
  value: number;
  /** The store failed: why, and the counter's onError. */
  failed?: { reason: string; onError: CounterOnError };
  /** The value was given (a rule test, eval --counters), not read from a store. */
  given?: boolean;
}

export interface ResolvedCounters {
  input: CounterInput;
  readings: CounterReading[];
  /** After the decision: `count: allowed` reservations are confirmed (allow) or released. Never rejects. */
  commit(outcome: 'allow' | 'deny'): Promise<void>;
}

/** A value given by hand for a counter (rule tests, eval): a count, or a failure to simulate. */
export type GivenCounter = number | { error: string };

interface Planned {
  counter: CompiledCounter;
  counted: boolean;
  text: string | null;
  keyError?: string;
}

const NOTHING: ResolvedCounters = Object.freeze({ input: Object.freeze({ values: Object.freeze({}) }), readings: [], commit: async () => {} }) as ResolvedCounters;

/** The counters a request needs and their keys (keys are JSON-Logic over what conditions see). */
function plan(ruleset: CompiledRuleset, context: RequestContext): Planned[] {
  const uses = ruleset.countersFor[context.type];
  if (uses.length === 0) return [];
  return uses.map(({ counter, counted }) => {
    try {
      return { counter, counted, text: keyText(counter.key.run(context.data)) };
    } catch (error) {
      return { counter, counted, text: null, keyError: (error as Error).message };
    }
  });
}

export interface CounterStageOptions {
  /** count: record this request (the hook); peek: read without recording anything (eval, the preview page). */
  mode: 'count' | 'peek';
  /** The request's deadline, shared with the facts stage; STATE_TIMEOUT_MS bounds the counters' part too. */
  deadline: StageDeadline;
}

type Answered = number | { reason: string };

/**
 * The counters stage (core/stage.ts's contract): every counter the request needs is read (and
 * counted) in parallel, through the store's circuit breaker, all within the deadline; a
 * failure is a value, handled per counter by its onError. Answered at once, without a promise,
 * when no counter needs the store (none for this type, null keys, an open circuit).
 */
export function resolveCounters(ruleset: CompiledRuleset, context: RequestContext, runtime: CounterRuntime, options: CounterStageOptions): Staged<ResolvedCounters> {
  const planned = plan(ruleset, context);
  if (planned.length === 0) return NOTHING;
  const { store, hasher, breaker, metrics } = runtime;
  const now = (runtime.clock ?? Date.now)();
  const member = context.eventId || randomUUID();
  const until = Math.min(options.deadline.at, performance.now() + runtime.timeoutMs);
  const reservations: Array<{ counter: CompiledCounter; key: string }> = [];

  const failed = (counter: CompiledCounter, reason: string): Answered => {
    metrics?.failure(counter.name, reason);
    return { reason };
  };
  const answers = planned.map(({ counter, counted, text, keyError }): Answered | Promise<Answered> => {
    if (keyError !== undefined) return { reason: 'key error' };
    if (text === null) return 0;
    if (breaker.open) return failed(counter, 'circuit open');
    const key = hasher.storeKey(counter.name, text);
    const operation = options.mode === 'peek' || !counted ? 'peek' : counter.count === 'allowed' ? 'reserve' : 'hit';
    const call = (): Promise<number> =>
      operation === 'peek'
        ? store.peek(key, member, counter.windowMs, now, counted)
        : operation === 'hit'
          ? store.hit(key, member, counter.windowMs, now)
          : store.reserve(key, member, counter.windowMs, HOLD_MS, now).then(({ value, reserved }) => {
              if (reserved) reservations.push({ counter, key });
              return value;
            });
    return breaker
      .run(async (): Promise<StoreOutcome> => {
        const started = call();
        const result = await within(
          started.then(
            (value): StoreOutcome => ({ ok: true, value }),
            (error: unknown): StoreOutcome => ({ ok: false, kind: error instanceof StoreError ? error.kind : 'error' }),
          ),
          until - performance.now(),
        );
        if (result !== LATE) return result;
        // A reservation that lands after the deadline is released: this request was not counted.
        if (operation === 'reserve') void started.then(() => store.release(key, member).catch(() => {}), () => {});
        return { ok: false, kind: 'timeout' };
      })
      .then((outcome) => {
        if (!outcome.ok) return failed(counter, outcome.kind);
        metrics?.operation(counter.name, operation);
        return outcome.value;
      });
  });

  const collect = (outcomes: readonly Answered[]): ResolvedCounters => {
    const { input, readings } = readingsOf(planned, outcomes, options.mode === 'peek' ? 'peeked' : 'counted', () => undefined);
    return { input, readings, commit: (outcome) => settle(runtime, reservations, member, now, outcome) };
  };
  if (answers.some((answer) => answer instanceof Promise)) return Promise.all(answers).then(collect);
  return collect(answers as Answered[]);
}

/** Confirms (allow) or releases (deny) the request's `count: allowed` reservations. Never rejects. */
async function settle(runtime: CounterRuntime, reservations: ReadonlyArray<{ counter: CompiledCounter; key: string }>, member: string, now: number, outcome: 'allow' | 'deny'): Promise<void> {
  const { store, metrics } = runtime;
  await Promise.all(
    reservations.map(async ({ counter, key }) => {
      try {
        if (outcome === 'allow') await store.confirm(key, member, counter.windowMs, now);
        else await store.release(key, member);
        metrics?.operation(counter.name, outcome === 'allow' ? 'confirm' : 'release');
      } catch {
        // The reservation expires by itself (HOLD_MS); an allowed request is then not counted.
        metrics?.failure(counter.name, outcome === 'allow' ? 'confirm failed' : 'release failed');
      }
    }),
  );
}

/** Each counter's reading and what rules see, from each planned counter's value or failure. */
function readingsOf(
  planned: readonly Planned[],
  outcomes: readonly Answered[],
  counting: 'counted' | 'peeked',
  given: (name: string) => boolean | undefined,
): Omit<ResolvedCounters, 'commit'> {
  const values: Record<string, number> = {};
  const failed = new Map<string, CounterFailure>();
  const readings = planned.map(({ counter, counted, text }, i): CounterReading => {
    const outcome = outcomes[i]!;
    const use = counted ? counting : 'read';
    const reading: CounterReading = { name: counter.name, count: counter.count, use, key: text === null ? null : maskKey(text), value: 0 };
    if (typeof outcome === 'number') reading.value = outcome;
    else {
      reading.failed = { reason: outcome.reason, onError: counter.onError };
      if (counter.onError !== 'allow') failed.set(counter.name, { onError: counter.onError, reason: outcome.reason });
    }
    if (given(counter.name)) reading.given = true;
    values[counter.name] = reading.value;
    return reading;
  });
  return { input: failed.size > 0 ? { values, failed } : { values }, readings };
}

/**
 * The same stage with values given by hand (rule tests, `eval --counters`): a counter not
 * given reads as a fresh one would, 1 when this request is counted, else 0; a null key is 0.
 * Given counters the request does not need are ignored: the rules for its type do not read them.
 */
export function givenCounters(ruleset: CompiledRuleset, context: RequestContext, given: Readonly<Record<string, GivenCounter>> = {}): ResolvedCounters {
  const planned = plan(ruleset, context);
  if (planned.length === 0) return NOTHING;
  const outcomes = planned.map(({ counter, counted, text, keyError }): Answered => {
    const value = given[counter.name];
    if (typeof value === 'number') return value;
    if (value !== undefined) return { reason: value.error };
    if (keyError !== undefined) return { reason: 'key error' };
    return text !== null && counted ? 1 : 0;
  });
  // Given values are never recorded anywhere: a counted type is only peeked.
  const { input, readings } = readingsOf(planned, outcomes, 'peeked', (name) => given[name] !== undefined);
  return { input, readings, commit: async () => {} };
}
