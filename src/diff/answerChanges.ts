import { isDeepStrictEqual } from 'node:util';
import type { Decision } from '../engine/Decision.js';
import { toOktaResponse } from '../hooks/registration/toOktaResponse.js';
import type { TokenHookResponse } from '../hooks/token/types.js';
import type { JsonObject, OktaErrorCause } from '../okta/types.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { decidedByText, runSuites, type CaseResult } from '../suites/runSuites.js';
import type { LoadedCase } from '../suites/types.js';
import { tokenPatches, type PatchOperation } from './tokenPatches.js';

/** A request both rulesets decide: a suite's case (with its given facts and counters) or one of --requests. */
export interface DiffRequest {
  /** How the report names it: `registration.test.yaml › a partner may register`, `requests.jsonl:3`. */
  name: string;
  case: LoadedCase;
}

/** What Okta would be told, in the terms a reviewer compares. */
export interface Answer {
  decision: 'ALLOW' | 'DENY';
  decidedBy: string;
  updates: JsonObject;
  /** Token requests only: every operation sent, in the order sent (values included, as updates' are). */
  patches?: PatchOperation[];
  message?: string;
  causes?: OktaErrorCause[];
}

export type AnswerField = keyof Answer;

export interface AnswerChange {
  name: string;
  /** The fields that differ, in the order of Answer. */
  fields: AnswerField[];
  before: Answer;
  after: Answer;
}

export interface AnswerChanges {
  /** Requests decided by both rulesets. */
  compared: number;
  changes: AnswerChange[];
  /** Requests one ruleset could not decide (a suite case whose request is invalid, …), and why. */
  notCompared: Array<{ name: string; problem: string }>;
}

const FIELDS: readonly AnswerField[] = ['decision', 'decidedBy', 'updates', 'patches', 'message', 'causes'];

/**
 * Decides every request with both rulesets, through the rule tests' own path (runSuites: the
 * cases' given facts and counters, never a live source), and keeps those whose answer differs.
 */
export function answerChanges(before: CompiledRuleset, after: CompiledRuleset, requests: readonly DiffRequest[]): AnswerChanges {
  const live = requests.filter((request) => !request.case.skip);
  const decide = (ruleset: CompiledRuleset) => runSuites(ruleset, live.map((request) => fitted(request.case, ruleset))).results;
  const old = decide(before);
  const now = decide(after);
  const changes: AnswerChange[] = [];
  const notCompared: AnswerChanges['notCompared'] = [];
  live.forEach((request, i) => {
    const a = old[i]!;
    const b = now[i]!;
    if (!a.decision || !b.decision) {
      const problem = [...(a.decision ? [] : a.failures.map((f) => `before: ${f}`)), ...(b.decision ? [] : b.failures.map((f) => `after: ${f}`))].join('; ');
      notCompared.push({ name: request.name, problem });
      return;
    }
    const x = answerOf(request.case, a);
    const y = answerOf(request.case, b);
    const fields = FIELDS.filter((field) => !isDeepStrictEqual(x[field], y[field]));
    if (fields.length > 0) changes.push({ name: request.name, fields, before: x, after: y });
  });
  return { compared: live.length - notCompared.length, changes, notCompared };
}

function answerOf(testCase: LoadedCase, result: CaseResult): Answer {
  const decision = result.decision!;
  if (testCase.hook === 'token') {
    // What the token hook sends: its error's summary (no causes), or its patches.
    const response = (result.response ?? {}) as TokenHookResponse;
    return {
      decision: decision.outcome === 'allow' ? 'ALLOW' : 'DENY',
      decidedBy: decidedByText(decision),
      updates: decision.updates,
      patches: tokenPatches(response),
      ...(response.error ? { message: response.error.errorSummary } : {}),
    };
  }
  return registrationAnswer(decision);
}

function registrationAnswer(decision: Decision): Answer {
  const response = toOktaResponse(decision, { decisionId: 'hook-rules-diff' });
  return {
    decision: decision.outcome === 'allow' ? 'ALLOW' : 'DENY',
    decidedBy: decidedByText(decision),
    updates: decision.updates,
    ...(response.error ? { message: response.error.errorSummary, causes: response.error.errorCauses } : {}),
  };
}

/**
 * The case as this ruleset can run it: facts, counters and list overrides it gives for names the
 * ruleset lacks (added or removed by the change) are left out, so a request still compares
 * rather than failing on a name only the other version knows.
 */
function fitted(testCase: LoadedCase, ruleset: CompiledRuleset): LoadedCase {
  const keep = <T>(given: Record<string, T> | undefined, known: ReadonlyMap<string, unknown>) =>
    given && Object.fromEntries(Object.entries(given).filter(([name]) => known.has(name)));
  const { lists, facts, counters, ...rest } = testCase;
  const fittedLists = keep(lists, ruleset.lists);
  const fittedFacts = keep(facts, ruleset.facts);
  const fittedCounters = keep(counters, ruleset.counters);
  return {
    ...rest,
    ...(fittedLists ? { lists: fittedLists } : {}),
    ...(fittedFacts ? { facts: fittedFacts } : {}),
    ...(fittedCounters ? { counters: fittedCounters } : {}),
  };
}
