import { Ajv } from 'ajv';
import { readSchema } from '../../paths.js';
import { schemaProblems, type BodyProblem } from './schemaProblems.js';
import type { TokenHookRequest } from './types.js';

const validator = new Ajv({ allErrors: true, strict: false }).compile<TokenHookRequest>(readSchema('okta-token-request.schema.json'));

export type CheckedTokenRequest = { ok: true; value: TokenHookRequest } | { ok: false; problems: BodyProblem[] };

/** Checks a body against schemas/okta-token-request.schema.json, saying in words what is wrong and where. */
export function validateTokenRequest(body: unknown): CheckedTokenRequest {
  if (validator(body)) return { ok: true, value: body };
  const problems = schemaProblems(validator.errors ?? []).map((problem) =>
    problem.path === '/data' && /missing required property "(access|identity)"/.test(problem.message)
      ? { path: '/data', message: 'mints no token: needs data.access or data.identity' }
      : problem,
  );
  return { ok: false, problems: dedupe(problems) };
}

function dedupe(problems: BodyProblem[]): BodyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
