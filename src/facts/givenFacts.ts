import type { RequestContext } from '../engine/RequestContext.js';
import type { Json } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { FAILURE_KINDS, type FailureKind, type ResolvedFacts } from './types.js';

/**
 * Facts written by hand (a rule test's `facts:`), as the resolve stage would have given them:
 * a value by name, or `{ error: KIND }` for a failed lookup. A fact the request's rules read
 * and the case leaves out reads as null (no row). Names no fact has are the caller's to refuse
 * (unknownFacts), before deciding.
 */
export function givenFacts(ruleset: CompiledRuleset, context: RequestContext, given: Readonly<Record<string, Json>>): ResolvedFacts {
  const resolved: ResolvedFacts = { values: {}, failures: {}, trace: [] };
  for (const fact of ruleset.factsFor[context.type]) {
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

/** A problem naming the first given fact the ruleset does not have, in the words the CLI and test reports show. */
export function unknownFact(ruleset: CompiledRuleset, given: Readonly<Record<string, Json>>): string | undefined {
  for (const name of Object.keys(given)) {
    if (!ruleset.facts.has(name)) return `facts: "${name}" is not a fact of this ruleset${ruleset.facts.size ? ` (facts: ${[...ruleset.facts.keys()].join(', ')})` : ''}`;
  }
  return undefined;
}

/** `{ error: timeout }` (the object's only key) is a failure; an unknown kind counts as `error`. */
function failureKind(value: Json): FailureKind | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'error' || typeof value.error !== 'string') return undefined;
  return (FAILURE_KINDS as readonly string[]).includes(value.error) ? (value.error as FailureKind) : 'error';
}
