import { isDeepStrictEqual } from 'node:util';
import { givenCounters, type CounterReading } from '../counters/resolveCounters.js';
import type { Decision } from '../engine/Decision.js';
import { evaluate, type OnRuleError } from '../engine/evaluate.js';
import { givenFacts } from '../facts/givenFacts.js';
import type { ResolvedFacts } from '../facts/types.js';
import { toOktaResponse } from '../okta/toOktaResponse.js';
import type { RequestType } from '../okta/types.js';
import type { CompiledRule, CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { SourcePosition } from '../language/position.js';
import { observingExceptions, withListOverrides } from './listOverrides.js';
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
  /** List overrides (`except`) that never excused a value in any case. */
  unexercisedExceptions: Array<{ list: string; except: string }>;
  exceptionCount: number;
  /** Defaults a rule file sets that decided no case. */
  unexercisedDefaults: Array<{ requestType: RequestType; at: SourcePosition }>;
  defaultCount: number;
  /** Percent of rules, list overrides and set defaults exercised (100 when there are none). */
  coverage: number;
}

/**
 * Runs every case against the ruleset, as the service would decide it (with the case's list
 * overrides, if any), and measures coverage: each enabled rule (its condition was true in some
 * case), each list override (`except` excused a value in some case) and each default a rule
 * file sets (it decided some case).
 */
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
  const excused = new Set<string>();
  const decidedDefaults = new Set<RequestType>();
  const observe = (rules: CompiledRuleset) => observingExceptions(rules, (list, except) => excused.add(`${list}\0${except}`));
  const plain = observe(ruleset);
  const results = cases.map((testCase): CaseResult => {
    if (testCase.skip) return { case: testCase, status: 'skipped', failures: [] };
    if ('problem' in testCase.request) return { case: testCase, status: 'failed', failures: [`request: ${testCase.request.problem}`] };
    const unknown = Object.keys(testCase.counters ?? {}).filter((name) => !ruleset.counters.has(name));
    if (unknown.length > 0) return { case: testCase, status: 'failed', failures: unknown.map((name) => `counters: no counter named "${name}" in the ruleset`) };
    let rules = plain;
    if (testCase.lists) {
      const overridden = withListOverrides(ruleset, testCase.lists);
      if (!overridden.ok) return { case: testCase, status: 'failed', failures: [overridden.problem] };
      rules = observe(overridden.ruleset);
    }
    const facts = options.liveFacts?.get(testCase) ?? givenFacts(rules, testCase.request, testCase.facts ?? {});
    if ('problem' in facts) return { case: testCase, status: 'failed', failures: [facts.problem] };
    const counters = ruleset.counters.size > 0 ? givenCounters(rules, testCase.request, testCase.counters) : undefined;
    const decision = evaluate(rules, testCase.request, { onRuleError: options.onRuleError ?? 'deny', explain: true, facts, ...(counters ? { counters: counters.input } : {}) });
    for (const id of decision.matchedRuleIds) exercised.add(id);
    if (decision.decidedBy.kind === 'default') decidedDefaults.add(decision.requestType);
    const failures = compare(testCase.expect, decision);
    return { case: testCase, status: failures.length === 0 ? 'passed' : 'failed', failures, decision, ...(counters ? { counters: counters.readings } : {}) };
  });
  const unexercised = ruleset.rules.filter((rule) => !exercised.has(rule.id));
  const exceptions = [...ruleset.lists.values()].flatMap((list) => list.except.map((other) => ({ list: list.name, except: other.name })));
  const unexercisedExceptions = exceptions.filter(({ list, except }) => !excused.has(`${list}\0${except}`));
  const defaults = Object.entries(ruleset.defaultSources)
    .map(([requestType, at]) => ({ requestType: requestType as RequestType, at: at! }))
    .filter(({ requestType }) => defaultReachable(ruleset, requestType));
  const unexercisedDefaults = defaults.filter(({ requestType }) => !decidedDefaults.has(requestType));
  const ruleCount = ruleset.rules.length;
  const total = ruleCount + exceptions.length + defaults.length;
  const missed = unexercised.length + unexercisedExceptions.length + unexercisedDefaults.length;
  return {
    results,
    passed: results.filter((r) => r.status === 'passed').length,
    failed: results.filter((r) => r.status === 'failed').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    unexercised,
    ruleCount,
    unexercisedExceptions,
    exceptionCount: exceptions.length,
    unexercisedDefaults,
    defaultCount: defaults.length,
    coverage: total === 0 ? 100 : Math.round(((total - missed) / total) * 1000) / 10,
  };
}

/**
 * Whether a request of this type can reach the default: not when an enabled rule whose condition
 * is the literal true allows or denies (as a rule that echoes every progressive profile does).
 * A default no request can reach is left out of coverage rather than counted as missed.
 */
function defaultReachable(ruleset: CompiledRuleset, type: RequestType): boolean {
  return !ruleset.rulesFor[type].some((rule) => rule.when.logic === true && (rule.allow || rule.deny !== undefined));
}

export function decidedByText(decision: Decision): string {
  const { kind, ruleId } = decision.decidedBy;
  return kind === 'rule' ? ruleId! : kind === 'default' ? 'default' : ruleId ? `error:${ruleId}` : 'error';
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
  const matched = expect.matchedRules;
  if (Array.isArray(matched)) {
    const want = [...matched].sort();
    const got = [...decision.matchedRuleIds].sort();
    if (!isDeepStrictEqual(want, got)) failures.push(`matchedRules: expected ${show(want)}, got ${show(decision.matchedRuleIds)}`);
  } else if (matched) {
    const missing = (matched.includes ?? []).filter((id) => !decision.matchedRuleIds.includes(id));
    const unwanted = (matched.excludes ?? []).filter((id) => decision.matchedRuleIds.includes(id));
    if (missing.length) failures.push(`matchedRules.includes: ${show(missing)} did not match; matched ${show(decision.matchedRuleIds)}`);
    if (unwanted.length) failures.push(`matchedRules.excludes: ${show(unwanted)} matched`);
  }
  return failures;
}
