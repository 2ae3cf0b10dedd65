import { emailDomain } from '../../engine/emailDomain.js';
import type { RequestContext } from '../../engine/RequestContext.js';
import { GENERIC_DENY_MESSAGE } from '../../okta/denyMessages.js';
import type { JsonObject, OktaHookRequest, RequestType } from '../../okta/types.js';
import { detectRequestType } from './requestType.js';

/**
 * The data a condition sees: the request exactly as Okta sent it (so `data.userProfile.email`
 * works as in Okta's docs), plus conveniences that read the same in both flows.
 */
export interface RegistrationData {
  [key: string]: unknown;
  /** The request type as decided (see detectRequestType), not necessarily as sent. */
  requestType: RequestType;
  /** What the user typed in the form: data.userProfile (SSR) or data.userProfileUpdate (PP). */
  submitted: JsonObject;
  /** The profile as it will be: SSR the submitted profile; PP the current profile with the update applied. */
  profile: JsonObject;
  /** The existing user (PP only; null for registration). */
  user: JsonObject | null;
  /** profile.email, else profile.login when it is an address; null when neither. */
  email: string | null;
  /** The email's domain, lowercased (punycode for international names); null when none. */
  emailDomain: string | null;
  /** data.context.request.ipAddress, or null. */
  ipAddress: string | null;
}

/** A registration or progressive-profile request's context: its type, decided once, and what conditions see, frozen. */
export function registrationContext(request: OktaHookRequest): RequestContext {
  const { type, note } = detectRequestType(request);
  const eventId = typeof request.eventId === 'string' && request.eventId !== '' ? request.eventId : undefined;
  return Object.freeze({ type, note, eventId, data: Object.freeze(conditionData(request, type)), genericDenyMessage: GENERIC_DENY_MESSAGE[type] });
}

export function conditionData(request: OktaHookRequest, requestType: RequestType): RegistrationData {
  const data = request.data;
  const user = objectOrNull(data.context?.user);
  let submitted: JsonObject;
  let profile: JsonObject;
  if (requestType === 'progressive.profile') {
    submitted = objectOrEmpty(data.userProfileUpdate ?? data.userProfile);
    profile = { ...objectOrEmpty(user?.profile), ...submitted };
  } else {
    submitted = objectOrEmpty(data.userProfile ?? data.user?.profile);
    profile = submitted;
  }
  const email = pickEmail(profile);
  const ip = data.context?.request?.ipAddress;
  // Object.assign, not `{ ...request, … }`: V8 builds a spread followed by new keys through
  // slow map transitions, on the hot path of every request.
  const conveniences = {
    requestType,
    submitted,
    profile,
    user,
    email,
    emailDomain: emailDomain(email),
    ipAddress: typeof ip === 'string' ? ip : null,
  };
  return Object.assign({}, request, conveniences);
}

function pickEmail(profile: JsonObject): string | null {
  if (typeof profile.email === 'string' && profile.email !== '') return profile.email;
  if (typeof profile.login === 'string' && profile.login.includes('@')) return profile.login;
  return null;
}

function objectOrNull(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

function objectOrEmpty(value: unknown): JsonObject {
  return objectOrNull(value) ?? {};
}
