import type { Decision, ExplainedPart, RuleTrace } from '../../engine/Decision.js';
import type { CounterReading } from '../../counters/resolveCounters.js';
import type { FactTrace } from '../../facts/types.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';
import { relative } from '../commands/validate.js';

/**
 * "Why was this user denied?", in words: the decision, then every rule considered in
 * evaluation order, whether it matched, what its condition saw and what each part returned.
 */
export function formatExplanation(
  decision: Decision,
  ruleset: CompiledRuleset,
  facts: readonly FactTrace[] = [],
  counters: readonly CounterReading[] = [],
): string {
  const lines: string[] = [];
  const decided =
    decision.decidedBy.kind === 'rule'
      ? `rule ${decision.decidedBy.ruleId}`
      : decision.decidedBy.kind === 'default'
        ? `the default for ${decision.requestType} (no allow or deny rule matched)`
        : decision.decidedBy.ruleId
          ? `an error in rule ${decision.decidedBy.ruleId}`
          : `an error: ${decision.deny?.internalReason ?? 'see the log'}`;
  lines.push(`Decision: ${decision.outcome.toUpperCase()}, decided by ${decided}`);
  lines.push(`Ruleset ${ruleset.version} (${ruleset.dir}); request type ${decision.requestType}`);
  if (decision.requestTypeNote) lines.push(`Note: ${decision.requestTypeNote}`);
  if (decision.deny) {
    lines.push(`Message: ${decision.deny.message}`);
    if (decision.deniedBy) lines.push(`Causes from every matching deny rule (settings.denyCauses: all): ${decision.deniedBy.join(', ')}`);
    if (decision.deny.internalReason) lines.push(`Internal reason: ${decision.deny.internalReason}`);
  }
  for (const [attribute, ruleId] of Object.entries(decision.updatedBy)) {
    lines.push(`Sets ${attribute} = ${show(decision.updates[attribute])} (rule ${ruleId})`);
  }
  if (counters.length > 0) {
    lines.push('', 'Counters:');
    for (const reading of counters) lines.push(`  ${formatCounter(reading)}`);
  }
  lines.push('');
  if (facts.length > 0) {
    lines.push(`Facts (${facts.length}):`);
    for (const fact of facts) lines.push(`  ${formatFact(fact)}`);
    lines.push('');
  }
  if (decision.trace.length === 0) {
    lines.push(`No rule applies to ${decision.requestType}.`);
  } else {
    lines.push(`Rules considered, in evaluation order (${decision.trace.length}):`);
    decision.trace.forEach((entry, i) => lines.push(...formatRule(entry, i + 1, ruleset)));
  }
  return lines.join('\n');
}

const STATUS: Record<RuleTrace['status'], string> = {
  matched: 'MATCHED',
  'not-matched': 'no match',
  error: 'ERROR',
  skipped: 'skipped: an earlier deny ended evaluation',
};

function formatRule(entry: RuleTrace, n: number, ruleset: CompiledRuleset): string[] {
  const rule = ruleset.rules.find((r) => r.id === entry.id);
  const lines = [`${n}. ${entry.id} [${entry.effect}] ${STATUS[entry.status]}  ${relative(entry.source.file)}:${entry.source.line}:${entry.source.column}`];
  if (entry.status === 'skipped') return lines;
  if (entry.error) lines.push(`     error: ${entry.error}`);
  else if (entry.counterFailure) lines.push(`     skipped: ${entry.counterFailure}`);
  else if (entry.factFailure) lines.push(`     not evaluated: ${entry.factFailure}`);
  if (rule) lines.push(`     when ${compact(rule.when.logic)} → ${show(entry.result)}`);
  for (const part of entry.parts ?? []) lines.push(...formatPart(part, 7));
  const saw = Object.entries(entry.saw ?? {});
  if (saw.length > 0) lines.push(`     saw: ${saw.map(([path, value]) => `${path} = ${show(value)}`).join(', ')}`);
  return lines;
}

const USE: Record<CounterReading['use'], string> = {
  counted: 'this request counted',
  peeked: 'not counted here; the hook counts this request',
  read: 'read only',
};

/** `signupsPerIp = 6  key 203.0.113.x (attempts, read only)`, with where the value came from or why it failed. */
export function formatCounter(reading: CounterReading): string {
  const key = reading.key === null ? 'no key (null: not counted)' : `key ${reading.key}`;
  const how = `${reading.count}, ${USE[reading.use]}${reading.given ? ', given' : ''}`;
  const failed = reading.failed ? `  FAILED (${reading.failed.reason}), onError ${reading.failed.onError}` : '';
  return `${reading.name} = ${reading.value}  ${key} (${how})${failed}`;
}

/** member from sql:MEMBERS_DB in 3.2 ms (cache hit): {"plan":"gold"}, or the failure and the onError applied. */
export function formatFact(fact: FactTrace): string {
  const head = `${fact.name} from ${fact.source} in ${fact.ms} ms${fact.cacheHit ? ' (cache hit)' : ''}`;
  if (fact.failure) return `${head}: FAILED (${fact.failure.kind}: ${fact.failure.message}); onError ${fact.failure.onError} applied`;
  return `${head}: ${show(fact.value)}`;
}

/** member (sql:MEMBERS_DB): {"plan":"[string]"}, or FAILED with the kind, the message (an SQLSTATE…) and the onError: for a rule-test report. */
export function formatFactBrief(fact: FactTrace): string {
  const head = `${fact.name} (${fact.source})`;
  if (fact.failure) return `${head}: FAILED ${fact.failure.kind}: ${fact.failure.message}; onError ${fact.failure.onError}`;
  return `${head}: ${show(fact.value)}`;
}

function formatPart(part: ExplainedPart, indent: number): string[] {
  const lines = [`${' '.repeat(indent)}${compact(part.logic)} → ${show(part.value)}`];
  for (const child of part.parts ?? []) lines.push(...formatPart(child, indent + 2));
  return lines;
}

/** JSON on one line, cut at 100 characters. */
function compact(logic: unknown): string {
  const text = JSON.stringify(logic) ?? String(logic);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
