import { Ajv, type ErrorObject } from 'ajv';
import { readSchema } from '../paths.js';
import type { OktaHookRequest, OktaHookResponse } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const requestValidator = ajv.compile<OktaHookRequest>(readSchema('okta-request.schema.json'));
const responseValidator = ajv.compile<OktaHookResponse>(readSchema('okta-response.schema.json'));

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Checks a body against schemas/okta-request.schema.json and says, in words, what is wrong. */
export function validateRequest(body: unknown): Checked<OktaHookRequest> {
  if (requestValidator(body)) return { ok: true, value: body };
  return { ok: false, problems: describe(requestValidator.errors ?? []) };
}

/** Checks an answer against schemas/okta-response.schema.json (used by tests and the CLI). */
export function validateResponse(body: unknown): Checked<OktaHookResponse> {
  if (responseValidator(body)) return { ok: true, value: body };
  return { ok: false, problems: describe(responseValidator.errors ?? []) };
}

function describe(errors: ErrorObject[]): string[] {
  const out = new Set<string>();
  for (const error of errors) {
    const where = error.instancePath === '' ? 'body' : error.instancePath.slice(1).replace(/\//g, '.');
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'anyOf' && error.instancePath === '/data') {
      out.add('data: needs data.userProfile (self-service registration) or data.userProfileUpdate / data.context.user (progressive profile)');
    } else if (error.keyword === 'required' && error.instancePath === '/data' && ['userProfile', 'userProfileUpdate', 'context', 'user'].includes(String(params.missingProperty))) {
      continue; // said by the anyOf message above
    } else if (error.keyword === 'required' && /\/data\/(context|user)$/.test(error.instancePath)) {
      continue;
    } else if (error.keyword === 'required') {
      out.add(`${where}: missing required property "${String(params.missingProperty)}"`);
    } else if (error.keyword === 'additionalProperties') {
      out.add(`${where}: unexpected property "${String(params.additionalProperty)}"`);
    } else if (error.keyword === 'enum' || error.keyword === 'const') {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      out.add(`${where}: must be ${allowed.map((v) => JSON.stringify(v)).join(' or ')}`);
    } else {
      out.add(`${where}: ${error.message ?? error.keyword}`);
    }
  }
  return [...out];
}
