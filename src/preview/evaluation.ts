import { withoutComputedValues } from '../engine/Decision.js';
import type { Decided } from '../decide/index.js';
import type { HookAnswer } from '../hooks/HookType.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { relativeToRules } from './rulesetState.js';

/**
 * The body of POST /preview/api/evaluate for any hook type: the request, the answer Okta would
 * get, the decision and every rule considered (with its description and file), the facts and
 * counters read. The decision goes without its trace (given apart) and without the values a
 * token rule computed: those the answer sends are in the response, and the others (a claim for a
 * token the request does not mint) reach no one, so the page does not show them either.
 */
export function evaluation<Request>(request: Request, decided: Decided<HookAnswer>, ruleset: CompiledRuleset): Record<string, unknown> {
  const { answer } = decided;
  const { trace, ...decision } = withoutComputedValues(answer.decision);
  const descriptions = new Map(ruleset.rules.map((rule) => [rule.id, rule.description]));
  return {
    request,
    response: answer.response,
    ...(answer.tooLarge ? { answerTooLarge: answer.tooLarge } : {}),
    decision,
    trace: trace.map((entry) => ({
      ...entry,
      description: descriptions.get(entry.id),
      source: { ...entry.source, file: relativeToRules(ruleset.dir, entry.source.file) },
    })),
    ...(ruleset.facts.size > 0 ? { facts: decided.facts } : {}),
    rulesetVersion: ruleset.version,
    ...(ruleset.counters.size > 0 ? { counters: decided.counters } : {}),
  };
}
