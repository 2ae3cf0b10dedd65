import { CounterCompiler } from '../counters/compileCounters.js';
import { compileFact, type FactEnvironment } from '../facts/compileFact.js';
import { factsRead, type FactRead } from '../facts/factsRead.js';
import type { CompiledFact } from '../facts/types.js';
import { compileLogic } from '../engine/logic.js';
import { REQUEST_TYPES, type RequestType } from '../okta/types.js';
import { checkLogic, type LogicNeeds } from './checkLogic.js';
import type { CompiledRule, CompiledRuleset, DefaultOutcome } from './CompiledRuleset.js';
import type { ListSource } from './listSources.js';
import { NamedList } from './lists.js';
import type { ParsedYaml, PathSegment } from './parseYamlFile.js';
import type { RuleError } from './RuleError.js';
import type { RuleFile, SourcePosition } from './types.js';

/** A rule file that passed the schema, with its parsed source for positions. */
export interface ValidatedFile {
  parsed: ParsedYaml;
  content: RuleFile;
  /** Entries of the lists this file takes from a file or package, read by loadRuleset. */
  listSources?: ReadonlyMap<string, ListSource>;
}

export type CompileResult = { ok: true; ruleset: CompiledRuleset } | { ok: false; errors: RuleError[] };

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
    /** Some files failed earlier: a list may live in one of them. */
    partial?: boolean;
    /** For facts' environment variables; by default this process's environment and NODE_ENV. */
    environment?: FactEnvironment;
  },
): CompileResult {
  const environment = meta.environment ?? { env: process.env, production: process.env.NODE_ENV === 'production' };
  const facts = new Map<string, CompiledFact>();
  const factOrigins = new Map<string, SourcePosition>();
  const warnings: RuleError[] = [];
  const factReads: Array<FactRead & { at: SourcePosition; enabled: boolean }> = [];
  const errors: RuleError[] = [];
  const rules: CompiledRule[] = [];
  const ids = new Map<string, SourcePosition>();
  const lists = new Map<string, NamedList>();
  const listOrigins = new Map<string, SourcePosition>();
  const defaults: Partial<Record<RequestType, { outcome: DefaultOutcome; at: SourcePosition }>> = {};
  const needs: LogicNeeds = { lists: new Map(), patterns: new Map() };
  const listUses: Array<{ name: string; at: SourcePosition }> = [];

  const overrides: Array<{ name: string; except: string[]; at: SourcePosition }> = [];
  const counters = new CounterCompiler(errors);

  for (const { parsed, content, listSources } of files) {
    const at = (path: PathSegment[], key?: string) => parsed.positionOf(path, key);
    const fail = (path: PathSegment[], message: string, key?: string) => errors.push({ ...at(path, key), message });
    const check = (logic: unknown, path: PathSegment[]) => {
      const localNeeds: LogicNeeds = { lists: new Map(), patterns: needs.patterns };
      for (const problem of checkLogic(logic, path, localNeeds)) fail(problem.path, problem.message, problem.key);
      for (const [name, usePath] of localNeeds.lists) listUses.push({ name, at: at(usePath) });
      return compileLogic(logic, { patterns: needs.patterns });
    };
    counters.add(parsed, content.counters, check);

    for (const [name, spec] of Object.entries(content.lists ?? {})) {
      const position = at(['lists'], name);
      const earlier = listOrigins.get(name);
      if (earlier) {
        fail(['lists'], `list "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      listOrigins.set(name, position);
      const kind = Array.isArray(spec) ? 'values' : (spec.kind ?? 'values');
      const external = listSources?.get(name);
      const origin = external ? `${external.label} (${position.file}:${position.line})` : `${position.file}:${position.line}`;
      // Inline lists are built here, at once: big lists belong in list files (built in chunks by loadRuleset).
      lists.set(
        name,
        external ? NamedList.fromEntries(name, kind, external.entries, origin) : NamedList.of(name, kind, Array.isArray(spec) ? spec : (spec.values ?? []), origin),
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

    for (const type of REQUEST_TYPES) {
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
      defaults[type] = { outcome, at: position };
    }

    (content.rules ?? []).forEach((rule, index) => {
      const base: PathSegment[] = ['rules', index];
      const source = at(base);
      const earlier = ids.get(rule.id);
      if (earlier) {
        fail([...base, 'id'], `rule id "${rule.id}" is already used at ${earlier.file}:${earlier.line}:${earlier.column}`);
        return;
      }
      ids.set(rule.id, source);

      const before = errors.length;
      const when = check(rule.when, [...base, 'when']);
      const update = Object.entries(rule.then.update ?? {}).map(
        ([attribute, value]) => [attribute, check(value, [...base, 'then', 'update', attribute])] as const,
      );
      const updateFrom = rule.then.updateFrom === undefined ? undefined : check(rule.then.updateFrom, [...base, 'then', 'updateFrom']);
      const counterNames = counters.readsOf(parsed, rule.disabled ? [] : rule.appliesTo, [
        [rule.when, [...base, 'when']],
        [rule.then.update ?? {}, [...base, 'then', 'update']],
        [rule.then.updateFrom, [...base, 'then', 'updateFrom']],
      ]);
      const reads = [
        ...factsRead(rule.when, [...base, 'when']),
        ...factsRead(rule.then.update ?? {}, [...base, 'then', 'update']),
        ...factsRead(rule.then.updateFrom ?? null, [...base, 'then', 'updateFrom']),
      ];
      for (const read of reads) factReads.push({ ...read, at: at(read.path), enabled: !rule.disabled });
      if (errors.length > before || rule.disabled) return;

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
    if (!lists.has(use.name) && !meta.partial) {
      const known = [...lists.keys()];
      errors.push({ ...use.at, message: `unknown list "${use.name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no lists are defined)'}` });
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

  for (const { name, except, at } of overrides) {
    const allowLists: NamedList[] = [];
    for (const other of except) {
      const list = lists.get(other);
      if (!list) errors.push({ ...at, message: `list "${name}": except names unknown list "${other}"` });
      else if (other === name) errors.push({ ...at, message: `list "${name}" cannot be its own exception` });
      else allowLists.push(list);
    }
    lists.set(name, lists.get(name)!.excluding(allowLists));
  }

  const { counters: compiledCounters, countersFor } = counters.finish(meta.partial === true);
  if (errors.length > 0) return { ok: false, errors };

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
      lists,
      patterns: needs.patterns,
      counters: compiledCounters,
      countersFor,
      facts,
      factsFor,
      warnings,
    }),
  };
}

/** Okta's own wording when a registration or profile update is refused without details. */
export const GENERIC_DENY_MESSAGE: Record<RequestType, string> = {
  'self.service.registration': 'Registration cannot be completed at this time.',
  'progressive.profile': 'Your profile could not be updated at this time.',
};
