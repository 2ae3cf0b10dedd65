import { TOKEN_EVENT_TYPE, TOKEN_REQUEST_TYPE, type TokenHookRequest, type TokenRequestType } from './types.js';

/** The inline hooks this service answers, each on its own route. */
export type HookKind = 'token' | 'registration';

export const REGISTRATION_EVENT_TYPE = 'com.okta.user.pre-registration';

const EVENT_TYPES: Readonly<Record<string, HookKind>> = {
  [TOKEN_EVENT_TYPE]: 'token',
  [REGISTRATION_EVENT_TYPE]: 'registration',
};

const REGISTRATION_REQUEST_TYPES: ReadonlySet<unknown> = new Set(['self.service.registration', 'progressive.profile']);

/**
 * Which hook a body was meant for: its `eventType` when it names one of ours (Okta always sends
 * it), else its shape. A token body is told by its tokens or its OAuth `protocol`, checked first
 * because progressive-profile bodies also carry `data.context.user`. null when nothing says.
 */
export function hookKindOf(body: unknown): HookKind | null {
  if (!isObject(body)) return null;
  const declared = typeof body.eventType === 'string' ? EVENT_TYPES[body.eventType] : undefined;
  if (declared) return declared;
  const data = body.data;
  if (!isObject(data)) return REGISTRATION_REQUEST_TYPES.has(body.requestType) ? 'registration' : null;
  const context = isObject(data.context) ? data.context : undefined;
  if (isObject(data.identity) || isObject(data.access) || isObject(context?.protocol)) return 'token';
  if (REGISTRATION_REQUEST_TYPES.has(body.requestType) || isObject(data.userProfile) || isObject(data.userProfileUpdate)) return 'registration';
  if (isObject(context?.user) || (isObject(data.user) && isObject(data.user.profile))) return 'registration';
  return null;
}

/** A token request's type, as registration's detectRequestType gives it: the note says when it was not declared. */
export function detectTokenRequestType(request: TokenHookRequest): { type: TokenRequestType; note?: string } {
  if (request.eventType === TOKEN_EVENT_TYPE) return { type: TOKEN_REQUEST_TYPE };
  return { type: TOKEN_REQUEST_TYPE, note: `no eventType ${TOKEN_EVENT_TYPE}; treated as ${TOKEN_REQUEST_TYPE} from the body (its tokens or OAuth protocol)` };
}

/** True when the body is a token inline hook request (by eventType or shape). */
export function isTokenRequest(body: unknown): boolean {
  return hookKindOf(body) === 'token';
}

const HOOK_NAMES: Readonly<Record<HookKind, string>> = {
  token: `a token inline hook request (${TOKEN_EVENT_TYPE})`,
  registration: `a registration inline hook request (${REGISTRATION_EVENT_TYPE})`,
};

/**
 * The 400 message for a body sent to the other hook's route, or null when it belongs here (or
 * nothing says where it belongs: the route's own validation then explains what is missing).
 */
export function wrongRouteProblem(body: unknown, route: HookKind, routes: Readonly<Record<HookKind, string>>): string | null {
  const kind = hookKindOf(body);
  if (kind === null || kind === route) return null;
  return `this is ${HOOK_NAMES[kind]}; send it to ${routes[kind]}, not ${routes[route]}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
