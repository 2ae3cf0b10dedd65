import { CounterCompiler } from '../counters/compileCounters.js';
import { compileFact, type FactEnvironment } from '../facts/compileFact.js';
import { factsRead, type FactRead } from '../facts/factsRead.js';
import type { CompiledFact } from '../facts/types.js';
import { compileLogic } from '../engine/logic.js';
import { GENERIC_DENY_MESSAGE } from '../okta/denyMessages.js';
import { REQUEST_TYPES, type RequestType } from '../okta/types.js';
import { checkLogic, type LogicNeeds } from './checkLogic.js';
import type { CompiledRule, CompiledRuleset, DefaultOutcome } from '../ruleset/CompiledRuleset.js';
import type { ListSource } from './listSources.js';
import { listEntryProblem, NamedList } from './lists.js';
import { nearest } from './nearest.js';
import type { ParsedYaml, PathSegment } from './parseYamlFile.js';
import type { RuleError } from './RuleError.js';
import { DEFAULT_SETTINGS, type DenySpec, type RuleFile, type RulesetSettings, type SourcePosition } from './types.js';
import { ruleAt } from './validateRuleFile.js';

/** A rule file that passed the schema, with its parsed source for positions. */
export interface ValidatedFile {
  parsed: ParsedYaml;
  content: RuleFile;
  /**
   * false: the file failed the schema (those errors are reported already). Its conditions, ids
   * and list names are still checked, so one run reports every problem; nothing of it is built.
   */
  schemaValid?: boolean;
  /** Entries of the lists this file takes from a file or package, read by loadRuleset. */
  listSources?: ReadonlyMap<string, ListSource>;
}

/** Warnings are things almost surely wrong that still load (errors under `validate --strict`). */
export type CompileResult = { ok: true; ruleset: CompiledRuleset; warnings: RuleError[] } | { ok: false; errors: RuleError[]; warnings: RuleError[] };

/**
 * Turns schema-valid rule files into one immutable ruleset, checking what a schema cannot:
 * ids unique across files, one default per request type, conditions that use only known
 * operators, safe paths, valid patterns and lists that exist.
 */
export function compileRules(
  files: ValidatedFile[],
  meta: {
    dir: string;
    version: string;
    /** Some files could not be read or parsed: a list may live in one of them. */
    partial?: boolean;
    /** For facts' environment variables; by default this process's environment and NODE_ENV. */
    environment?: FactEnvironment;
  },
): CompileResult {
  const environment = meta.environment ?? { env: process.env, production: process.env.NODE_ENV === 'production' };
  const facts = new Map<string, CompiledFact>();
  const factOrigins = new Map<string, SourcePosition>();
  const factReads: Array<FactRead & { at: SourcePosition; enabled: boolean }> = [];
  const errors: RuleError[] = [];
  const warnings: RuleError[] = [];
  const rules: CompiledRule[] = [];
  const ids = new Map<string, SourcePosition>();
  const lists = new Map<string, NamedList>();
  const listOrigins = new Map<string, SourcePosition>();
  const defaults: Partial<Record<RequestType, { outcome: DefaultOutcome; at: SourcePosition }>> = {};
  const needs: LogicNeeds = { lists: new Map(), patterns: new Map() };
  const listUses: Array<{ name: string; at: SourcePosition; rule?: { rule: NonNullable<RuleError['rule']> } }> = [];

  const settings: RulesetSettings = { ...DEFAULT_SETTINGS };
  const settingOrigins = new Map<keyof RulesetSettings, SourcePosition>();
  const overrides: Array<{ name: string; except: string[]; at: SourcePosition }> = [];
  const counters = new CounterCompiler(errors);

  for (const { parsed, content: written, listSources, schemaValid = true } of files) {
    const at = (path: PathSegment[], key?: string) => parsed.positionOf(path, key);
    const fail = (path: PathSegment[], message: string, key?: string, warning?: boolean) => {
      const rule = ruleAt(parsed, path);
      (warning ? warnings : errors).push({ ...at(path, key), ...(rule ?? {}), message });
    };
    // A file that failed the schema is read only as far as its shape allows.
    const content = schemaValid ? written : salvage(written);
    // Counter keys are JSON-Logic too, checked and compiled as conditions are.
    counters.add(parsed, content.counters, (logic, path) => {
      const localNeeds: LogicNeeds = { lists: new Map(), patterns: needs.patterns };
      for (const problem of checkLogic(logic, path, localNeeds)) fail(problem.path, problem.message, problem.key, problem.warning);
      for (const [name, usePath] of localNeeds.lists) listUses.push({ name, at: at(usePath) });
      return compileLogic(logic, { patterns: needs.patterns });
    });

    for (const [name, spec] of Object.entries(content.lists ?? {})) {
      const position = at(['lists'], name);
      const earlier = listOrigins.get(name);
      if (earlier) {
        fail(['lists'], `list "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      listOrigins.set(name, position);
      if (!schemaValid) {
        if (isRecord(spec) && Array.isArray(spec.except)) overrides.push({ name, except: spec.except.map(String), at: at(['lists', name], 'except') });
        continue;
      }
      const kind = Array.isArray(spec) ? 'values' : (spec.kind ?? 'values');
      if (!Array.isArray(spec) && kind === 'networks') {
        spec.values?.forEach((entry, i) => {
          const problem = listEntryProblem(kind, entry);
          if (problem) fail(['lists', name, 'values', i], `list "${name}": "${entry}" ${problem}`);
        });
      }
      const external = listSources?.get(name);
      const origin = external ? `${external.label} (${position.file}:${position.line})` : `${position.file}:${position.line}`;
      // Inline lists are built here, at once: big lists belong in list files (built in chunks by loadRuleset).
      lists.set(
        name,
        external ? NamedList.fromEntries(name, kind, external.entries, origin, external.networks) : NamedList.of(name, kind, Array.isArray(spec) ? spec : (spec.values ?? []), origin),
      );
      if (!Array.isArray(spec) && spec.except?.length) overrides.push({ name, except: spec.except, at: at(['lists', name], 'except') });
    }

    for (const [name, spec] of Object.entries(content.facts ?? {})) {
      const position = at(['facts'], name);
      const earlier = factOrigins.get(name);
      if (earlier) {
        fail(['facts'], `fact "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      factOrigins.set(name, position);
      const compiled = compileFact(name, spec, ['facts', name], at, needs, environment);
      errors.push(...compiled.errors);
      warnings.push(...compiled.warnings);
      if (compiled.fact) facts.set(name, compiled.fact);
    }

    for (const [name, value] of Object.entries(schemaValid ? (content.settings ?? {}) : {})) {
      const key = name as keyof RulesetSettings;
      const earlier = settingOrigins.get(key);
      if (earlier) {
        fail(['settings'], `settings.${key} is already set at ${earlier.file}:${earlier.line}:${earlier.column}`, key);
        continue;
      }
      settingOrigins.set(key, at(['settings'], key));
      settings[key] = value as never;
    }

    for (const type of REQUEST_TYPES) {
      if (!schemaValid) break;
      const spec = content.defaults?.[type];
      if (spec === undefined) continue;
      const position = at(['defaults'], type);
      const earlier = defaults[type];
      if (earlier) {
        fail(['defaults'], `the default for ${type} is already set at ${earlier.at.file}:${earlier.at.line}:${earlier.at.column}`, type);
        continue;
      }
      const outcome: DefaultOutcome =
        spec === 'allow'
          ? { decision: 'allow' }
          : spec === 'deny'
            ? { decision: 'deny', deny: { message: GENERIC_DENY_MESSAGE[type] } }
            : { decision: 'deny', deny: spec.deny };
      if (typeof spec === 'object') warnings.push(...causeWarnings(spec.deny, ['defaults', type, 'deny'], at));
      defaults[type] = { outcome, at: position };
    }

    (content.rules ?? []).forEach((rule, index) => {
      const base: PathSegment[] = ['rules', index];
      const source = at(base);
      if (typeof rule.id === 'string') {
        const earlier = ids.get(rule.id);
        if (earlier) {
          fail([...base, 'id'], `rule id "${rule.id}" is already used at ${earlier.file}:${earlier.line}:${earlier.column}`);
          return;
        }
        ids.set(rule.id, source);
      }

      const before = errors.length;
      const check = (logic: unknown, path: PathSegment[]) => {
        const localNeeds: LogicNeeds = { lists: new Map(), patterns: needs.patterns };
        for (const problem of checkLogic(logic, path, localNeeds)) fail(problem.path, problem.message, problem.key, problem.warning);
        for (const [name, usePath] of localNeeds.lists) listUses.push({ name, at: at(usePath), rule: ruleAt(parsed, usePath) });
        return schemaValid ? compileLogic(logic, { patterns: needs.patterns }) : undefined;
      };
      const whenProblem = schemaValid || rule.when !== undefined ? conditionShape(rule.when) : null;
      if (whenProblem) fail([...base, 'when'], `when: ${whenProblem}`);
      const when = check(rule.when, [...base, 'when']);
      const update = Object.entries(rule.then?.update ?? {}).map(
        ([attribute, value]) => [attribute, check(value, [...base, 'then', 'update', attribute])!] as const,
      );
      const updateFrom = rule.then?.updateFrom === undefined ? undefined : check(rule.then.updateFrom, [...base, 'then', 'updateFrom']);
      const counterNames = counters.readsOf(parsed, rule.disabled ? [] : rule.appliesTo, [
        [rule.when, [...base, 'when']],
        [rule.then?.update ?? {}, [...base, 'then', 'update']],
        [rule.then?.updateFrom, [...base, 'then', 'updateFrom']],
      ]);
      const reads = [
        ...factsRead(rule.when, [...base, 'when']),
        ...factsRead(rule.then?.update ?? {}, [...base, 'then', 'update']),
        ...factsRead(rule.then?.updateFrom ?? null, [...base, 'then', 'updateFrom']),
      ];
      for (const read of reads) factReads.push({ ...read, at: at(read.path), enabled: !rule.disabled });
      if (errors.length > before || rule.disabled || !when) return;
      if (rule.then?.deny) warnings.push(...causeWarnings(rule.then.deny, [...base, 'then', 'deny'], at));

      rules.push({
        id: rule.id,
        description: rule.description,
        appliesTo: new Set(rule.appliesTo),
        priority: rule.priority ?? 0,
        source,
        when,
        allow: rule.then.allow === true,
        ...(rule.then.deny ? { deny: rule.then.deny } : {}),
        update,
        ...(updateFrom ? { updateFrom } : {}),
        ...(counterNames.length > 0 ? { counters: counterNames } : {}),
        facts: [...new Set(reads.map((read) => read.name))],
      });
    });
  }

  for (const use of listUses) {
    if (!listOrigins.has(use.name) && !meta.partial) {
      const known = [...listOrigins.keys()];
      const near = nearest(use.name, known);
      const hint = near ? `; did you mean "${near}"?` : known.length ? ` (known: ${known.join(', ')})` : ' (no lists are defined)';
      errors.push({ ...use.at, ...(use.rule ?? {}), message: `unknown list "${use.name}"${hint}` });
    }
  }

  const factsUsed = new Set<string>();
  for (const read of factReads) {
    if (read.name === '') errors.push({ ...read.at, message: 'read one fact, as facts.NAME (or facts.NAME.field), not facts itself' });
    else if (factOrigins.has(read.name)) factsUsed.add(read.name);
    else if (!meta.partial) {
      const known = [...factOrigins.keys()];
      errors.push({ ...read.at, message: `unknown fact "${read.name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no facts are defined)'}` });
    }
  }
  if (!meta.partial) {
    for (const [name, position] of factOrigins) {
      if (!factsUsed.has(name)) errors.push({ ...position, message: `fact "${name}" is read by no rule (remove it, or read it as facts.${name})` });
    }
  }

  const used = new Set([...listUses.map((use) => use.name), ...overrides.flatMap((o) => o.except)]);
  for (const [name, at] of listOrigins) {
    if (!used.has(name)) warnings.push({ ...at, message: `list "${name}" is defined but no rule uses it (in_list) and no list names it in except` });
  }

  for (const { name, except, at } of overrides) {
    const allowLists: NamedList[] = [];
    for (const other of except) {
      const list = lists.get(other);
      if (!listOrigins.has(other)) {
        if (meta.partial) continue;
        const near = nearest(other, listOrigins.keys());
        errors.push({ ...at, message: `list "${name}": except names unknown list "${other}"${near ? `; did you mean "${near}"?` : ''}` });
      } else if (other === name) errors.push({ ...at, message: `list "${name}" cannot be its own exception` });
      else if (list) allowLists.push(list);
    }
    const list = lists.get(name);
    if (list) lists.set(name, list.excluding(allowLists));
  }

  const { counters: compiledCounters, countersFor } = counters.finish(meta.partial === true);
  if (errors.length > 0) return { ok: false, errors, warnings };

  // Stable sort: equal priorities keep file order.
  const ordered = [...rules].sort((a, b) => b.priority - a.priority);
  const rulesFor = Object.fromEntries(
    REQUEST_TYPES.map((type) => [type, ordered.filter((rule) => rule.appliesTo.has(type))]),
  ) as Record<RequestType, CompiledRule[]>;
  const factsFor = Object.fromEntries(
    REQUEST_TYPES.map((type) => [type, [...new Set(rulesFor[type].flatMap((rule) => rule.facts))].map((name) => facts.get(name)!)]),
  ) as Record<RequestType, CompiledFact[]>;
  const resolvedDefaults = Object.fromEntries(
    REQUEST_TYPES.map((type) => [type, defaults[type]?.outcome ?? { decision: 'allow' }]),
  ) as Record<RequestType, DefaultOutcome>;

  return {
    ok: true,
    ruleset: Object.freeze({
      version: meta.version,
      loadedAt: new Date(),
      dir: meta.dir,
      files: files.map((f) => f.parsed.file),
      rulesFor,
      rules: ordered,
      defaults: resolvedDefaults,
      defaultSources: Object.fromEntries(Object.entries(defaults).map(([type, spec]) => [type, spec.at])),
      settings: Object.freeze(settings),
      lists,
      patterns: needs.patterns,
      counters: compiledCounters,
      countersFor,
      facts,
      factsFor,
      warnings,
    }),
    warnings,
  };
}

/** `data.userProfile.<attribute>`: the only cause location the Sign-In Widget places next to a field. */
const FIELD_LOCATION = /^data\.userProfile\.[^.\s[\]]+$/;

/**
 * A cause whose location is not `data.userProfile.<attribute>` loads, but Okta's widget shows
 * it at no field (and its message may be lost): a warning, an error under `validate --strict`.
 */
function causeWarnings(deny: DenySpec, path: PathSegment[], at: (path: PathSegment[], key?: string) => SourcePosition): RuleError[] {
  const warnings: RuleError[] = [];
  (deny.causes ?? []).forEach((cause, index) => {
    if (cause.location === undefined || FIELD_LOCATION.test(cause.location)) return;
    warnings.push({
      ...at([...path, 'causes', index], 'location'),
      message: `cause location "${cause.location}" is not data.userProfile.<attribute>: the Sign-In Widget shows this cause at no field`,
    });
  });
  return warnings;
}

/**
 * What is wrong with a condition's shape, or null: `when` is an operation (an object with one
 * operator key) or true/false. Anything else is almost surely a slip (a list, say, is what an
 * unquoted `!=:` leaves), and JSON-Logic would take a non-empty one as true: every request.
 */
function conditionShape(when: unknown): string | null {
  if (typeof when === 'boolean' || (isRecord(when) && !Array.isArray(when))) return null;
  if (when === null || when === undefined) return 'is empty; write an operation such as { "==": [a, b] }, or true for always';
  const what = Array.isArray(when) ? 'a list' : typeof when === 'string' ? `the text ${JSON.stringify(when)}` : `the ${typeof when} ${JSON.stringify(when)}`;
  const hint = Array.isArray(when) ? ' (an operator key YAML did not read as one, such as an unquoted !=, leaves a list here: quote the key, "!=":)' : '';
  return `must be an operation (an object with one operator key) or true/false, not ${what}${hint}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The parts of a file that failed the schema that are safe to walk: objects where objects belong. */
function salvage(content: unknown): RuleFile {
  if (!isRecord(content)) return {};
  const lists = isRecord(content.lists) ? (content.lists as RuleFile['lists']) : undefined;
  const rules = Array.isArray(content.rules)
    ? (content.rules.map((rule) => {
        const r = isRecord(rule) ? rule : {};
        return { ...r, id: typeof r.id === 'string' ? r.id : undefined, then: isRecord(r.then) ? { ...r.then, update: isRecord(r.then.update) ? r.then.update : undefined } : undefined, disabled: true };
      }) as unknown as RuleFile['rules'])
    : undefined;
  return { ...(lists ? { lists } : {}), ...(rules ? { rules } : {}) };
}

