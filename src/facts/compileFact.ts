import { createHash } from 'node:crypto';
import type { CompiledLogic } from '../engine/logic.js';
import type { RuleError } from '../language/RuleError.js';
import type { PathSegment, SourcePosition } from '../language/position.js';
import type { SectionFile } from '../language/section.js';
import { checkSql, placeholderProblems } from './checkSql.js';
import { databaseUrlProblem } from './databaseUrl.js';
import { durationMs } from '../core/duration.js';
import { DEFAULT_FACTS_DEADLINE_MS } from './deadline.js';
import { factsRead } from './factsRead.js';
import type { CompiledFact, FactSpec, HttpFactSpec, HttpLookup, SqlLookup } from './types.js';
import { parseUrlTemplate, type UrlTemplate } from './urlTemplate.js';

export const DEFAULT_FACT_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** What a fact's checks depend on outside the file: the environment, whether this is production, and the request deadline. */
export interface FactEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  production: boolean;
  /** FACTS_DEADLINE_MS, which no fact's timeout may exceed (config.ts reads it); left out, its default. */
  deadlineMs?: number;
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

  const deadlineMs = environment.deadlineMs ?? DEFAULT_FACTS_DEADLINE_MS;
  // A lookup allowed to run past the deadline would hold its socket or pool connection after its answer was given up.
  const timeoutMs = spec.timeout === undefined ? Math.min(DEFAULT_FACT_TIMEOUT_MS, deadlineMs) : durationMs(spec.timeout);
  if (timeoutMs === null) fail([...base, 'timeout'], `timeout ${JSON.stringify(spec.timeout)} is not a duration such as 300ms or 2s`);
  else if (timeoutMs > deadlineMs) fail([...base, 'timeout'], `timeout ${spec.timeout} is longer than FACTS_DEADLINE_MS (${deadlineMs} ms): at most ${deadlineMs}ms, and shorter so that the other facts still count`);
  const cacheMs = spec.cache === undefined ? 0 : durationMs(spec.cache);
  if (cacheMs === null) fail([...base, 'cache'], `cache ${JSON.stringify(spec.cache)} is not a duration such as 30s or 5m`);

  let lookup: SqlLookup | HttpLookup | undefined;
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
    const url = httpTemplate(spec, base, environment.production, fail);
    const path = new Map<string, CompiledLogic>();
    for (const [key, value] of Object.entries(spec.path ?? {})) {
      if (url && !url.names.includes(key)) fail([...base, 'path'], `path.${key} is not used: the URL has no {${key}} placeholder`, key);
      path.set(key, logic(value, [...base, 'path', key]));
    }
    for (const name of url?.names ?? []) if (!path.has(name)) fail([...base, 'http'], `the placeholder {${name}} has no value: give it under path, e.g. path: { ${name}: { var: profile.… } }`);
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
    const query = Object.entries(spec.query ?? {}).map(([key, value]) => [key, logic(value, [...base, 'query', key])] as const);
    const body = spec.body && Object.entries(spec.body).map(([key, value]) => [key, logic(value, [...base, 'body', key])] as const);
    if (url) {
      lookup = {
        kind: 'http',
        url,
        path,
        method: spec.method ?? 'GET',
        query,
        ...(body ? { body } : {}),
        headers,
        maxBytes: spec.maxBytes ?? DEFAULT_MAX_BYTES,
        notFound: spec.notFound === 'error' ? 'error' : 'null',
      };
    }
  }
  if (errors.length > 0 || !lookup) return { errors, warnings };
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
      sourceId: lookup.kind === 'sql' ? `sql:${lookup.database}` : lookup.url.origin,
      lookup,
    }),
    errors,
    warnings,
  };
}

/** The fact's URL template, or undefined after saying why it cannot be one. */
function httpTemplate(spec: HttpFactSpec, base: PathSegment[], production: boolean, fail: (path: PathSegment[], message: string) => void): UrlTemplate | undefined {
  if (typeof spec.http !== 'string') {
    fail(
      [...base, 'http'],
      'http is a URL template, not JSON-Logic: the scheme, host and port are written as they are, and values go into {name} placeholders of the path, e.g. http: https://api.example/v1/users/{id} with path: { id: { var: profile.employeeNumber } }',
    );
    return undefined;
  }
  const parsed = parseUrlTemplate(spec.http, production);
  if ('problem' in parsed) {
    fail([...base, 'http'], parsed.problem);
    return undefined;
  }
  return parsed.template;
}
