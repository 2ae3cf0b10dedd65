import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { LIST_CHUNK, yieldToLoop } from './cooperative.js';
import { addEntry, listEntryProblem, type ListKind } from './lists.js';
import { NetworkSetBuilder, parseNetwork, type NetworkSet } from './networks.js';
import type { RuleError } from '../language/RuleError.js';

/** Where a list's entries come from, as written under `lists:` (see schemas/rules.schema.json). */
export interface ListSourceSpec {
  /** A file: relative to the rule file, or with `package`, inside that package. */
  file?: string;
  /** An installed npm package whose data is the list. */
  package?: string;
}

export interface ListSource {
  /** The entries, normalised as NamedList compares them (see `addEntry`). */
  entries: ReadonlySet<string | number>;
  /** For logs and explanations: `lists/blocked.txt` or `disposable-email-domains-js@1.26.0`. */
  label: string;
  /** What the ruleset version hashes, so a changed list is a new version. */
  hashInput: string;
  /** A `networks` list's ranges, built while its entries were read. */
  networks?: NetworkSet;
}

export type ListSourceResult = { ok: true; source: ListSource } | { ok: false; message: string; errors?: RuleError[] };

/**
 * Packages whose list is not their `main`: the data file inside them. Reading a data file
 * (never importing the package's code) keeps a rule file from running code.
 */
const KNOWN_PACKAGE_DATA: Readonly<Record<string, string>> = {
  'disposable-email-domains-js': 'dist/dict/disposable_email_blocklist.json',
};

const RULE_FILE = /\.ya?ml$/i;

export async function readListSource(spec: ListSourceSpec, kind: ListKind, ruleFile: string, rulesDir: string): Promise<ListSourceResult> {
  if (spec.package !== undefined) return readPackageList(spec.package, spec.file, kind, ruleFile);
  const file = path.resolve(path.dirname(ruleFile), spec.file ?? '');
  // Lists live with the rules: a rule file cannot read arbitrary files on the machine.
  if (!isInside(path.resolve(rulesDir), file)) return { ok: false, message: `list file "${spec.file}" is outside the rules directory` };
  if (RULE_FILE.test(file)) return { ok: false, message: `list file "${spec.file}" ends in .yaml/.yml, so it would be read as a rule file; use .txt or .json` };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read list file "${spec.file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const label = path.relative(rulesDir, file);
  return await parseListText(text, file, label, kind, `file:${label}`);
}

async function readPackageList(name: string, file: string | undefined, kind: ListKind, ruleFile: string): Promise<ListSourceResult> {
  const root = await findPackage(name, [path.dirname(ruleFile), PACKAGE_ROOT]);
  if (!root) return { ok: false, message: `package "${name}" is not installed (npm install ${name})` };
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version?: string; main?: string };
  const dataFile = file ?? KNOWN_PACKAGE_DATA[name] ?? (/\.(json|txt)$/i.test(manifest.main ?? '') ? manifest.main : undefined);
  if (!dataFile) {
    return { ok: false, message: `package "${name}" does not export its list as a JSON file; name the data file inside it with file: (a JSON array or a text file)` };
  }
  const full = path.resolve(root, dataFile);
  if (!isInside(root, full)) return { ok: false, message: `file "${dataFile}" is outside package "${name}"` };
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read "${dataFile}" in package "${name}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const label = `${name}@${manifest.version ?? '?'}`;
  return await parseListText(text, full, label, kind, `package:${label}/${dataFile}`);
}

/**
 * A JSON file holds an array of entries; any other file holds one entry a line, `#` comments.
 * Entries are checked and added to the list's Set LIST_CHUNK at a time, with a turn of the
 * event loop between chunks: a 100,000-entry list loads while requests keep being served.
 */
export async function parseListText(text: string, file: string, label: string, kind: ListKind, hashName: string): Promise<ListSourceResult> {
  const hashInput = `${hashName}\0${text}`;
  const entries = new Set<string | number>();
  const errors: RuleError[] = [];
  const networks = kind === 'networks' ? new NetworkSetBuilder() : undefined;
  const take = (value: string | number, line: number, column: number): void => {
    if (!networks) {
      if (kind !== 'values') errors.push(...entryErrors(kind, value, file, line, column));
      addEntry(entries, kind, value);
      return;
    }
    // Parsed once: the same reading checks the entry and gives its range.
    const parsed = typeof value === 'string' ? parseNetwork(value) : { problem: 'is a number, not a network' };
    if ('problem' in parsed) errors.push({ file, line, column, message: `"${value}" ${parsed.problem}` });
    else {
      entries.add(parsed.network.canonical);
      networks.add(parsed.network);
    }
  };
  if (/\.json$/i.test(file)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return { ok: false, message: `${label}: invalid JSON: ${(error as Error).message}` };
    }
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return { ok: false, message: `${label}: a JSON list file holds an array of strings or numbers` };
    }
    const values = data as Array<string | number>;
    for (let i = 0; i < values.length; i++) {
      if (i > 0 && i % LIST_CHUNK === 0) await yieldToLoop();
      take(values[i]!, i + 1, 1);
    }
  } else {
    // Line by line with indexOf rather than split: no second copy of a big file.
    let lineNumber = 0;
    for (let start = 0; start < text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      const line = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
      if (++lineNumber % LIST_CHUNK === 0) await yieldToLoop();
      const entry = line.replace(/(^|\s)#.*$/, '').trim();
      if (entry === '') continue;
      take(entry, lineNumber, line.indexOf(entry) + 1);
    }
  }
  if (errors.length > 0) return { ok: false, message: `${label} has invalid entries`, errors };
  return { ok: true, source: { entries, label, hashInput, ...(networks ? { networks: networks.build() } : {}) } };
}

function entryErrors(kind: ListKind, entry: string | number, file: string, line: number, column: number): RuleError[] {
  const problem = listEntryProblem(kind, entry);
  return problem ? [{ file, line, column, message: `"${entry}" ${problem}` }] : [];
}

/** node_modules/<name> in each base folder or one of its parents, as Node resolves packages. */
async function findPackage(name: string, bases: string[]): Promise<string | undefined> {
  for (const base of bases) {
    for (let dir = path.resolve(base); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      const found = await readFile(path.join(candidate, 'package.json')).then(() => true, () => false);
      if (found) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
