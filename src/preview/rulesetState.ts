import path from 'node:path';
import type { RuleError } from '../rules/RuleError.js';
import type { RulesetStore } from '../ruleset/RulesetStore.js';

/** What the page shows about the rules: the version serving requests and the last reload's errors. */
export interface RulesetState {
  rulesetVersion: string;
  loadedAt: string;
  rules: number;
  files: string[];
  /** Errors of the last failed reload (the version above keeps serving), [] after a good one. */
  loadErrors: RuleError[];
}

export function rulesetState(store: RulesetStore): RulesetState {
  const ruleset = store.current();
  const relative = (file: string) => relativeToRules(ruleset.dir, file);
  return {
    rulesetVersion: ruleset.version,
    loadedAt: ruleset.loadedAt.toISOString(),
    rules: ruleset.rules.length,
    files: ruleset.files.map(relative),
    loadErrors: store.loadErrors().map((error) => ({ ...error, file: relative(error.file) })),
  };
}

/** A rule file's path as the author knows it (relative to the rules directory), if it is inside it. */
export function relativeToRules(dir: string, file: string): string {
  const inside = path.relative(dir, file);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? inside : file;
}
