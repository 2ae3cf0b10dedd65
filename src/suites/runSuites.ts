import { isDeepStrictEqual } from 'node:util';
import type { CounterReading } from '../counters/resolveCounters.js';
import { decide, givenProblems, type Decided, type DecideMode, type Sources } from '../decide/index.js';
import type { Decision } from '../engine/Decision.js';
import type { OnRuleError } from '../engine/evaluate.js';
import type { FactTrace } from '../facts/types.js';
import type { HookAnswer } from '../hooks/HookType.js';
import { registration } from '../hooks/registration/index.js';
import { token } from '../hooks/token/hook.js';
import type { TokenHookRequest, TokenHookResponse } from '../hooks/token/types.js';
import { tokenFailures } from './tokenExpectations.js';
import type { OktaHookRequest, OktaHookResponse, RequestType } from '../okta/types.js';
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
  /** The answer the service would send Okta, in the hook type's wire format (what `hook-rules diff` compares). */
  response?: object;
  /** Each counter the case's request read: key (masked) and value. */
  counters?: CounterReading[];
  /** Each fact the case's request read: given or fetched (`--live`, its value masked unless revealed), or failed and why. */
  facts?: FactTrace[];
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

export interface RunOptions {
  onRuleError?: OnRuleError;
  /** Facts fetched from these sources per case (`hook-rules test --live`), instead of the cases' own; a failure a case gives is kept. */
  live?: Sources;
}

/**
 * Runs every case against the ruleset, decided as the service would (decide/, with the case's
 * list overrides, if any) and answered as the service would answer, Okta's limits included;
 * and measures coverage: each enabled rule (its condition was true in some case), each list
 * override (`except` excused a value in some case) and each default a rule file sets (it
 * decided some case). With `live`, facts are fetched, case after case, so the run is a promise.
 */
export function runSuites(ruleset: CompiledRuleset, cases: LoadedCase[], options?: Omit<RunOptions, 'live'>): SuiteRun;
export function runSuites(ruleset: CompiledRuleset, cases: LoadedCase[], options: RunOptions & { live: Sources }): Promise<SuiteRun>;
export function runSuites(ruleset: CompiledRuleset, cases: LoadedCase[], options: RunOptions = {}): SuiteRun | Promise<SuiteRun> {
  const exercised = new Set<string>();
  const excused = new Set<string>();
  const decidedDefaults = new Set<RequestType>();
  const observe = (rules: CompiledRuleset) => observingExceptions(rules, (list, except) => excused.add(`${list}\0${except}`));
  const plain = observe(ruleset);
  const onRuleError = options.onRuleError ?? 'deny';

  const judge = (testCase: LoadedCase, decided: Decided<HookAnswer>): CaseResult => {
    const { evaluated, answer } = decided;
    for (const id of evaluated.matchedRuleIds) exercised.add(id);
    if (evaluated.decidedBy.kind === 'default') decidedDefaults.add(evaluated.requestType);
    const failures = testCase.hook === 'token' ? [...compare(testCase.expect, answer.decision, answer.response as OktaHookResponse), ...tokenFailures(testCase.expect, answer.response as TokenHookResponse)] : compare(testCase.expect, answer.decision, answer.response as OktaHookResponse);
    // Why the answer is not what the rules decided: Okta would have refused the rules' own.
    if (answer.tooLarge && failures.length > 0) failures.push(`answer: the rules' answer is ${answer.tooLarge.bytes} bytes, over Okta's limit (${answer.tooLarge.limit}); the service sends what is compared above`);
    const result: CaseResult = { case: testCase, status: failures.length === 0 ? 'passed' : 'failed', failures, decision: answer.decision, response: answer.response };
    if (ruleset.counters.size > 0) result.counters = [...decided.counters];
    if (decided.facts.length > 0) result.facts = [...decided.facts];
    return result;
  };
  const caseRun = (testCase: LoadedCase): CaseResult | Promise<CaseResult> => {
    if (testCase.skip) return { case: testCase, status: 'skipped', failures: [] };
    if ('problem' in testCase.request) return { case: testCase, status: 'failed', failures: [`request: ${testCase.request.problem}`] };
    const given = { facts: testCase.facts ?? {}, counters: testCase.counters ?? {} };
    const problems = givenProblems(ruleset, given);
    if (problems.length > 0) return { case: testCase, status: 'failed', failures: problems };
    let rules = plain;
    if (testCase.lists) {
      const overridden = withListOverrides(ruleset, testCase.lists);
      if (!overridden.ok) return { case: testCase, status: 'failed', failures: [overridden.problem] };
      rules = observe(overridden.ruleset);
    }
    const common = { onRuleError, explain: true } as const;
    const mode: DecideMode = options.live && ruleset.facts.size > 0 ? { kind: 'peek', sources: { ...options.live, counters: undefined }, given, ...common } : { kind: 'given', given, ...common };
    const decided = testCase.hook === 'token' ? decide(token, testCase.request as TokenHookRequest, rules, mode) : decide(registration, testCase.request as OktaHookRequest, rules, mode);
    return decided instanceof Promise ? decided.then((done) => judge(testCase, done)) : judge(testCase, decided);
  };

  if (options.live) {
    return (async () => {
      const results: CaseResult[] = [];
      for (const testCase of cases) results.push(await caseRun(testCase));
      return summary(ruleset, results, exercised, excused, decidedDefaults);
    })();
  }
  // Given facts and counters are answered at once: no case waits.
  return summary(ruleset, cases.map((testCase) => caseRun(testCase) as CaseResult), exercised, excused, decidedDefaults);
}

function summary(ruleset: CompiledRuleset, results: CaseResult[], exercised: ReadonlySet<string>, excused: ReadonlySet<string>, decidedDefaults: ReadonlySet<RequestType>): SuiteRun {
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

/** How the answer differs from the expectation: the decision and the response the service would send. */
function compare(expect: Expectation, decision: Decision, response: OktaHookResponse): string[] {
  const failures: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
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
