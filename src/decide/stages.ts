import { deadlineIn, type Staged } from '../core/stage.js';
import { givenCounters, resolveCounters, type ResolvedCounters } from '../counters/resolveCounters.js';
import type { RequestContext } from '../engine/RequestContext.js';
import { givenFacts } from '../facts/givenFacts.js';
import { resolveFacts, unavailableFacts } from '../facts/resolveFacts.js';
import type { ResolvedFacts } from '../facts/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { DecideMode } from './mode.js';

/** What the stages found for one request: each is left out when the ruleset has none. */
export interface StageResults {
  facts?: ResolvedFacts | undefined;
  counters?: ResolvedCounters | undefined;
}

/**
 * Runs the facts and counters stages side by side, within one deadline, as the mode says.
 * Answered at once when both were (no facts or counters, cache hits, given values).
 */
export function runStages(ruleset: CompiledRuleset, context: RequestContext, mode: DecideMode): Staged<StageResults> {
  const hasFacts = ruleset.factsFor[context.type].length > 0;
  const hasCounters = ruleset.counters.size > 0;
  if (!hasFacts && !hasCounters) return {};
  const deadline = mode.kind === 'given' ? undefined : deadlineIn(mode.sources.deadlineMs);
  const facts = hasFacts ? factsStage(ruleset, context, mode, deadline) : undefined;
  const counters = hasCounters ? countersStage(ruleset, context, mode, deadline) : undefined;
  if (facts instanceof Promise || counters instanceof Promise) return Promise.all([facts, counters]).then(([f, c]) => ({ facts: f, counters: c }));
  return { facts, counters };
}

function factsStage(ruleset: CompiledRuleset, context: RequestContext, mode: DecideMode, deadline: ReturnType<typeof deadlineIn> | undefined): Staged<ResolvedFacts> {
  if (mode.kind === 'given') return givenFacts(ruleset, context, mode.given?.facts ?? {});
  const sources = mode.sources.facts;
  const given = mode.kind === 'peek' ? mode.given?.facts : undefined;
  if (!sources) return given ? givenFacts(ruleset, context, given) : unavailableFacts(ruleset, context);
  // The hook's log reads only the failed facts: no trace entry (nor masked value) for the others.
  const fetched = resolveFacts(ruleset, context, sources, { deadline: deadline!, trace: mode.explain ? 'all' : 'failures', reveal: mode.reveal === true });
  if (!given) return fetched;
  return fetched instanceof Promise ? fetched.then((found) => keepGivenFailures(found, givenFacts(ruleset, context, given))) : keepGivenFailures(fetched, givenFacts(ruleset, context, given));
}

/** Fetched facts, with the failures a case gives kept over what the source answered. */
function keepGivenFailures(fetched: ResolvedFacts, given: ResolvedFacts): ResolvedFacts {
  const failed = Object.keys(given.failures);
  if (failed.length === 0) return fetched;
  const values = { ...fetched.values };
  for (const name of failed) delete values[name];
  const trace = fetched.trace.map((entry) => (Object.hasOwn(given.failures, entry.name) ? given.trace.find((g) => g.name === entry.name)! : entry));
  return { values, failures: { ...fetched.failures, ...given.failures }, trace };
}

function countersStage(ruleset: CompiledRuleset, context: RequestContext, mode: DecideMode, deadline: ReturnType<typeof deadlineIn> | undefined): Staged<ResolvedCounters> | undefined {
  if (mode.kind === 'given') return givenCounters(ruleset, context, mode.given?.counters);
  const runtime = mode.sources.counters;
  if (mode.kind === 'live') return runtime ? resolveCounters(ruleset, context, runtime, { mode: 'count', deadline: deadline! }) : undefined;
  const given = mode.given?.counters;
  if (given || !runtime) return givenCounters(ruleset, context, given);
  return resolveCounters(ruleset, context, runtime, { mode: 'peek', deadline: deadline! });
}
