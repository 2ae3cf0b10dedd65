import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../../rules/loadRuleset.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { parse, print, printError, type Command } from '../Command.js';
import { EXIT } from '../exitCodes.js';
import { relative } from './validate.js';

/** The scaffold's files, shipped in the package beside dist/. */
export const INIT_TEMPLATES = path.join(PACKAGE_ROOT, 'templates', 'init');

export const initCommand: Command = {
  name: 'init',
  help: `hook-rules init: scaffold a repository for your rules

Usage: hook-rules init [dir]

Writes into dir (default: the current folder; created when missing) a repository that
passes its own checks at once:
  rules/registration.yaml       a commented starting ruleset
  rules/registration.test.yaml  its tests, exercising every rule
  package.json                  okta-hook-rules (this version) as a dev dependency; npm test
                                runs hook-rules validate --strict and test --min-coverage 100
  .github/workflows/rules.yml   CI: install, validate, test; on pull requests, hook-rules diff
                                against the base branch (answers that change need a label)
  kustomization.yaml            builds the rules ConfigMap, its name a hash of its content
  README.md, .gitignore         the workflow in short

The first line of each YAML file points editors at the schemas in
node_modules/okta-hook-rules/schemas, there after npm install. Nothing is overwritten: when
any of these files exists, init lists them and writes nothing. Next:
  cd dir && npm install && npm test
The whole workflow (edit, test, diff in pull requests, roll out, roll back) is in
docs/rules-repository.md.

Exit codes: 0 written, 2 bad usage (a file exists already), 1 a file could not be written.
`,
  async run(argv) {
    const { positionals } = parse(argv, {}, 1);
    const dir = path.resolve(positionals[0] ?? '.');
    const templates = await templateFiles();
    const existing: string[] = [];
    for (const { target } of templates) {
      // lstat: a dangling symlink is there too, and is not written through.
      if (await lstat(path.join(dir, target)).then(() => true, () => false)) existing.push(target);
    }
    if (existing.length > 0) {
      printError(`hook-rules init: ${existing.length === 1 ? 'a file' : 'files'} already in ${relative(dir) || '.'}; nothing was written:\n${existing.map((f) => `  ${f}`).join('\n')}`);
      return EXIT.usage;
    }
    const values: Record<string, string> = { '@NAME@': packageName(path.basename(dir)), '@VERSION@': await ownVersion() };
    try {
      for (const { template, target } of templates) {
        let text = await readFile(template, 'utf8');
        if (template.endsWith('.tmpl')) text = text.replace(/@NAME@|@VERSION@/g, (key) => values[key]!);
        await mkdir(path.dirname(path.join(dir, target)), { recursive: true });
        // wx: a file that appeared since the check above is still not overwritten.
        await writeFile(path.join(dir, target), text, { flag: 'wx' });
      }
    } catch (error) {
      printError(`hook-rules init: ${(error as Error).message}`);
      return EXIT.error;
    }
    const shown = relative(dir) || '.';
    print(`Created in ${shown}:\n${templates.map((t) => `  ${t.target}`).join('\n')}\n\nNext:\n${shown === '.' ? '' : `  cd ${shown}\n`}  npm install\n  npm test`);
    return EXIT.ok;
  },
};

/**
 * Each template and where it goes. npm leaves `.gitignore` out of a package, so names starting
 * with "dot-" stand for dot files; `.tmpl` files have @NAME@ and @VERSION@ filled in.
 */
export async function templateFiles(): Promise<Array<{ template: string; target: string }>> {
  return (await listFiles(INIT_TEMPLATES)).map((template) => ({
    template,
    target: path
      .relative(INIT_TEMPLATES, template)
      .split(path.sep)
      .map((part) => part.replace(/^dot-/, '.'))
      .join('/')
      .replace(/\.tmpl$/, ''),
  }));
}

async function ownVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** The folder's name as an npm package name (lowercase, no spaces); "okta-rules" when nothing is left. */
function packageName(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name || 'okta-rules';
}
