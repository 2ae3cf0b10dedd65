import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readSchema } from '../paths.js';
import type { ParsedYaml, PathSegment } from './parseYamlFile.js';
import type { RuleError } from './RuleError.js';
import type { RuleFile } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const validate = ajv.compile<RuleFile>(readSchema('rules.schema.json'));

/** Checks one parsed file against schemas/rules.schema.json; errors carry file:line:column. */
export function validateRuleFile(parsed: ParsedYaml): RuleError[] {
  if (parsed.value === null || parsed.value === undefined) return []; // an empty file is an empty ruleset part
  return schemaErrors(parsed, validate);
}

/** Checks a parsed YAML file against a compiled schema; each error in words, at file:line:column. */
export function schemaErrors(parsed: ParsedYaml, check: ValidateFunction): RuleError[] {
  if (check(parsed.value)) return [];
  return describeErrors(check.errors ?? []).map(({ path, key, message }) => ({
    ...parsed.positionOf(path, key),
    message,
  }));
}

interface Described {
  path: PathSegment[];
  key?: string;
  message: string;
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
    const id = `${described.path.join('/')}|${described.key ?? ''}|${described.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(described);
  }
  return out;
}

function isComposite(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'not';
}

function describe(error: ErrorObject): Described {
  const path = pointerToPath(error.instancePath);
  const where = pathText(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path,
        key: String(params.additionalProperty),
        message: `${where}: unknown property "${String(params.additionalProperty)}"`,
      };
    case 'required':
      return { path, message: `${where}: missing required property "${String(params.missingProperty)}"` };
    case 'enum':
      return {
        path,
        message: `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, message: `${where}: must be ${JSON.stringify(params.allowedValue)}` };
    case 'not':
      if (/^\/lists\/[^/]+$/.test(error.instancePath)) {
        return { path, message: `${where}: a list takes its entries from values, or from file/package, not both` };
      }
      if (/\/then$/.test(error.instancePath)) {
        return { path, message: `${where}: deny cannot be combined with allow, update or updateFrom` };
      }
      return { path, message: `${where}: ${error.message ?? 'is not allowed'}` };
    case 'propertyNames':
      return { path, key: String(params.propertyName), message: `${where}: property name "${String(params.propertyName)}" is not allowed` };
    default:
      return { path, message: `${where}: ${error.message ?? error.keyword}` };
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
