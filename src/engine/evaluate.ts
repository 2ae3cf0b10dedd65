import jsonLogic from 'json-logic-js';
import type { CounterInput } from '../counters/types.js';
import type { Json, JsonObject, RequestType } from '../okta/types.js';
import type { CompiledRule, CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { DenySpec } from '../rules/types.js';
import type { FactFailure, ResolvedFacts } from '../facts/types.js';
import { hiddenFacts, maskComputedValue, maskFactText, maskFactValue } from '../facts/maskFactValue.js';
import type { Decision, ExplainedPart, RuleOutcomeValues, RuleTrace } from './Decision.js';
import type { RequestContext } from './RequestContext.js';
import { compileLogic, truthy } from './logic.js';

export type OnRuleError = 'deny' | 'skip';

export interface EvaluateOptions {
  /** What a rule that throws does: deny (default, fail closed) or skip (treated as not matched). */
  onRuleError?: OnRuleError;
  /** Record what each condition saw and returned (for `hook-rules eval` and the preview page). */
  explain?: boolean;
  /**
   * What `trace` holds: every rule (default), or only the rules that threw ('errors': all the
   * hook route's log and metrics read, without an object per rule on every request).
   */
  trace?: 'all' | 'errors';
  /**
   * The ruleset's counters, as resolved before evaluation (src/counters/resolveCounters.ts):
   * rules read them as counters.NAME; a rule reading one that failed follows its onError.
   */
  counters?: CounterInput;
  /**
   * External facts, fetched beforehand (facts/resolveFacts.ts) or given by hand (rule tests):
   * conditions read them as facts.NAME; a rule reading a failed one follows its onError.
   */
  facts?: ResolvedFacts;
}

/** What conditions read: the request's data, and beside it the facts and counters the stages found. */
type Facts = Readonly<Record<string, unknown>>;

const NO_UPDATES: JsonObject = Object.freeze({});
const RESERVED_ATTRIBUTES = new Set(['password', '__proto__', 'constructor', 'prototype']);

/**
 * Decides one request against one ruleset. Rules run in order (priority, then file order):
 * the first matching deny ends evaluation and wins; otherwise any matching allow allows;
 * otherwise the ruleset's default for the request type decides. Updates from every matching
 * rule combine, the first rule to set an attribute keeping it. Synchronous by design.
 */
export function evaluate(ruleset: CompiledRuleset, context: RequestContext, options: EvaluateOptions = {}): Decision {
  const facts = conditionData(ruleset, context, options);
  return decide(ruleset, context, facts, options);
}

/**
 * The context's data as it is when no stage ran; else a copy with the stages' values beside
 * it (the context itself is shared and frozen). `counters` is set whenever the ruleset has
 * counters, so a request's own `counters` field is never read as them.
 */
function conditionData(ruleset: CompiledRuleset, context: RequestContext, options: EvaluateOptions): Facts {
  const counted = ruleset.counters.size > 0;
  if (!counted && !options.facts) return context.data;
  const data: Record<string, unknown> = Object.assign({}, context.data);
  if (counted) data.counters = options.counters?.values ?? {};
  if (options.facts) data.facts = options.facts.values;
  return data;
}

function decide(ruleset: CompiledRuleset, context: RequestContext, facts: Facts, options: EvaluateOptions): Decision {
  const { type, note, genericDenyMessage } = context;
  const onRuleError = options.onRuleError ?? 'deny';
  const everyRule = options.trace !== 'errors' || options.explain === true;
  const trace: RuleTrace[] = [];
  const matchedRuleIds: string[] = [];
  const updates: JsonObject = {};
  const updatedBy: Record<string, string> = {};
  const outcomes: RuleOutcomeValues[] = [];
  let allowedBy: string | undefined;
  let decision: Pick<Decision, 'outcome' | 'decidedBy' | 'deny'> | undefined;
  const failedFacts = options.facts?.failures;
  const anyFailed = failedFacts !== undefined && Object.keys(failedFacts).length > 0;
  // settings.denyCauses: all — after the first matching deny, the other deny rules still run, for their causes.
  const collectDenials = ruleset.settings.denyCauses === 'all';
  const moreDenials: Array<{ id: string; deny: DenySpec }> = [];
  let deniedBy: string[] | undefined;

  for (const rule of ruleset.rulesFor[type]) {
    if (decision && !(collectDenials && rule.deny && decision.decidedBy.kind === 'rule')) {
      if (!everyRule) {
        if (collectDenials) continue;
        break;
      }
      trace.push({ id: rule.id, source: rule.source, status: 'skipped', effect: effectOf(rule) });
      continue;
    }
    // Without a full trace the entry is made only if the rule throws (see the catch below).
    const entry: RuleTrace | undefined = everyRule ? { id: rule.id, source: rule.source, status: 'not-matched', effect: effectOf(rule) } : undefined;
    if (entry) trace.push(entry);
    const failed = anyFailed && rule.facts.length > 0 ? firstFailed(rule.facts, failedFacts) : undefined;
    if (failed) {
      const [name, failure] = failed;
      const why = `fact ${name} failed (${failure.kind}), onError ${failure.onError}`;
      if (failure.onError === 'skip') {
        if (entry) entry.factFailure = why;
        continue;
      }
      const failedEntry = entry ?? { id: rule.id, source: rule.source, status: 'error', effect: effectOf(rule) };
      if (!entry) trace.push(failedEntry);
      failedEntry.status = 'error';
      failedEntry.error = why;
      failedEntry.factFailure = why;
      decision =
        failure.onError === 'allow'
          ? { outcome: 'allow', decidedBy: { kind: 'error', ruleId: rule.id } }
          : { outcome: 'deny', decidedBy: { kind: 'error', ruleId: rule.id }, deny: { message: genericDenyMessage, internalReason: `rule ${rule.id}: ${why}` } };
      continue;
    }
    const counterFailed = rule.counters && options.counters?.failed ? counterFailure(rule.counters, options.counters.failed) : undefined;
    if (counterFailed) {
      // The counter's own onError, not ON_RULE_ERROR: the rule did not fail, its data did.
      if (counterFailed.onError === 'skip') {
        if (entry) entry.counterFailure = counterFailed.message;
        continue;
      }
      const failedEntry = entry ?? { id: rule.id, source: rule.source, status: 'error', effect: effectOf(rule) };
      if (!entry) trace.push(failedEntry);
      failedEntry.status = 'error';
      failedEntry.error = counterFailed.message;
      failedEntry.counterFailure = counterFailed.message;
      decision = { outcome: 'deny', decidedBy: { kind: 'error', ruleId: rule.id }, deny: { message: genericDenyMessage, internalReason: `rule ${rule.id}: ${counterFailed.message}` } };
      continue;
    }
    try {
      const result = rule.when.run(facts, ruleset.lists);
      if (options.explain) explain(rule, facts, result, entry!, ruleset);
      if (!truthy(result)) continue;
      const ruleUpdates = rule.deny || (rule.update.length === 0 && !rule.updateFrom) ? NO_UPDATES : computeUpdates(rule, facts, ruleset);
      // Computed here, so a value that throws is this rule's error; what a value may be is the hook type's to judge.
      const ruleOutcome = rule.outcome && !rule.deny ? { ruleId: rule.id, fixed: rule.outcome.fixed, values: rule.outcome.values.map(([path, logic]): [readonly string[], unknown] => [path, logic.run(facts, ruleset.lists)]) } : undefined;
      if (entry) entry.status = 'matched';
      matchedRuleIds.push(rule.id);
      if (rule.deny) {
        if (decision) moreDenials.push({ id: rule.id, deny: rule.deny });
        else decision = { outcome: 'deny', decidedBy: { kind: 'rule', ruleId: rule.id }, deny: rule.deny };
        continue;
      }
      if (rule.allow) allowedBy ??= rule.id;
      if (ruleOutcome) outcomes.push(ruleOutcome);
      for (const attribute of Object.keys(ruleUpdates)) {
        if (Object.hasOwn(updatedBy, attribute)) continue;
        updates[attribute] = ruleUpdates[attribute]!;
        updatedBy[attribute] = rule.id;
      }
    } catch (error) {
      const failed = entry ?? { id: rule.id, source: rule.source, status: 'error', effect: effectOf(rule) };
      if (!entry) trace.push(failed);
      failed.status = 'error';
      failed.error = (error as Error).message;
      if (error instanceof RequestTextError) failed.errorRedacted = error.redacted;
      // The message may quote a fetched value (updateFrom's "got the number …"): masked everywhere it goes.
      const hidden = options.facts && rule.facts.length > 0 ? hiddenFacts(ruleset, rule.facts).map((name) => options.facts!.values[name]) : [];
      if (hidden.length > 0) {
        failed.error = maskFactText(failed.error, hidden);
        if (failed.errorRedacted !== undefined) failed.errorRedacted = maskFactText(failed.errorRedacted, hidden);
      }
      // Once a rule has denied (collecting causes), a later failing deny rule adds nothing: the answer is a deny already.
      if (onRuleError === 'deny' && !decision) {
        decision = {
          outcome: 'deny',
          decidedBy: { kind: 'error', ruleId: rule.id },
          deny: { message: genericDenyMessage, internalReason: `rule ${rule.id} failed: ${failed.error}` },
        };
      }
    }
  }

  if (!decision) {
    if (allowedBy) {
      decision = { outcome: 'allow', decidedBy: { kind: 'rule', ruleId: allowedBy } };
    } else {
      const fallback = ruleset.defaults[type];
      decision =
        fallback.decision === 'allow'
          ? { outcome: 'allow', decidedBy: { kind: 'default' } }
          : { outcome: 'deny', decidedBy: { kind: 'default' }, deny: fallback.deny };
    }
  }

  if (moreDenials.length > 0 && decision.deny) {
    decision = { ...decision, deny: combineDenials(decision.decidedBy.ruleId!, decision.deny, moreDenials) };
    deniedBy = [decision.decidedBy.ruleId!, ...moreDenials.map(({ id }) => id)];
  }

  const allowed = decision.outcome === 'allow';
  const out = decisionObject(type, note, decision, matchedRuleIds, allowed ? updates : {}, allowed ? updatedBy : {}, ruleset.version, trace, deniedBy);
  if (allowed && outcomes.length > 0) out.outcomes = outcomes;
  if (anyFailed) out.failedFacts = Object.entries(failedFacts).map(([name, failure]) => `${name}:${failure.kind}`);
  if (options.counters?.failed?.size) out.failedCounters = [...options.counters.failed].map(([name, failure]) => `${name}:${failure.reason}`);
  return out;
}

function firstFailed(names: readonly string[], failures: Record<string, FactFailure>): [string, FactFailure] | undefined {
  for (const name of names) if (Object.hasOwn(failures, name)) return [name, failures[name]!];
  return undefined;
}

/**
 * The Decision, keys in this order: requestType, requestTypeNote (when there is a note),
 * outcome, decidedBy, deny (when the decision has one), deniedBy (when several deny rules
 * answered together), matchedRuleIds, updates, updatedBy, rulesetVersion, trace.
 */
function decisionObject(
  requestType: RequestType,
  note: string | undefined,
  decision: Pick<Decision, 'outcome' | 'decidedBy' | 'deny'>,
  matchedRuleIds: string[],
  updates: JsonObject,
  updatedBy: Record<string, string>,
  rulesetVersion: string,
  trace: RuleTrace[],
  deniedBy?: string[],
): Decision {
  const out: Partial<Decision> = { requestType };
  if (note) out.requestTypeNote = note;
  out.outcome = decision.outcome;
  out.decidedBy = decision.decidedBy;
  if ('deny' in decision) out.deny = decision.deny;
  if (deniedBy) out.deniedBy = deniedBy;
  out.matchedRuleIds = matchedRuleIds;
  out.updates = updates;
  out.updatedBy = updatedBy;
  out.rulesetVersion = rulesetVersion;
  out.trace = trace;
  return out as Decision;
}

function counterFailure(names: readonly string[], failed: NonNullable<CounterInput['failed']>): { onError: string; message: string } | undefined {
  for (const name of names) {
    const failure = failed.get(name);
    if (failure) return { onError: failure.onError, message: `counter ${name} failed (${failure.reason}), onError ${failure.onError}` };
  }
  return undefined;
}

/**
 * One deny from several: the first rule's message is the summary, the causes of every rule
 * follow in evaluation order, and the internal reasons are joined (each naming its rule).
 */
function combineDenials(firstId: string, first: DenySpec, more: ReadonlyArray<{ id: string; deny: DenySpec }>): DenySpec {
  const all = [{ id: firstId, deny: first }, ...more];
  // A rule without causes still has something to say: its message, as a cause with no field.
  const causes = all.flatMap(({ deny }, i) => deny.causes ?? (i === 0 ? [] : [{ message: deny.message }]));
  const reasons = all.filter(({ deny }) => deny.internalReason).map(({ id, deny }) => `${id}: ${deny.internalReason}`);
  return {
    message: first.message,
    ...(causes.length ? { causes } : {}),
    ...(reasons.length ? { internalReason: reasons.join('; ') } : {}),
  };
}

function effectOf(rule: CompiledRule): RuleTrace['effect'] {
  if (rule.deny) return 'deny';
  const updates = rule.update.length > 0 || rule.updateFrom !== undefined;
  if (rule.allow) return updates ? 'allow+update' : 'allow';
  return 'update';
}

/** A rule's attribute values. null/undefined results are left out: "no value", not "clear it". */
function computeUpdates(rule: CompiledRule, facts: Facts, ruleset: CompiledRuleset): JsonObject {
  const out: JsonObject = {};
  if (rule.updateFrom) {
    const value = rule.updateFrom.run(facts, ruleset.lists);
    if (value !== null && value !== undefined) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`updateFrom must return an object of attributes, got ${describe(value)}`);
      }
      // These names come from the evaluated logic, so possibly from the request.
      for (const [attribute, attributeValue] of Object.entries(value)) setAttribute(out, attribute, attributeValue, true);
    }
  }
  for (const [attribute, logic] of rule.update) setAttribute(out, attribute, logic.run(facts, ruleset.lists));
  return out;
}

function setAttribute(out: JsonObject, attribute: string, value: unknown, fromRequest = false): void {
  if (value === null || value === undefined) return;
  if (RESERVED_ATTRIBUTES.has(attribute)) throw new Error(`attribute "${attribute}" cannot be set`);
  if (!isAttributeValue(value)) {
    const problem = (name: string) => `attribute "${name}" got ${describe(value)}; a value is text, a number, true/false, or a list of them`;
    throw fromRequest ? new RequestTextError(problem(attribute), problem('***')) : new Error(problem(attribute));
  }
  // A plain assignment is safe: __proto__ (the one name where it differs from
  // defineProperty) is refused above.
  out[attribute] = value;
}

/** An error whose message quotes text from the request; `redacted` is the message without it, for logs. */
class RequestTextError extends Error {
  constructor(
    message: string,
    readonly redacted: string,
  ) {
    super(message);
  }
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function isAttributeValue(value: unknown): value is Json {
  return isScalar(value) || (Array.isArray(value) && value.every((item) => item === null || isScalar(item)));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list of non-scalar values';
  if (typeof value === 'number') return `the number ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function explain(rule: CompiledRule, facts: Facts, result: unknown, entry: RuleTrace, ruleset: CompiledRuleset): void {
  // What an expression over a fetched fact gives can be the fact's value itself, so it is masked too.
  entry.result = maskIfHidden(rule.when.logic, result, ruleset);
  const saw: Record<string, unknown> = {};
  for (const path of varPaths(rule.when.logic)) saw[path] = maskFact(path, jsonLogic.apply({ var: path }, facts), ruleset);
  entry.saw = saw;
  const parts = explainParts(rule.when.logic, facts, 0, ruleset);
  if (parts) {
    maskParts(parts, ruleset);
    entry.parts = parts;
  }
}

function maskParts(parts: ExplainedPart[], ruleset: CompiledRuleset): void {
  for (const part of parts) {
    part.value = maskIfHidden(part.logic, part.value, ruleset);
    if (part.parts) maskParts(part.parts, ruleset);
  }
}

/** A fetched fact's value is shown masked (facts/maskFactValue.ts), unless the fact says `reveal: true`. */
function maskFact(path: string, value: unknown, ruleset: CompiledRuleset): unknown {
  return isHiddenFact(path, ruleset) ? maskFactValue(value) : value;
}

/** What an expression gave, masked when it reads a hidden fact: a read of one is the fact's value; anything else is computed from it. */
function maskIfHidden(logic: unknown, value: unknown, ruleset: CompiledRuleset): unknown {
  if (!readsHiddenFact(logic, ruleset)) return value;
  const path = varPath(logic);
  return path !== undefined && isHiddenFact(path, ruleset) ? maskFactValue(value) : maskComputedValue(value);
}

/** The path of `{var: path}` (or `{var: [path, default]}`), when `logic` is that. */
function varPath(logic: unknown): string | undefined {
  if (!logic || typeof logic !== 'object' || Array.isArray(logic)) return undefined;
  const keys = Object.keys(logic);
  if (keys.length !== 1 || keys[0] !== 'var') return undefined;
  const operand = (logic as { var: unknown }).var;
  const path = Array.isArray(operand) ? operand[0] : operand;
  return typeof path === 'string' ? path : undefined;
}

function readsHiddenFact(logic: unknown, ruleset: CompiledRuleset): boolean {
  if (ruleset.facts.size === 0) return false;
  for (const path of varPaths(logic)) if (isHiddenFact(path, ruleset)) return true;
  return false;
}

function isHiddenFact(path: string, ruleset: CompiledRuleset): boolean {
  if (path !== 'facts' && !path.startsWith('facts.')) return false;
  return !ruleset.facts.get(path.split('.')[1] ?? '')?.reveal;
}

/** Operators whose operands are not evaluated against the request (iteration scopes, paths). */
const OPAQUE = new Set(['var', 'missing', 'missing_some', 'map', 'filter', 'reduce', 'all', 'some', 'none']);
const MAX_EXPLAIN_DEPTH = 4;

/** The operands of an operation and their values, recursively, for `hook-rules eval`. */
function explainParts(logic: unknown, facts: Facts, depth: number, ruleset: CompiledRuleset): ExplainedPart[] | undefined {
  if (depth >= MAX_EXPLAIN_DEPTH || !logic || typeof logic !== 'object' || Array.isArray(logic)) return undefined;
  const [op] = Object.keys(logic);
  if (op === undefined || OPAQUE.has(op)) return undefined;
  const raw = (logic as Record<string, unknown>)[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const parts = args
    .filter((arg) => arg !== null && typeof arg === 'object') // literals explain themselves
    .map((arg): ExplainedPart => {
      const children = explainParts(arg, facts, depth + 1, ruleset);
      return { logic: arg, value: safeApply(arg, facts, ruleset), ...(children ? { parts: children } : {}) };
    });
  return parts.length > 0 ? parts : undefined;
}

function safeApply(logic: unknown, facts: Facts, ruleset: CompiledRuleset): unknown {
  try {
    // Explaining runs once per rule and request asked for: compiled on the spot, in the rule's scope.
    return compileLogic(logic, ruleset).run(facts, ruleset.lists);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

/** Literal `var` paths in an expression, outside iteration scopes (where `var` means the item). */
function varPaths(logic: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(logic)) logic.forEach((item) => varPaths(item, out));
  else if (logic && typeof logic === 'object') {
    for (const [op, args] of Object.entries(logic)) {
      if (op === 'var') {
        const path = Array.isArray(args) ? args[0] : args;
        if (typeof path === 'string' && path !== '') out.add(path);
      } else if (['map', 'filter', 'reduce', 'all', 'some', 'none'].includes(op) && Array.isArray(args)) {
        varPaths(args[0], out);
      } else {
        varPaths(args, out);
      }
    }
  }
  return out;
}
