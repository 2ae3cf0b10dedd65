import type { CompiledLogic } from '../engine/logic.js';
import type { Json, RequestType } from '../okta/types.js';
import type { SourcePosition } from '../language/position.js';

export type CountWhat = 'attempts' | 'allowed';
export type CounterOnError = 'deny' | 'allow' | 'skip';

/** A counter as written in a rule file's `counters` section (schemas/rules.schema.json). */
export interface CounterSpec {
  description?: string;
  key: Json;
  window: string;
  appliesTo?: RequestType[];
  count?: CountWhat;
  onError?: CounterOnError;
}

export interface CompiledCounter {
  readonly name: string;
  readonly key: CompiledLogic;
  readonly window: string;
  readonly windowMs: number;
  /** The request types counted (a rule for another type may read the counter without counting). */
  readonly appliesTo: ReadonlySet<RequestType>;
  readonly count: CountWhat;
  readonly onError: CounterOnError;
  readonly source: SourcePosition;
}

/** A counter one request type needs: counted (its type is in appliesTo), or only read by a rule. */
export interface CounterUse {
  readonly counter: CompiledCounter;
  readonly counted: boolean;
}

/** What evaluate is given: each counter's value, and the counters that failed with deny or skip. */
export interface CounterInput {
  readonly values: Readonly<Record<string, number>>;
  readonly failed?: ReadonlyMap<string, CounterFailure>;
}

export interface CounterFailure {
  readonly onError: CounterOnError;
  /** timeout, unavailable, circuit open, key error… never a key or a value. */
  readonly reason: string;
}
