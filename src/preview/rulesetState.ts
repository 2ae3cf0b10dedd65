import { describeRuleError, type RuleError } from '../language/RuleError.js';
import type { RulesetStore } from '../ruleset/RulesetStore.js';
import { relativeToRules } from '../ruleset/relativeToRules.js';

export { relativeToRules };

/** What the page shows about the rules: the version serving requests and the last reload's errors. */
export interface RulesetState {
  rulesetVersion: string;
  loadedAt: string;
  rules: number;
  /** The request types some rule applies to, in the order first met: the page opens on the first. */
  requestTypes: string[];
  files: string[];
  /** Errors of the last failed reload (the version above keeps serving), [] after a good one. */
  loadErrors: Array<RuleError & { /** The words the CLI and the log use, without the position. */ text: string }>;
  /** Warnings of the version in use (e.g. a deny cause the widget cannot place at a field). */
  warnings: RuleError[];
  /** When the last reload was refused and which files had errors; absent after a good one. */
  lastReloadFailure?: { at: string; files: string[] };
}

export function rulesetState(store: RulesetStore): RulesetState {
  const ruleset = store.current();
  const relative = (file: string) => relativeToRules(ruleset.dir, file);
  const failure = store.lastFailure();
  return {
    rulesetVersion: ruleset.version,
    loadedAt: ruleset.loadedAt.toISOString(),
    rules: ruleset.rules.length,
    requestTypes: [...new Set(ruleset.rules.flatMap((rule) => [...rule.appliesTo]))],
    files: ruleset.files.map(relative),
    loadErrors: store.loadErrors().map((error) => {
      const shown = { ...error, file: relative(error.file) };
      return { ...shown, text: describeRuleError(shown) };
    }),
    warnings: ruleset.warnings.map((warning) => ({ ...warning, file: relative(warning.file) })),
    ...(failure ? { lastReloadFailure: { at: failure.at.toISOString(), files: failure.files.map(relative) } } : {}),
  };
}
