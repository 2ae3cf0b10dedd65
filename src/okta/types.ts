// Okta's registration inline hook contract, typed once and reused everywhere.
// See test/fixtures/README.md for the published payloads: these types follow what Okta really sends,
// not only what its OpenAPI spec says (Classic requests, numeric versions…).

/** Every request type rules name in appliesTo and defaults: the registration hook's two, and the token hook's. */
export const REQUEST_TYPES = ['self.service.registration', 'progressive.profile', 'token'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
/** The registration hook's request types: what a counter without appliesTo counts (token requests come far more often, and only when named). */
export const REGISTRATION_REQUEST_TYPES = ['self.service.registration', 'progressive.profile'] as const satisfies readonly RequestType[];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The body Okta POSTs to the hook. Only `data` is required; everything else is optional on the wire. */
/** The HTTP request that made Okta call the hook (`data.context.request`), the same in every hook type. */
export interface OktaRequestInfo {
  id?: string;
  method?: string;
  /** The full URL, query string included (extra /authorize parameters reach the token hook here). */
  url?: { value?: string };
  ipAddress?: string;
  [key: string]: unknown;
}

export interface OktaHookRequest {
  eventId?: string;
  eventTime?: string;
  eventType?: string;
  eventTypeVersion?: string | number;
  contentType?: string;
  cloudEventVersion?: string | number;
  source?: string;
  requestType?: RequestType;
  data: {
    context?: {
      request?: OktaRequestInfo;
      user?: {
        id?: string;
        passwordChanged?: string;
        profile?: JsonObject;
        [key: string]: unknown;
      };
      [key: string]: unknown;
    };
    /** Self-service registration: the attributes submitted in the enrollment form. */
    userProfile?: JsonObject;
    /** Progressive profile: the attributes the user is adding or changing. */
    userProfileUpdate?: JsonObject;
    /** The 2019 early-access draft carried the profile here; kept for tolerance. */
    user?: { profile?: JsonObject };
    action?: 'ALLOW' | 'DENY' | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export const COMMAND = {
  action: 'com.okta.action.update',
  profileUpdate: 'com.okta.user.profile.update',
  progressiveProfileUpdate: 'com.okta.user.progressive.profile.update',
} as const;

export type OktaCommand =
  | { type: typeof COMMAND.action; value: { registration: 'ALLOW' | 'DENY' } }
  | { type: typeof COMMAND.profileUpdate; value: JsonObject }
  | { type: typeof COMMAND.progressiveProfileUpdate; value: JsonObject };

export interface OktaErrorCause {
  errorSummary: string;
  reason?: string;
  locationType?: string;
  location?: string;
  domain?: string;
}

export interface OktaError {
  errorSummary?: string;
  errorCauses?: OktaErrorCause[];
}

/** What the hook answers. Any `error` makes Okta drop every command and fail the flow. */
export interface OktaHookResponse {
  commands?: OktaCommand[];
  error?: OktaError;
  debugContext?: Record<string, string>;
}
