import type { RequestContext } from '../../engine/RequestContext.js';
import { GENERIC_DENY_MESSAGE } from '../../okta/denyMessages.js';
import { detectTokenRequestType } from './requestKind.js';
import { tokenFacts } from './tokenFacts.js';
import type { TokenHookRequest } from './types.js';

/** A token request's context: its type (always token), and what conditions see (tokenFacts), frozen. */
export function tokenContext(request: TokenHookRequest): RequestContext {
  const { type, note } = detectTokenRequestType(request);
  const eventId = typeof request.eventId === 'string' && request.eventId !== '' ? request.eventId : undefined;
  return Object.freeze({ type, note, eventId, data: tokenFacts(request), genericDenyMessage: GENERIC_DENY_MESSAGE[type] });
}

/** Who the decision was about: the user's login (absent for client credentials) and the end user's IP address. */
export function tokenSubject(request: TokenHookRequest): { login?: string; ip?: string } {
  const context = request.data.context;
  const login = context?.user?.profile?.login ?? context?.session?.login;
  const ip = context?.request?.ipAddress;
  const subject: { login?: string; ip?: string } = {};
  if (typeof login === 'string') subject.login = login;
  if (typeof ip === 'string') subject.ip = ip;
  return subject;
}
