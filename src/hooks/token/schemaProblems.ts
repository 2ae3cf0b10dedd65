import type { ErrorObject } from 'ajv';

/** One problem with a body, at a JSON Pointer into it ('' is the body itself). */
export interface BodyProblem {
  path: string;
  message: string;
}

const PATH_RULE =
  'must be /claims/<name> (then /<member>, /<index> or /-), each part a JSON Pointer token (~ written ~0, / written ~1); only replace may use /token/lifetime/expiration';

/**
 * ajv's errors in words, one per place. `if`/`then` and `anyOf` wrappers are left out: the
 * errors inside them already say what is wrong.
 */
export function schemaProblems(errors: readonly ErrorObject[]): BodyProblem[] {
  const out = new Map<string, BodyProblem>();
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'anyOf') continue;
    const params = error.params as Record<string, unknown>;
    let message: string;
    if (/\/definitions\/(claimPath|lifetimePath)\//.test(error.schemaPath)) message = PATH_RULE;
    else if (error.keyword === 'required') message = `missing required property "${String(params.missingProperty)}"`;
    else if (error.keyword === 'additionalProperties') message = `unexpected property "${String(params.additionalProperty)}"`;
    else if (error.keyword === 'enum' || error.keyword === 'const') {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      message = `must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`;
    } else if (error.keyword === 'not' && error.instancePath === '') message = 'has both commands and error: Okta documents no such answer (error alone refuses the token)';
    else message = error.message ?? error.keyword;
    const key = `${error.instancePath}\0${message}`;
    if (!out.has(key)) out.set(key, { path: error.instancePath, message });
  }
  return [...out.values()];
}
