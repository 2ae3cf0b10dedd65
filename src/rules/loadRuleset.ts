import type { OutcomeCheck } from '../language/outcomeCheck.js';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FactEnvironment } from '../facts/compileFact.js';
import { DEFAULT_FACTS_DEADLINE_MS } from '../facts/deadline.js';
import { compileRules, type ValidatedFile } from './compileRules.js';
import { readListSource, type ListSource } from './listSources.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import { yieldToLoop } from './cooperative.js';
import { parseYamlFileCooperatively } from './parseYamlFile.js';
import type { RuleError } from '../language/RuleError.js';
import type { RuleFile } from './types.js';
import { validateRuleFile } from './validateRuleFile.js';

/** Warnings: almost surely mistakes that still load; `validate --strict` refuses them. */
export type LoadResult = { ok: true; ruleset: CompiledRuleset; warnings: RuleError[] } | { ok: false; errors: RuleError[]; warnings: RuleError[] };

/** No environment variables, not production, the default facts deadline. */
const NO_ENVIRONMENT: FactEnvironment = Object.freeze({ env: Object.freeze({}), production: false, deadlineMs: DEFAULT_FACTS_DEADLINE_MS });

const RULE_FILE = /\.ya?ml$/i;
const TEST_FILE = /\.test\.ya?ml$/i;

export function isRuleFile(name: string): boolean {
  return RULE_FILE.test(name) && !TEST_FILE.test(name);
}

/**
 * Reads every rule file under `dir` (sorted, dot-entries such as a ConfigMap's `..data`
 * skipped, symlinks followed), validates each against the schema, and compiles the lot.
 * Lists a rule file takes from a file or an npm package are read here too, and their
 * contents count in the version hash. All errors are collected, never just the first.
 * Nothing is kept unless all is valid. Parsing and list building give the event loop a turn
 * every few thousand tokens or entries (see cooperative.ts), so a reload in a serving process
 * does not stall requests; the caller swaps the result in whole, once it is complete.
 *
 * `environment`: where the environment variables facts name are looked up, and whether this is
 * production (the service passes its configuration's). Without one, none is set.
 */
export interface LoadOptions {
  environment?: FactEnvironment;
  /** The hook types' checks of each rule's outcome: required, so no caller loads token rules unchecked (src/hooks/loadHookRuleset.ts passes them). */
  checkOutcome: OutcomeCheck;
}

export async function loadRuleset(dir: string, options: LoadOptions): Promise<LoadResult> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (error) {
    return { ok: false, errors: [{ file: dir, line: 1, column: 1, message: `cannot read rules directory: ${(error as Error).message}` }], warnings: [] };
  }
  const ruleFiles = files.filter((file) => isRuleFile(file));
  if (ruleFiles.length === 0) {
    return { ok: false, errors: [{ file: dir, line: 1, column: 1, message: 'no rule files (*.yaml, *.yml) found' }], warnings: [] };
  }

  const errors: RuleError[] = [];
  const validated: ValidatedFile[] = [];
  let unread = false; // a file that could not be read or parsed may define lists others use
  const hash = createHash('sha256');
  for (const file of ruleFiles) {
    // A file can vanish between listing and reading (an editor's save, a ConfigMap swap):
    // that is an error of this load, not a rejected promise.
    const text = await readFile(file, 'utf8').catch((error: Error) => error);
    if (text instanceof Error) {
      errors.push({ file, line: 1, column: 1, message: `cannot read rule file: ${text.message}` });
      unread = true;
      continue;
    }
    hash.update(path.relative(dir, file)).update('\0').update(text).update('\0');
    // An empty file is what a reload sees in the middle of an in-place save (truncate, then
    // write): taking it as "no rules" would let the defaults decide until the write lands.
    if (text.trim() === '') {
      errors.push({ file, line: 1, column: 1, message: 'the file is empty; a rule file needs at least one of description, defaults, lists or rules (a comment is enough)' });
      continue;
    }
    const result = await parseYamlFileCooperatively(file, text);
    if (!result.ok) {
      errors.push(...result.errors);
      unread = true;
      continue;
    }
    await yieldToLoop(); // between the steps of a big file: parse, validate, lists
    const problems = validateRuleFile(result.parsed);
    if (problems.length > 0) {
      errors.push(...problems);
      // Still checked (conditions, list names, ids), so a schema error hides nothing else.
      validated.push({ parsed: result.parsed, content: result.parsed.value as RuleFile, schemaValid: false });
      continue;
    }
    const content = (result.parsed.value ?? {}) as RuleFile;
    const listSources = new Map<string, ListSource>();
    for (const [name, spec] of Object.entries(content.lists ?? {})) {
      if (Array.isArray(spec) || (spec.file === undefined && spec.package === undefined)) continue;
      const read = await readListSource(spec, spec.kind ?? 'values', file, dir);
      if (!read.ok) {
        const key = spec.package !== undefined ? 'package' : 'file';
        errors.push(...(read.errors ?? []), { ...result.parsed.positionOf(['lists', name], key), message: `list "${name}": ${read.message}` });
        continue;
      }
      // List contents are part of the ruleset: a changed list file is a new version.
      hash.update(read.source.hashInput).update('\0');
      listSources.set(name, read.source);
    }
    validated.push({ parsed: result.parsed, content, listSources });
  }
  await yieldToLoop();
  const compiled = compileRules(validated, { dir, version: hash.digest('hex').slice(0, 12), partial: unread, environment: options.environment ?? NO_ENVIRONMENT, checkOutcome: options.checkOutcome });
  // Files that passed the schema are still compiled, so one run reports every problem.
  const warnings = byPosition(compiled.warnings);
  if (errors.length > 0) return { ok: false, errors: byPosition(compiled.ok ? errors : [...errors, ...compiled.errors]), warnings };
  if (!compiled.ok) return { ok: false, errors: byPosition(compiled.errors), warnings };
  return { ...compiled, warnings };
}

export function byPosition(errors: RuleError[]): RuleError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

/** Files under `dir`, recursively, in a stable order; entries starting with "." are skipped. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  for (const name of entries) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined); // follows symlinks; a dangling one is skipped
    if (!info) continue;
    if (info.isDirectory()) out.push(...(await listFiles(full)));
    else if (info.isFile()) out.push(full);
  }
  return out;
}
