import { CounterCompiler } from '../counters/compileCounters.js';
import type { FactEnvironment } from '../facts/compileFact.js';
import { FactCompiler } from '../facts/compileFacts.js';
import type { OutcomeCheck } from '../language/outcomeCheck.js';
import type { RuleError } from '../language/RuleError.js';
import { REQUEST_TYPES, type RequestType } from '../okta/types.js';
import type { CompiledRule, CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { CompileFile, compileState } from './compile/CompileFile.js';
import { DefaultsCompiler } from './compile/DefaultsCompiler.js';
import { ListCompiler } from './compile/ListCompiler.js';
import { RuleCompiler } from './compile/RuleCompiler.js';
import { salvage } from './compile/salvage.js';
import { SettingsCompiler } from './compile/SettingsCompiler.js';
import type { ListSource } from './listSources.js';
import type { ParsedYaml } from './parseYamlFile.js';
import type { RuleFile } from './types.js';

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
 * operators, safe paths, valid patterns, lists, facts and counters that exist. One compiler
 * per section of a rule file; each sees every file, then checks what needs them all.
 */
export function compileRules(
  files: ValidatedFile[],
  meta: {
    dir: string;
    version: string;
    /** Some files could not be read or parsed: a list, fact or counter may live in one of them. */
    partial?: boolean;
    /** Where the environment variables facts name are looked up, and whether this is production. */
    environment: FactEnvironment;
    /** The hook types' checks of each rule's outcome (src/hooks/). */
    checkOutcome: OutcomeCheck;
  },
): CompileResult {
  const state = compileState();
  const counters = new CounterCompiler(state);
  const lists = new ListCompiler(state);
  const facts = new FactCompiler(state, meta.environment);
  const settings = new SettingsCompiler();
  const defaults = new DefaultsCompiler(state);
  const rules = new RuleCompiler(state, facts, counters, meta.checkOutcome);

  for (const { parsed, content, listSources, schemaValid = true } of files) {
    // A file that failed the schema is read only as far as its shape allows.
    const file = new CompileFile(parsed, schemaValid ? content : salvage(content), schemaValid, listSources, state);
    counters.define(file, file.content.counters ?? {});
    lists.add(file);
    facts.define(file, file.content.facts ?? {});
    settings.add(file);
    defaults.add(file);
    rules.add(file);
  }

  // Stable sort: equal priorities keep file order.
  const ordered = [...rules.rules].sort((a, b) => b.priority - a.priority);
  const rulesFor = Object.fromEntries(REQUEST_TYPES.map((type) => [type, ordered.filter((rule) => rule.appliesTo.has(type))])) as Record<RequestType, CompiledRule[]>;
  const partial = meta.partial === true;
  lists.finish(partial);
  const compiledFacts = facts.finish(partial, (type) => rulesFor[type].flatMap((rule) => rule.facts));
  const compiledCounters = counters.finish(partial, (type) => rulesFor[type].flatMap((rule) => rule.counters ?? []));
  const { errors, warnings } = state;
  if (errors.length > 0) return { ok: false, errors, warnings };

  return {
    ok: true,
    ruleset: Object.freeze({
      version: meta.version,
      loadedAt: new Date(),
      dir: meta.dir,
      files: files.map((f) => f.parsed.file),
      rulesFor,
      rules: ordered,
      defaults: defaults.outcomes(),
      defaultSources: defaults.sources(),
      settings: Object.freeze(settings.settings),
      lists: state.lists,
      patterns: state.patterns,
      ...compiledCounters,
      ...compiledFacts,
      warnings,
    }),
    warnings,
  };
}
