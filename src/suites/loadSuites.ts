import { Ajv } from 'ajv';
import { readFile } from 'node:fs/promises';
import { readSchema } from '../paths.js';
import { listFiles } from '../rules/loadRuleset.js';
import { parseYamlFile } from '../rules/parseYamlFile.js';
import type { RuleError } from '../language/RuleError.js';
import { schemaErrors } from '../rules/validateRuleFile.js';
import { caseRequest } from './caseRequest.js';
import type { LoadedCase, SuiteFile } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<SuiteFile>(readSchema('rules-test.schema.json'));

const SUITE_FILE = /\.test\.ya?ml$/i;

export type SuitesResult = { suites: string[]; cases: LoadedCase[]; errors: RuleError[] };

/** Every *.test.yaml under `dir`, checked against schemas/rules-test.schema.json, its cases ready to run. */
export async function loadSuites(dir: string): Promise<SuitesResult> {
  const suites = (await listFiles(dir)).filter((file) => SUITE_FILE.test(file));
  const cases: LoadedCase[] = [];
  const errors: RuleError[] = [];
  for (const file of suites) {
    const parsed = parseYamlFile(file, await readFile(file, 'utf8'));
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    const problems = schemaErrors(parsed.parsed, validate);
    if (problems.length > 0) {
      errors.push(...problems);
      continue;
    }
    const suite = parsed.parsed.value as SuiteFile;
    const names = new Set<string>();
    for (const [index, spec] of suite.tests.entries()) {
      const at = parsed.parsed.positionOf(['tests', index]);
      if (names.has(spec.name)) errors.push({ ...parsed.parsed.positionOf(['tests', index, 'name']), message: `a test named "${spec.name}" is already in this suite` });
      names.add(spec.name);
      const built = await caseRequest(spec.request, file);
      cases.push({
        suite: file,
        name: spec.name,
        at,
        skip: spec.skip === true,
        ...(suite.lists || spec.lists ? { lists: { ...suite.lists, ...spec.lists } } : {}),
        request: built.ok ? built.request : { problem: built.problem },
        ...(built.ok && built.hook === 'token' ? { hook: 'token' as const } : {}),
        ...(spec.counters ? { counters: spec.counters } : {}),
        ...(spec.facts ? { facts: spec.facts } : {}),
        expect: spec.expect,
      });
    }
  }
  return { suites, cases, errors };
}
