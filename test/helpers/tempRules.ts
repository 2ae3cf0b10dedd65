import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadHookRuleset } from '../../src/hooks/loadHookRuleset.js';
import type { RuleError } from '../../src/language/RuleError.js';
import type { CompiledRuleset } from '../../src/ruleset/CompiledRuleset.js';

/** A real temporary rules directory; `files` maps relative names to contents. */
export async function tempRulesDir(files: Record<string, string>): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Loads YAML texts as a ruleset through the real loader, failing loudly on errors. */
export async function rulesetOf(files: Record<string, string>): Promise<CompiledRuleset> {
  const { dir, remove } = await tempRulesDir(files);
  try {
    const result = await loadHookRuleset(dir);
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('\n'));
    return result.ruleset;
  } finally {
    await remove();
  }
}

/** Loads YAML texts that must be refused, and gives the loader's errors, each with its file's base name. */
export async function loadErrors(files: Record<string, string>): Promise<Array<RuleError & { name: string }>> {
  const { dir, remove } = await tempRulesDir(files);
  try {
    const result = await loadHookRuleset(dir);
    if (result.ok) throw new Error('expected the ruleset to be rejected');
    return result.errors.map((e) => ({ ...e, name: path.basename(e.file) }));
  } finally {
    await remove();
  }
}

/** A real temporary folder of rule files; `cleanup` removes it. */
export async function tempRules(files: Record<string, string> = {}): Promise<{ dir: string; write(name: string, text: string): Promise<string>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-'));
  const write = async (name: string, text: string) => {
    const full = path.join(dir, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
    return full;
  };
  for (const [name, text] of Object.entries(files)) await write(name, text);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A minimal rule file denying one domain, so tests can tell versions apart by behaviour. */
export function denyDomainRules(domain: string, id = 'deny-domain'): string {
  return `rules:
  - id: ${id}
    description: deny ${domain}
    appliesTo: [self.service.registration]
    when: { "==": [{ var: emailDomain }, ${domain}] }
    then: { deny: { message: "${domain} may not register" } }
`;
}

/**
 * For a describe block: returns `rules(files)`, which makes a temporary rules folder that is
 * removed after each test.
 */
export function tempRulesPerTest(): (files?: Record<string, string>) => ReturnType<typeof tempRules> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  return async (files = {}) => {
    const made = await tempRules(files);
    cleanups.push(made.cleanup);
    return made;
  };
}
