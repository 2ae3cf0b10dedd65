// Okta's token inline hook contract (com.okta.oauth2.tokens.transform), typed once.
// The request types follow what Okta really sends, not only its OpenAPI spec: `originalGrant` in
// camelCase, no `user`/`session`/`identity` in some flows, string or number versions, several
// `response_type` values in one string. See test/fixtures/README.md for the published payloads.

import type { Json, JsonObject, OktaRequestInfo } from '../../okta/types.js';

/** The event type Okta sends, and the request type's name in rules, logs and metrics. */
export const TOKEN_EVENT_TYPE = 'com.okta.oauth2.tokens.transform';
export const TOKEN_REQUEST_TYPE = 'token';
export type TokenRequestType = typeof TOKEN_REQUEST_TYPE;

/** The two tokens a request can mint, as rules name them. */
export const TOKEN_KINDS = ['identity', 'access'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const TOKEN_COMMAND = {
  identity: 'com.okta.identity.patch',
  access: 'com.okta.access.patch',
} as const satisfies Record<TokenKind, string>;
export type TokenCommandType = (typeof TOKEN_COMMAND)[TokenKind];

/** Okta refuses other lifetimes (seconds). */
export const LIFETIME_MIN_SECONDS = 300;
export const LIFETIME_MAX_SECONDS = 86_400;
export const LIFETIME_PATH = '/token/lifetime/expiration';
export const CLAIMS_PREFIX = '/claims/';

/** A token as Okta minted it: `data.identity` (ID token) or `data.access` (access token). */
export interface MintedToken {
  claims?: JsonObject;
  token?: { lifetime?: { expiration?: number; [key: string]: unknown }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface AccessToken extends MintedToken {
  /** Scope name → its grant: `{ "openid": { "id": "scp…", "action": "GRANT" } }`. */
  scopes?: Record<string, { id?: string; action?: string; [key: string]: unknown }>;
}

/** The OAuth request's parameters. At /authorize there is no grant_type; response_type may hold several values ("token id_token"). */
export interface TokenProtocolRequest {
  client_id?: string;
  grant_type?: string;
  redirect_uri?: string;
  response_mode?: string;
  response_type?: string;
  scope?: string;
  state?: string;
  [key: string]: unknown;
}

export interface TokenRequestContext {
  request?: OktaRequestInfo;
  protocol?: {
    type?: string;
    request?: TokenProtocolRequest;
    /** Refresh grants only. Okta's spec spells it `OriginalGrant` (inner key `request` in old spec versions); the wire says this. */
    originalGrant?: {
      authorization?: TokenProtocolRequest;
      refresh_token?: { jti?: string; [key: string]: unknown };
      [key: string]: unknown;
    };
    issuer?: { uri?: string; [key: string]: unknown };
    client?: { id?: string; name?: string; type?: string; [key: string]: unknown };
    [key: string]: unknown;
  };
  /** Absent without a signed-in session (client credentials). */
  session?: {
    id?: string;
    userId?: string;
    login?: string;
    status?: string;
    amr?: string[];
    idp?: { id?: string; type?: string };
    mfaActive?: boolean;
    [key: string]: unknown;
  };
  /** Absent without a user (client credentials; some redirect flows before 2022). */
  user?: {
    id?: string;
    passwordChanged?: string;
    profile?: JsonObject;
    [key: string]: unknown;
  };
  /** The access policy and its rule that invoked the hook. */
  policy?: { id?: string; rule?: { id?: string; [key: string]: unknown }; [key: string]: unknown };
  [key: string]: unknown;
}

/** The body Okta POSTs to a token inline hook. */
export interface TokenHookRequest {
  eventId?: string;
  eventTime?: string;
  eventType?: typeof TOKEN_EVENT_TYPE;
  eventTypeVersion?: string | number;
  contentType?: string;
  cloudEventVersion?: string | number;
  /** The Okta endpoint that triggered the hook: …/v1/authorize or …/v1/token. */
  source?: string;
  data: {
    context: TokenRequestContext;
    /** The ID token, when this request mints one. */
    identity?: MintedToken;
    /** The access token, when this request mints one. */
    access?: AccessToken;
    refresh_token?: { jti?: string; [key: string]: unknown };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One JSON Patch operation Okta applies to a token. */
export type TokenPatchOp =
  | { op: 'add'; path: string; value: Json }
  | { op: 'replace'; path: string; value: Json }
  | { op: 'remove'; path: string; value?: null };

export interface TokenCommand {
  type: TokenCommandType;
  value: TokenPatchOp[];
}

/** What a token hook answers. `error` refuses the token (the client gets server_error); never sent with commands. */
export interface TokenHookResponse {
  commands?: TokenCommand[];
  error?: { errorSummary: string };
  /** Goes to Okta's System Log: never claim values. */
  debugContext?: Record<string, Json>;
}
