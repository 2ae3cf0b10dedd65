import { randomUUID } from 'node:crypto';
import { buildFacts } from '../engine/facts.js';
import { detectRequestType } from '../okta/requestType.js';
import type { OktaHookRequest } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { CircuitBreaker } from './breaker.js';
import { keyText, maskKey, type KeyHasher } from './counterKey.js';
import type { CounterMetrics } from './counterMetrics.js';
import type { CounterStore } from './CounterStore.js';
import type { CompiledCounter, CounterFailure, CounterInput, CounterOnError, CountWhat } from './types.js';

/** How long a `count: allowed` reservation holds its place if its process dies before deciding. */
export const HOLD_MS = 10_000;

/** Everything the stage needs besides the request: built once per process (counterRuntime.ts). */
export interface CounterRuntime {
  store: CounterStore;
  hasher: KeyHasher;
  breaker: CircuitBreaker;
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

/** The counters a request needs and their keys (keys are JSON-Logic over the request's facts). */
function plan(ruleset: CompiledRuleset, request: OktaHookRequest): Planned[] {
  const { type } = detectRequestType(request);
  const uses = ruleset.countersFor[type];
  if (uses.length === 0) return [];
  const facts = buildFacts(request, type);
  return uses.map(({ counter, counted }) => {
    try {
      return { counter, counted, text: keyText(counter.key.run(facts)) };
    } catch (error) {
      return { counter, counted, text: null, keyError: (error as Error).message };
    }
  });
}

const TIMEOUT = Symbol('timeout');

/**
 * The counters stage, in front of the synchronous engine: every counter the request needs is
 * read (and counted) in parallel, all within one deadline; a failure is a value, handled per
 * counter by its onError. mode 'peek' reads without recording anything (eval, preview page).
 */
export async function resolveCounters(
  ruleset: CompiledRuleset,
  request: OktaHookRequest,
  runtime: CounterRuntime,
  mode: 'count' | 'peek' = 'count',
  /** The request's whole deadline (FACTS_DEADLINE_MS): counters finish within it and STATE_TIMEOUT_MS. */
  deadlineMs = runtime.timeoutMs,
): Promise<ResolvedCounters> {
  const planned = plan(ruleset, request);
  if (planned.length === 0) return { input: { values: {} }, readings: [], commit: async () => {} };
  const { store, hasher, breaker, metrics } = runtime;
  const now = (runtime.clock ?? Date.now)();
  const member = typeof request.eventId === 'string' && request.eventId !== '' ? request.eventId : randomUUID();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(resolve, Math.min(runtime.timeoutMs, deadlineMs), TIMEOUT)));
  const reservations: Array<{ counter: CompiledCounter; key: string }> = [];

  const outcomes = await Promise.all(
    planned.map(async ({ counter, counted, text, keyError }): Promise<number | { reason: string }> => {
      if (keyError !== undefined) return { reason: 'key error' };
      if (text === null) return 0;
      if (!breaker.allow()) {
        metrics?.failure(counter.name, 'circuit open');
        return { reason: 'circuit open' };
      }
      const key = hasher.storeKey(counter.name, text);
      const operation = mode === 'peek' || !counted ? 'peek' : counter.count === 'allowed' ? 'reserve' : 'hit';
      const call: Promise<number> =
        operation === 'peek'
          ? store.peek(key, member, counter.windowMs, now, counted)
          : operation === 'hit'
            ? store.hit(key, member, counter.windowMs, now)
            : store.reserve(key, member, counter.windowMs, HOLD_MS, now).then(({ value, reserved }) => {
                if (reserved) reservations.push({ counter, key });
                return value;
              });
      const result = await Promise.race([call.then((value) => ({ value }), (error: Error) => ({ error })), deadline]);
      if (result === TIMEOUT) {
        breaker.failure();
        metrics?.failure(counter.name, 'timeout');
        // A reservation that lands after the deadline is released: this request was not counted.
        if (operation === 'reserve') void call.then(() => release(store, key, member), () => {});
        return { reason: 'timeout' };
      }
      if ('error' in result) {
        breaker.failure();
        const message = result.error.message;
        const reason = /timed out/i.test(message) ? 'timeout' : /writeable|connection|closed|ECONN/i.test(message) ? 'unavailable' : 'error';
        metrics?.failure(counter.name, reason);
        return { reason };
      }
      breaker.success();
      metrics?.operation(counter.name, operation);
      return result.value;
    }),
  );
  clearTimeout(timer);

  const values: Record<string, number> = {};
  const failed = new Map<string, CounterFailure>();
  const readings = planned.map(({ counter, counted, text }, i): CounterReading => {
    const outcome = outcomes[i]!;
    const use = !counted ? 'read' : mode === 'peek' ? 'peeked' : 'counted';
    const reading: CounterReading = { name: counter.name, count: counter.count, use, key: text === null ? null : maskKey(text), value: 0 };
    if (typeof outcome === 'number') reading.value = outcome;
    else {
      reading.failed = { reason: outcome.reason, onError: counter.onError };
      if (counter.onError !== 'allow') failed.set(counter.name, { onError: counter.onError, reason: outcome.reason });
    }
    values[counter.name] = reading.value;
    return reading;
  });

  return {
    input: failed.size > 0 ? { values, failed } : { values },
    readings,
    commit: async (outcome) => {
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
    },
  };
}

function release(store: CounterStore, key: string, member: string): Promise<void> {
  return store.release(key, member).catch(() => {});
}

/**
 * The same stage with values given by hand (rule tests, `eval --counters`): a counter not
 * given reads as a fresh one would, 1 when this request is counted, else 0; a null key is 0.
 */
export function givenCounters(ruleset: CompiledRuleset, request: OktaHookRequest, given: Readonly<Record<string, GivenCounter>> = {}): Omit<ResolvedCounters, 'commit'> {
  const values: Record<string, number> = {};
  const failed = new Map<string, CounterFailure>();
  const readings = plan(ruleset, request).map(({ counter, counted, text, keyError }): CounterReading => {
    // Given values are never recorded anywhere: a counted type is only peeked.
    const reading: CounterReading = { name: counter.name, count: counter.count, use: counted ? 'peeked' : 'read', key: text === null ? null : maskKey(text), value: 0 };
    const value = given[counter.name];
    if (typeof value === 'number') {
      reading.value = value;
      reading.given = true;
    } else if (value !== undefined || keyError !== undefined) {
      const reason = value !== undefined ? value.error : 'key error';
      reading.failed = { reason, onError: counter.onError };
      if (value !== undefined) reading.given = true;
      if (counter.onError !== 'allow') failed.set(counter.name, { onError: counter.onError, reason });
    } else if (text !== null) {
      reading.value = counted ? 1 : 0;
    }
    values[counter.name] = reading.value;
    return reading;
  });
  // Given counters the request does not need are ignored: the rules for its type do not read them.
  return { input: failed.size > 0 ? { values, failed } : { values }, readings };
}
