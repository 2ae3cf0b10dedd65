import { isDeepStrictEqual } from 'node:util';
import { givenCounters, type CounterReading } from '../../counters/resolveCounters.js';
import type { Decision } from '../../engine/Decision.js';
import { evaluate, type OnRuleError } from '../../engine/evaluate.js';
import { givenFacts } from '../../facts/givenFacts.js';
import type { ResolvedFacts } from '../../facts/types.js';
import { toOktaResponse } from '../../okta/toOktaResponse.js';
import type { CompiledRule, CompiledRuleset } from '../CompiledRuleset.js';
import type { Expectation, LoadedCase } from './types.js';

export interface CaseResult {
  case: LoadedCase;
  status: 'passed' | 'failed' | 'skipped';
  /** Each way the answer differs from the expectation, in words. */
  failures: string[];
  decision?: Decision;
  /** Each counter the case's request read: key (masked) and value. */
  counters?: CounterReading[];
}

export interface SuiteRun {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Enabled rules no case matched: a rule is exercised when its condition was true in some case. */
  unexercised: CompiledRule[];
  ruleCount: number;
  /** Percent of enabled rules exercised (100 when there are none). */
  coverage: number;
}

/** Runs every case against the ruleset, as the service would decide it, and measures rule coverage. */
export function runSuites(
  ruleset: CompiledRuleset,
  cases: LoadedCase[],
  options: {
    onRuleError?: OnRuleError;
    /** Facts fetched from the real sources per case (`hook-rules test --live`), instead of the cases' own. */
    liveFacts?: ReadonlyMap<LoadedCase, ResolvedFacts>;
  } = {},
): SuiteRun {
  const exercised = new Set<string>();
  const results = cases.map((testCase): CaseResult => {
    if (testCase.skip) return { case: testCase, status: 'skipped', failures: [] };
    if ('problem' in testCase.request) return { case: testCase, status: 'failed', failures: [`request: ${testCase.request.problem}`] };
    const unknown = Object.keys(testCase.counters ?? {}).filter((name) => !ruleset.counters.has(name));
    if (unknown.length > 0) return { case: testCase, status: 'failed', failures: unknown.map((name) => `counters: no counter named "${name}" in the ruleset`) };
    const facts = options.liveFacts?.get(testCase) ?? givenFacts(ruleset, testCase.request, testCase.facts ?? {});
    if ('problem' in facts) return { case: testCase, status: 'failed', failures: [facts.problem] };
    const counters = ruleset.counters.size > 0 ? givenCounters(ruleset, testCase.request, testCase.counters) : undefined;
    const decision = evaluate(ruleset, testCase.request, { onRuleError: options.onRuleError ?? 'deny', explain: true, facts, ...(counters ? { counters: counters.input } : {}) });
    for (const id of decision.matchedRuleIds) exercised.add(id);
    const failures = compare(testCase.expect, decision);
    return { case: testCase, status: failures.length === 0 ? 'passed' : 'failed', failures, decision, ...(counters ? { counters: counters.readings } : {}) };
  });
  const unexercised = ruleset.rules.filter((rule) => !exercised.has(rule.id));
  const ruleCount = ruleset.rules.length;
  return {
    results,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    unexercised,
    ruleCount,
    coverage: ruleCount === 0 ? 100 : Math.round(((ruleCount - unexercised.length) / ruleCount) * 1000) / 10,
  };
}

export function decidedByText(decision: Decision): string {
  const { kind, ruleId } = decision.decidedBy;
  return kind === 'rule' ? ruleId! : kind === 'default' ? 'default' : `error:${ruleId}`;
}

function compare(expect: Expectation, decision: Decision): string[] {
  const failures: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  const response = toOktaResponse(decision, { decisionId: 'test' });
  if (decision.outcome !== expect.decision) failures.push(`decision: expected ${expect.decision}, got ${decision.outcome}`);
  if (expect.decidedBy !== undefined && decidedByText(decision) !== expect.decidedBy) {
    failures.push(`decidedBy: expected ${expect.decidedBy}, got ${decidedByText(decision)}`);
  }
  if (expect.message !== undefined && response.error?.errorSummary !== expect.message) {
    failures.push(`message: expected ${show(expect.message)}, got ${response.error ? show(response.error.errorSummary) : 'none (allowed)'}`);
  }
  if (expect.internalReason !== undefined && decision.deny?.internalReason !== expect.internalReason) {
    failures.push(`internalReason: expected ${show(expect.internalReason)}, got ${show(decision.deny?.internalReason ?? null)}`);
  }
  if (expect.causes !== undefined) {
    const actual = (response.error?.errorCauses ?? []).map((c) => ({ message: c.errorSummary, location: c.location, reason: c.reason }));
    if (actual.length !== expect.causes.length) {
      failures.push(`causes: expected ${expect.causes.length}, got ${actual.length}: ${show(actual)}`);
    } else {
      expect.causes.forEach((wanted, i) => {
        for (const [field, value] of Object.entries(wanted)) {
          const got = actual[i]![field as keyof (typeof actual)[number]];
          if (got !== value) failures.push(`causes[${i}].${field}: expected ${show(value)}, got ${show(got ?? null)}`);
        }
      });
    }
  }
  if (expect.updates !== undefined && !isDeepStrictEqual(decision.updates, expect.updates)) {
    failures.push(`updates: expected ${show(expect.updates)}, got ${show(decision.updates)}`);
  }
  if (expect.matchedRules !== undefined) {
    const want = [...expect.matchedRules].sort();
    const got = [...decision.matchedRuleIds].sort();
    if (!isDeepStrictEqual(want, got)) failures.push(`matchedRules: expected ${show(want)}, got ${show(decision.matchedRuleIds)}`);
  }
  return failures;
}
