import { randomUUID } from 'node:crypto';
import type { Staged } from '../core/stage.js';
import type { CounterReading } from '../counters/resolveCounters.js';
import type { Decision } from '../engine/Decision.js';
import { evaluate } from '../engine/evaluate.js';
import type { RequestContext } from '../engine/RequestContext.js';
import type { FactTrace } from '../facts/types.js';
import type { HookAnswer, HookType } from '../hooks/HookType.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { DecideMode } from './mode.js';
import { runStages, type StageResults } from './stages.js';

/** One request decided: what Okta receives, and why. */
export interface Decided<Answer extends HookAnswer = HookAnswer> {
  readonly decisionId: string;
  readonly context: RequestContext;
  /** The decision as the rules made it, before the answer's limits. */
  readonly evaluated: Decision;
  /** What Okta receives (already checked against its limits), and the decision it carries. */
  readonly answer: Answer;
  /** The facts as obtained: each failure always; every fact (values masked unless revealed) when explaining. Empty without facts. */
  readonly facts: readonly FactTrace[];
  /** Each counter the request read or counted (masked key, value, failure). Empty without counters. */
  readonly counters: readonly CounterReading[];
}

/**
 * The one decision pipeline, for the hook, the preview page, `hook-rules eval` and rule tests
 * alike: the request's context built once, the facts and counters stages in front (as the
 * mode says), the synchronous engine, then the hook type's answer, checked against Okta's
 * limits. In live mode, `count: allowed` reservations are settled by the outcome sent. Answered
 * at once, without a promise, when the stages were (no facts or counters, cache hits, given
 * values). Never rejects for a source's failure: those are values the rules' onError decide.
 */
export function decide<Request, Answer extends HookAnswer>(
  hook: HookType<Request, Answer>,
  request: Request,
  ruleset: CompiledRuleset,
  mode: DecideMode,
): Staged<Decided<Answer>> {
  const context = hook.context(request);
  const stages = runStages(ruleset, context, mode);
  return stages instanceof Promise ? stages.then((found) => finish(hook, request, ruleset, mode, context, found)) : finish(hook, request, ruleset, mode, context, stages);
}

function finish<Request, Answer extends HookAnswer>(
  hook: HookType<Request, Answer>,
  request: Request,
  ruleset: CompiledRuleset,
  mode: DecideMode,
  context: RequestContext,
  { facts, counters }: StageResults,
): Decided<Answer> {
  const evaluated = evaluate(ruleset, context, {
    onRuleError: mode.onRuleError,
    explain: mode.explain === true,
    // Without an explanation, the trace holds only the rules that threw: all the log reads.
    trace: mode.explain ? 'all' : 'errors',
    ...(facts ? { facts } : {}),
    ...(counters ? { counters: counters.input } : {}),
  });
  const decisionId = mode.decisionId ?? randomUUID();
  const answer = hook.answer(evaluated, request, { decisionId, onRuleError: mode.onRuleError });
  if (mode.kind === 'live' && counters) {
    void counters.commit(answer.decision.outcome);
    mode.sources.counters?.metrics?.decision(answer.decision, ruleset);
  }
  return { decisionId, context, evaluated, answer, facts: facts?.trace ?? [], counters: counters?.readings ?? [] };
}
