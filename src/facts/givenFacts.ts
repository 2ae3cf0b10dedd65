import type { Json } from '../okta/types.js';
import { detectRequestType } from '../okta/requestType.js';
import type { OktaHookRequest } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { FAILURE_KINDS, type FailureKind, type ResolvedFacts } from './types.js';

/**
 * Facts written by hand (a rule test's `facts:`), as the resolve stage would have given them:
 * a value by name, or `{ error: KIND }` for a failed lookup. A fact the request's rules read
 * and the case leaves out reads as null (no row). Returns a problem for a name no fact has.
 */
export function givenFacts(ruleset: CompiledRuleset, request: OktaHookRequest, given: Record<string, Json>): ResolvedFacts | { problem: string } {
  const resolved: ResolvedFacts = { values: {}, failures: {}, trace: [] };
  for (const name of Object.keys(given)) {
    if (!ruleset.facts.has(name)) return { problem: `facts: "${name}" is not a fact of this ruleset${ruleset.facts.size ? ` (facts: ${[...ruleset.facts.keys()].join(', ')})` : ''}` };
  }
  for (const fact of ruleset.factsFor[detectRequestType(request).type]) {
    const value = Object.hasOwn(given, fact.name) ? given[fact.name]! : null;
    const kind = failureKind(value);
    if (kind) {
      const failure = { kind, message: 'given by the test', onError: fact.onError };
      resolved.failures[fact.name] = failure;
      resolved.trace.push({ name: fact.name, source: 'given', ms: 0, cacheHit: false, failure });
    } else {
      resolved.values[fact.name] = value;
      resolved.trace.push({ name: fact.name, source: 'given', ms: 0, cacheHit: false, value });
    }
  }
  return resolved;
}

/** `{ error: timeout }` (the object's only key) is a failure; an unknown kind counts as `error`. */
function failureKind(value: Json): FailureKind | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'error' || typeof value.error !== 'string') return undefined;
  return (FAILURE_KINDS as readonly string[]).includes(value.error) ? (value.error as FailureKind) : 'error';
}
