import { unknownFact } from '../facts/givenFacts.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { Given } from './mode.js';

/** What is wrong with hand-written facts and counters for this ruleset (names it does not have); [] when nothing. */
export function givenProblems(ruleset: CompiledRuleset, given: Given): string[] {
  const problems: string[] = [];
  const fact = given.facts ? unknownFact(ruleset, given.facts) : undefined;
  if (fact) problems.push(fact);
  for (const name of Object.keys(given.counters ?? {})) {
    if (!ruleset.counters.has(name)) problems.push(`counters: no counter named "${name}" in the ruleset`);
  }
  return problems;
}
