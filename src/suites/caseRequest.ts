import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hookKindOf } from '../hooks/token/requestKind.js';
import type { TokenHookRequest } from '../hooks/token/types.js';
import { validateTokenRequest } from '../hooks/token/validateTokenRequest.js';
import type { OktaHookRequest } from '../okta/types.js';
import { validateRequest } from '../okta/validateRequest.js';
import { tokenFromShorthand } from './tokenShorthand.js';
import type { RequestSpec, Shorthand } from './types.js';

export type CaseRequest =
  | { ok: true; hook: 'registration'; request: OktaHookRequest }
  | { ok: true; hook: 'token'; request: TokenHookRequest }
  | { ok: false; problem: string };

/**
 * Turns a test case's request into the request Okta would send, then checks it as the
 * service would, so a test cannot pass on a body the service would refuse with 400.
 */
export async function caseRequest(spec: RequestSpec, suiteFile: string): Promise<CaseRequest> {
  let body: unknown;
  if ('fixture' in spec && typeof spec.fixture === 'string') {
    const file = path.resolve(path.dirname(suiteFile), spec.fixture);
    try {
      body = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      return { ok: false, problem: `fixture ${spec.fixture}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
  } else if ('data' in spec) {
    body = spec;
  } else if ((spec as Shorthand).requestType === 'token') {
    const built = tokenFromShorthand(spec as Shorthand);
    if (typeof built === 'string') return { ok: false, problem: built };
    body = built;
  } else {
    const built = fromShorthand(spec as Shorthand);
    if (typeof built === 'string') return { ok: false, problem: built };
    body = built;
  }
  // A full token payload (or fixture) is told by its eventType or its tokens, as the routes tell it.
  if (hookKindOf(body) === 'token') {
    const checked = validateTokenRequest(body);
    if (!checked.ok) return { ok: false, problem: `not a valid Okta token request: ${checked.problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; ')}` };
    return { ok: true, hook: 'token', request: checked.value };
  }
  const checked = validateRequest(body);
  if (!checked.ok) return { ok: false, problem: `not a valid Okta request: ${checked.problems.join('; ')}` };
  return { ok: true, hook: 'registration', request: checked.value };
}

/** {requestType, profile} or {requestType, submitted, user} → a full request, as Okta shapes it. */
export function fromShorthand(spec: Shorthand): OktaHookRequest | string {
  const type = spec.requestType ?? (spec.user ? 'progressive.profile' : 'self.service.registration');
  const request: OktaHookRequest = {
    eventId: 'hook-rules-test',
    eventType: 'com.okta.user.pre-registration',
    eventTypeVersion: '1.0',
    contentType: 'application/json',
    cloudEventVersion: '0.1',
    requestType: type,
    data: {
      context: spec.ipAddress ? { request: { ipAddress: spec.ipAddress } } : {},
      action: 'ALLOW',
    },
  };
  if (type === 'self.service.registration') {
    if (spec.user) return 'a registration has no existing user: give profile (or submitted), not user';
    if (spec.profile && spec.submitted) return 'give profile or submitted, not both (for registration they are the same)';
    request.data.userProfile = spec.profile ?? spec.submitted ?? {};
  } else {
    if (spec.profile) return 'for progressive.profile, give submitted (the update) and user (the existing user, e.g. {profile: {login: …}}), not profile';
    request.data.userProfileUpdate = spec.submitted ?? {};
    request.data.context = { ...request.data.context, user: { id: '00utest', ...(spec.user ?? {}), profile: spec.user?.profile ?? {} } };
  }
  return request;
}
