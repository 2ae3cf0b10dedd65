import path from 'node:path';
import { REQUEST_TYPES } from '../okta/types.js';
import type { CompiledRuleset, DefaultOutcome } from '../ruleset/CompiledRuleset.js';
import type { SourcePosition } from '../language/position.js';
import { changedFields, comparable } from './comparable.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

/** A rule, fact or counter that one ruleset has and the other lacks, or that differs. */
export interface PartChange {
  name: string;
  change: ChangeKind;
  /** Where it is written: in `after`, or in `before` when removed (file relative to its rules folder). */
  at: string;
  /** For `changed`: the fields that differ, as written in the rule file (`when`, `then.deny`, …). */
  fields: string[];
}

export interface ListChange {
  name: string;
  change: ChangeKind;
  /** For `changed`: which of kind, except and entries differ (where the entries come from is not compared: what they are is). */
  fields: string[];
  /** Entries in `after` and not in `before`, and the reverse (every entry, for an added or removed list). */
  entriesAdded: number;
  entriesRemoved: number;
  sizeBefore: number;
  sizeAfter: number;
}

/** A ruleset-wide setting or a request type's default: its value before and after, in words. */
export interface SettingChange {
  name: string;
  before: string;
  after: string;
}

export interface RulesetChanges {
  rules: PartChange[];
  lists: ListChange[];
  facts: PartChange[];
  counters: PartChange[];
  settings: SettingChange[];
}

/** Names of a rule's compiled fields as a rule file writes them. */
const RULE_FIELDS: Readonly<Record<string, string>> = { allow: 'then.allow', deny: 'then.deny', update: 'then.update', updateFrom: 'then.updateFrom' };

/** Names of a fact's compiled fields as a rule file writes them. */
const FACT_FIELDS: Readonly<Record<string, string>> = { timeoutMs: 'timeout', cacheMs: 'cache' };

/** What changed between two rulesets, part by part; what the change does to answers is answerChanges'. */
export function rulesetChanges(before: CompiledRuleset, after: CompiledRuleset): RulesetChanges {
  const where = (ruleset: CompiledRuleset, at: SourcePosition) => `${path.relative(ruleset.dir, at.file) || path.basename(at.file)}:${at.line}`;
  // Which facts and counters a rule reads follows from its condition: its `when` already says so.
  const rules = compareParts(byName(before.rules, (r) => r.id), byName(after.rules, (r) => r.id), (rule, ruleset) => where(ruleset, rule.source), ['id', 'facts', 'counters'], before, after)
    .map((change) => ({ ...change, fields: change.fields.map((field) => RULE_FIELDS[field] ?? field) }));
  const facts = compareParts(before.facts, after.facts, (fact, ruleset) => where(ruleset, fact.source), ['name', 'fingerprint'], before, after).map((change) => ({
    ...change,
    // The lookup's own fields (sql, params, url…) say more than "lookup".
    fields: change.fields.flatMap((field) =>
      field === 'lookup' ? changedFields(before.facts.get(change.name)!.lookup, after.facts.get(change.name)!.lookup) : [FACT_FIELDS[field] ?? field],
    ),
  }));
  const counters = compareParts(before.counters, after.counters, (counter, ruleset) => where(ruleset, counter.source), ['name', 'windowMs'], before, after);
  return { rules, lists: listChanges(before, after), facts, counters, settings: settingChanges(before, after) };
}

function byName<T>(items: readonly T[], name: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [name(item), item]));
}

function compareParts<T extends object>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
  at: (item: T, ruleset: CompiledRuleset) => string,
  ignore: readonly string[],
  beforeRuleset: CompiledRuleset,
  afterRuleset: CompiledRuleset,
): PartChange[] {
  const changes: PartChange[] = [];
  for (const [name, item] of after) {
    const old = before.get(name);
    if (!old) changes.push({ name, change: 'added', at: at(item, afterRuleset), fields: [] });
    else {
      const fields = changedFields(old, item, ignore);
      if (fields.length > 0) changes.push({ name, change: 'changed', at: at(item, afterRuleset), fields });
    }
  }
  for (const [name, item] of before) if (!after.has(name)) changes.push({ name, change: 'removed', at: at(item, beforeRuleset), fields: [] });
  return changes;
}

function listChanges(before: CompiledRuleset, after: CompiledRuleset): ListChange[] {
  const changes: ListChange[] = [];
  const names = [...new Set([...after.lists.keys(), ...before.lists.keys()])];
  for (const name of names) {
    const old = before.lists.get(name);
    const now = after.lists.get(name);
    const oldEntries = old?.entryValues() ?? new Set<string | number>();
    const newEntries = now?.entryValues() ?? new Set<string | number>();
    let added = 0;
    let removed = 0;
    for (const entry of newEntries) if (!oldEntries.has(entry)) added++;
    for (const entry of oldEntries) if (!newEntries.has(entry)) removed++;
    const fields: string[] = [];
    if (old && now) {
      if (old.kind !== now.kind) fields.push('kind');
      if (JSON.stringify(old.except.map((l) => l.name).sort()) !== JSON.stringify(now.except.map((l) => l.name).sort())) fields.push('except');
      if (added > 0 || removed > 0) fields.push('entries');
      if (fields.length === 0) continue;
    }
    changes.push({
      name,
      change: !old ? 'added' : !now ? 'removed' : 'changed',
      fields,
      entriesAdded: added,
      entriesRemoved: removed,
      sizeBefore: oldEntries.size,
      sizeAfter: newEntries.size,
    });
  }
  return changes;
}

function settingChanges(before: CompiledRuleset, after: CompiledRuleset): SettingChange[] {
  const changes: SettingChange[] = [];
  const show = (value: unknown) => (value === undefined ? '(not set)' : typeof value === 'string' ? value : JSON.stringify(comparable(value)));
  const keys = [...new Set([...Object.keys(before.settings), ...Object.keys(after.settings)])].sort();
  for (const key of keys) {
    const a = show((before.settings as Record<string, unknown>)[key]);
    const b = show((after.settings as Record<string, unknown>)[key]);
    if (a !== b) changes.push({ name: `settings.${key}`, before: a, after: b });
  }
  for (const type of REQUEST_TYPES) {
    const a = before.defaults[type];
    const b = after.defaults[type];
    if (JSON.stringify(comparable(a)) === JSON.stringify(comparable(b))) continue;
    // In words when the words tell them apart; else in full (a cause or an internal reason changed).
    const [x, y] = defaultText(a) !== defaultText(b) ? [defaultText(a), defaultText(b)] : [JSON.stringify(comparable(a)), JSON.stringify(comparable(b))];
    changes.push({ name: `defaults.${type}`, before: x, after: y });
  }
  return changes;
}

function defaultText(outcome: DefaultOutcome): string {
  return outcome.decision === 'allow' ? 'allow' : `deny (${JSON.stringify(outcome.deny.message)})`;
}
