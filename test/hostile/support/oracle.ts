import { validateResponse } from '../../../src/okta/validateRequest.js';
import { validateRequest } from '../../../src/okta/validateRequest.js';
import { MAX_JSON_DEPTH } from '../../../src/server/middleware/jsonBody.js';
import type { Answer } from './http.js';

/** What a stack trace or an internal path looks like if one ever leaks into a body. */
const LEAKS = [/\n\s+at\s/, /node_modules/, /\.[cm]?[jt]s:\d+/, /\bfile:\/\//, /internal_error/, /RangeError|TypeError|ReferenceError/];

/**
 * Every answer the service gives must be a valid Okta answer (200) or a 4xx JSON error
 * `{ error: { code, message, details? } }`; never a 5xx, never a leaked stack. Returns the
 * problems found (empty when the answer is acceptable), so a failing property says why.
 *
 * `protocol` allows what Node's HTTP parser itself answers to unparseable requests (a bare
 * 4xx with no body, before the app sees anything).
 */
export function answerProblems(answer: Answer, options: { protocol?: boolean; head?: boolean } = {}): string[] {
  const problems: string[] = [];
  const { status, text } = answer;
  if (status >= 500) problems.push(`status ${status}`);
  if (status === 0) problems.push('no answer (connection closed)');
  for (const leak of LEAKS) if (leak.test(text)) problems.push(`body leaks ${leak}: ${text.slice(0, 200)}`);
  if (status < 200 || status >= 500) return problems;
  if (options.head) return text === '' ? problems : [...problems, 'HEAD answer has a body'];
  if (options.protocol && status >= 400 && text === '') return problems;
  if (!/^application\/json/.test(String(answer.headers['content-type'] ?? ''))) problems.push(`content-type ${String(answer.headers['content-type'])}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `body is not JSON: ${text.slice(0, 200)}`];
  }
  if (status === 200) {
    const checked = validateResponse(body);
    if (!checked.ok) problems.push(`invalid Okta response: ${checked.problems.join('; ')}`);
  } else if (status >= 400) {
    problems.push(...errorBodyProblems(body));
  } else {
    problems.push(`unexpected status ${status}`);
  }
  return problems;
}

function errorBodyProblems(body: unknown): string[] {
  const error = (body as { error?: unknown })?.error as Record<string, unknown> | undefined;
  if (typeof error !== 'object' || error === null) return ['4xx body has no error object'];
  const problems: string[] = [];
  if (typeof error.code !== 'string' || !/^[a-z_]+$/.test(error.code)) problems.push(`error.code ${JSON.stringify(error.code)}`);
  if (typeof error.message !== 'string' || error.message === '') problems.push('error.message missing');
  if (error.details !== undefined && !(Array.isArray(error.details) && error.details.every((d) => typeof d === 'string'))) problems.push('error.details is not a list of strings');
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) problems.push(`error has extra keys ${extra.join(',')}`);
  if (Object.keys(body as object).length !== 1) problems.push('4xx body has keys beside error');
  return problems;
}

/**
 * The status a JSON body sent as application/json (within the size limit) must get,
 * worked out independently of the server's code path: 400 for invalid JSON, a top level
 * that is not an object, a prototype-poisoning key, nesting past the limit or a body that
 * is not an Okta request; otherwise 200.
 */
export function expectedStatus(text: string): 200 | 400 {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 400;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 400;
  if (hasPoisonKey(value) || depthOf(value) > MAX_JSON_DEPTH) return 400;
  return validateRequest(value).ok ? 200 : 400;
}

/** Depth with the root object at 1 (scalars add nothing). Recursive: callers keep it shallow. */
export function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** A `__proto__` key anywhere (what the body parser, @hapi/bourne, refuses). */
export function hasPoisonKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return true;
    if (hasPoisonKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
