import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { listEntryProblem, NamedList } from '../rules/lists.js';
import { nearest } from '../language/nearest.js';
import type { ListOverrides } from './types.js';

export type Overridden = { ok: true; ruleset: CompiledRuleset } | { ok: false; problem: string };

/**
 * The ruleset with some lists' entries replaced, for a test: each overridden list keeps its
 * kind and its `except`, and every list that names an overridden one in `except` uses the new
 * entries. Nothing of the original ruleset changes.
 */
export function withListOverrides(ruleset: CompiledRuleset, overrides: ListOverrides): Overridden {
  for (const name of Object.keys(overrides)) {
    if (!ruleset.lists.has(name)) {
      const near = nearest(name, ruleset.lists.keys());
      return { ok: false, problem: `lists: the ruleset has no list "${name}"${near ? `; did you mean "${near}"?` : ''}` };
    }
  }
  for (const [name, values] of Object.entries(overrides)) {
    const kind = ruleset.lists.get(name)!.kind;
    if (kind !== 'networks') continue; // an entry that is no network would never match: say so rather than drop it
    for (const value of values ?? []) {
      const problem = listEntryProblem(kind, value);
      if (problem) return { ok: false, problem: `lists: ${name} (${kind}): "${value}" ${problem}` };
    }
  }
  // Entries first (overrides without their exceptions), then the exceptions between them.
  const bases = new Map<string, NamedList>();
  for (const [name, list] of ruleset.lists) {
    const values = overrides[name];
    bases.set(name, values ? NamedList.of(name, list.kind, values, 'a rule test') : list.excluding([]));
  }
  const lists = new Map<string, NamedList>();
  for (const [name, list] of ruleset.lists) {
    const base = bases.get(name)!;
    lists.set(name, list.except.length ? base.excluding(list.except.map((other) => bases.get(other.name)!)) : base);
  }
  return { ok: true, ruleset: { ...ruleset, lists } };
}

/** The ruleset with each list that has overrides telling `onExcused(list, except)` when one excuses a value. */
export function observingExceptions(ruleset: CompiledRuleset, onExcused: (list: string, except: string) => void): CompiledRuleset {
  const lists = new Map<string, NamedList>();
  for (const [name, list] of ruleset.lists) lists.set(name, list.except.length ? list.observed((except) => onExcused(name, except)) : list);
  return { ...ruleset, lists };
}
