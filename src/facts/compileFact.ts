import { createHash } from 'node:crypto';
import type { CompiledLogic } from '../engine/logic.js';
import type { RuleError } from '../language/RuleError.js';
import type { PathSegment, SourcePosition } from '../language/position.js';
import type { SectionFile } from '../language/section.js';
import { checkSql, placeholderProblems } from './checkSql.js';
import { databaseUrlProblem } from './databaseUrl.js';
import { durationMs } from './duration.js';
import { factsRead } from './factsRead.js';
import type { CompiledFact, FactSpec, HttpLookup, SqlLookup } from './types.js';

export const DEFAULT_FACT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** What a fact's checks depend on outside the file: the environment, and whether this is production. */
export interface FactEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  production: boolean;
}

export interface FactCompileResult {
  fact?: CompiledFact;
  errors: RuleError[];
  /** Problems that stop the start only in production (an environment variable not set). */
  warnings: RuleError[];
}

/** Header names whose values are secrets: these must come from the environment. */
const SECRET_HEADER = /auth|key|token|secret|password|cookie|session|signature/i;

/**
 * Checks and compiles one entry of a `facts` section. `at` gives positions in the rule file;
 * `expressions` checks and compiles JSON-Logic as for rules.
 */
export function compileFact(
  name: string,
  spec: FactSpec,
  base: PathSegment[],
  at: (path: PathSegment[], key?: string) => SourcePosition,
  expressions: Pick<SectionFile, 'check' | 'compile'>,
  environment: FactEnvironment,
): FactCompileResult {
  const errors: RuleError[] = [];
  const warnings: RuleError[] = [];
  const fail = (path: PathSegment[], message: string, key?: string) => errors.push({ ...at(path, key), message: `fact "${name}": ${message}` });
  const missingEnv = (path: PathSegment[], variable: string, what: string) => {
    const problem = { ...at(path), message: `fact "${name}": environment variable ${variable} (${what}) is not set` };
    if (environment.production) errors.push(problem);
    else warnings.push(problem);
  };
  const logic = (value: unknown, path: PathSegment[]): CompiledLogic => {
    for (const problem of expressions.check(value, path)) fail(problem.path, problem.message, problem.key);
    for (const read of factsRead(value, path)) fail(read.path, 'a fact cannot read another fact (facts are fetched side by side)');
    return expressions.compile(value);
  };

  const timeoutMs = spec.timeout === undefined ? DEFAULT_FACT_TIMEOUT_MS : durationMs(spec.timeout);
  if (timeoutMs === null) fail([...base, 'timeout'], `timeout ${JSON.stringify(spec.timeout)} is not a duration such as 300ms or 2s`);
  const cacheMs = spec.cache === undefined ? 0 : durationMs(spec.cache);
  if (cacheMs === null) fail([...base, 'cache'], `cache ${JSON.stringify(spec.cache)} is not a duration such as 30s or 5m`);

  let lookup: SqlLookup | HttpLookup;
  if ('sql' in spec) {
    const shape = checkSql(spec.sql);
    for (const problem of [...shape.problems, ...placeholderProblems(shape.placeholders, spec.params?.length ?? 0)]) fail([...base, 'sql'], problem);
    const params = (spec.params ?? []).map((param, i) => logic(param, [...base, 'params', i]));
    const url = environment.env[spec.database];
    if (url === undefined || url === '') missingEnv([...base, 'database'], spec.database, 'the database URL');
    else {
      const problem = databaseUrlProblem(url);
      if (problem) fail([...base, 'database'], `${spec.database}: ${problem}`);
    }
    lookup = { kind: 'sql', sql: spec.sql, params, database: spec.database };
  } else {
    const url = typeof spec.http === 'string' ? spec.http : logic(spec.http, [...base, 'http']);
    if (typeof url === 'string') {
      const problem = httpUrlProblem(url, environment.production);
      if (problem) fail([...base, 'http'], problem);
    }
    if (spec.body !== undefined && spec.method !== 'POST') fail([...base, 'body'], 'a body needs method: POST');
    const headers: Array<readonly [string, string | { env: string }]> = [];
    for (const [header, value] of Object.entries(spec.headers ?? {})) {
      if (typeof value === 'string') {
        if (SECRET_HEADER.test(header)) fail([...base, 'headers', header], `header ${header} looks like a secret: give it as { env: NAME }, never in the rule file`);
      } else if (environment.env[value.env] === undefined || environment.env[value.env] === '') {
        missingEnv([...base, 'headers', header], value.env, `header ${header}`);
      }
      headers.push([header.toLowerCase(), value]);
    }
    lookup = {
      kind: 'http',
      url,
      method: spec.method ?? 'GET',
      query: Object.entries(spec.query ?? {}).map(([key, value]) => [key, logic(value, [...base, 'query', key])] as const),
      ...(spec.body !== undefined ? { body: Object.entries(spec.body).map(([key, value]) => [key, logic(value, [...base, 'body', key])] as const) } : {}),
      headers,
      maxBytes: spec.maxBytes ?? DEFAULT_MAX_BYTES,
    };
  }
  if (errors.length > 0) return { errors, warnings };
  const fingerprint = createHash('sha256').update(JSON.stringify({ ...spec, description: undefined, onError: undefined, reveal: undefined })).digest('hex').slice(0, 16);
  return {
    fact: Object.freeze({
      name,
      source: at(base.slice(0, -1), name),
      fingerprint,
      timeoutMs: timeoutMs!,
      cacheMs: cacheMs!,
      onError: spec.onError ?? 'deny',
      reveal: spec.reveal === true,
      lookup,
    }),
    errors,
    warnings,
  };
}

/** Why a URL cannot be a fact's endpoint, or null. */
export function httpUrlProblem(raw: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the URL must be http(s), not ${url.protocol}`;
  if (production && url.protocol !== 'https:') return 'the URL must be https in production (NODE_ENV=production)';
  if (url.username || url.password) return 'the URL must not hold credentials: give them as a header from { env: NAME }';
  return null;
}
