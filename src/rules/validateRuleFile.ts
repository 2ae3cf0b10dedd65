import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readSchema } from '../paths.js';
import type { PathSegment } from '../language/position.js';
import type { ParsedYaml } from './parseYamlFile.js';
import { nearest } from '../language/nearest.js';
import type { RuleError } from '../language/RuleError.js';
import type { RuleFile } from './types.js';

// verbose: an error carries its schema, so an unknown property can be matched to the known ones.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false, verbose: true });
const validate = ajv.compile<RuleFile>(readSchema('rules.schema.json'));

/**
 * Checks one parsed file against schemas/rules.schema.json; errors carry file:line:column and,
 * inside a rule, the rule they belong to (its id and where it starts).
 */
export function validateRuleFile(parsed: ParsedYaml): RuleError[] {
  if (parsed.value === null || parsed.value === undefined) return []; // an empty file is an empty ruleset part
  if (validate(parsed.value)) return [];
  return describeErrors(validate.errors ?? []).map(({ path, key, problem }) => {
    const rule = ruleAt(parsed, path);
    if (!rule) return { ...parsed.positionOf(path, key), message: `${pathText(path)}: ${problem}` };
    const inside = path.slice(2);
    return { ...parsed.positionOf(path, key), rule: rule.rule, message: inside.length ? `${pathText(inside)}: ${problem}` : problem };
  });
}

/** The rule a path inside a rule file points into: its id (or rules[n] without one) and where it starts. */
export function ruleAt(parsed: ParsedYaml, path: readonly PathSegment[]): { rule: NonNullable<RuleError['rule']> } | undefined {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
  const rules = (parsed.value as { rules?: unknown } | null)?.rules;
  const item = Array.isArray(rules) ? (rules[path[1]] as { id?: unknown } | undefined) : undefined;
  const id = typeof item?.id === 'string' && item.id !== '' ? item.id : undefined;
  const { line, column } = parsed.positionOf(['rules', path[1]]);
  return { rule: { ...(id ? { id } : { index: path[1] }), line, column } };
}

/** Checks a parsed YAML file against a compiled schema; each error in words, at file:line:column. */
export function schemaErrors(parsed: ParsedYaml, check: ValidateFunction): RuleError[] {
  if (check(parsed.value)) return [];
  return describeErrors(check.errors ?? []).map(({ path, key, problem }) => ({
    ...parsed.positionOf(path, key),
    message: `${pathText(path)}: ${problem}`,
  }));
}

interface Described {
  path: PathSegment[];
  key?: string;
  /** What is wrong, without saying where. */
  problem: string;
  /** A missing required property, or the known property an unknown one is near. */
  missing?: string;
  near?: string;
}

function describeErrors(errors: ErrorObject[]): Described[] {
  // oneOf/anyOf/not failures repeat what their branches said; keep the leaf errors unless
  // the composite is all there is at that path.
  const leafPaths = new Set(errors.filter((e) => !isComposite(e)).map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Described[] = [];
  for (const error of errors) {
    if (isComposite(error) && leafPaths.has(error.instancePath) && error.keyword !== 'not') continue;
    const described = describe(error);
    const id = `${described.path.join('/')}|${described.key ?? ''}|${described.problem}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(described);
  }
  // "messages" where "message" is required: the misspelling says it all; "missing message" is noise.
  const misspelt = new Set(out.filter((d) => d.near).map((d) => `${d.path.join('/')}|${d.near}`));
  return out.filter((d) => !d.missing || !misspelt.has(`${d.path.join('/')}|${d.missing}`));
}

function isComposite(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'not';
}

function describe(error: ErrorObject): Described {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = nearest(name, known);
      return { path, key: name, problem: `unknown property "${name}"${near ? ` (did you mean "${near}"?)` : ''}`, ...(near ? { near } : {}) };
    }
    case 'required':
      return { path, problem: `missing required property "${String(params.missingProperty)}"`, missing: String(params.missingProperty) };
    case 'enum':
      return { path, problem: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, problem: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'not':
      if (/^\/lists\/[^/]+$/.test(error.instancePath)) {
        return { path, problem: 'a list takes its entries from values, or from file/package, not both' };
      }
      if (/\/then$/.test(error.instancePath)) {
        return { path, problem: 'deny cannot be combined with allow, update or updateFrom' };
      }
      return { path, problem: error.message ?? 'is not allowed' };
    case 'propertyNames':
      return { path, key: String(params.propertyName), problem: `property name "${String(params.propertyName)}" is not allowed` };
    default:
      return { path, problem: error.message ?? error.keyword };
  }
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** rules[0].then.deny — the way a person would name the place. */
export function pathText(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(file)';
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? (i === 0 ? seg : `.${seg}`) : `["${seg}"]`))
    .join('');
}
