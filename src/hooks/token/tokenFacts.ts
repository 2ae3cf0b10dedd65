import { emailDomain } from '../../engine/emailDomain.js';
import type { JsonObject } from '../../okta/types.js';
import { TOKEN_REQUEST_TYPE, type TokenHookRequest, type TokenRequestType } from './types.js';

/** The OAuth client the token is for (data.context.protocol.client). */
export interface TokenClient {
  readonly id: string | null;
  readonly name: string | null;
  readonly type: string | null;
}

/** Query parameters: one value as text, a repeated parameter as the list of its values. */
export type QueryParameters = Readonly<Record<string, string | readonly string[]>>;

/** What conditions see besides the raw payload, the same in every flow. */
export interface TokenConveniences {
  readonly requestType: TokenRequestType;
  /** data.context.user, or null (client credentials). */
  readonly user: JsonObject | null;
  /** The user's login when it is an address, else the ID token's `email` claim; null when neither. */
  readonly email: string | null;
  /** The email's domain, lowercased (punycode for international names); null when none. */
  readonly emailDomain: string | null;
  /** data.context.request.ipAddress, or null. */
  readonly ipAddress: string | null;
  readonly client: TokenClient | null;
  /** protocol.request.grant_type; at /authorize (none sent) authorization_code or implicit from response_type; else null. */
  readonly grantType: string | null;
  /** The granted scope names (data.access.scopes), in the order Okta sent them. */
  readonly scopes: readonly string[];
  /** The parameters of data.context.request.url.value (extra /authorize parameters reach the hook this way). */
  readonly query: QueryParameters;
  /** Each token's claims as Okta minted them; null for a token this request does not mint. */
  readonly claims: { readonly identity: JsonObject | null; readonly access: JsonObject | null };
}

/** The data a token rule's condition sees: the payload's own keys (`data`, `source`, …) and the conveniences. */
export type TokenFacts = Readonly<Omit<TokenHookRequest, keyof TokenConveniences> & TokenConveniences>;

/**
 * Builds what conditions see for one token request. Pure: the request is not changed, and the
 * result and the objects it adds are frozen; the payload's own objects are shared, not copied.
 */
export function tokenFacts(request: TokenHookRequest): TokenFacts {
  const data = request.data;
  const context = objectOrNull(data.context);
  const user = objectOrNull(context?.user);
  const identity = objectOrNull(data.identity);
  const access = objectOrNull(data.access);
  const identityClaims = identity ? (objectOrNull(identity.claims) ?? Object.freeze({})) : null;
  const accessClaims = access ? (objectOrNull(access.claims) ?? Object.freeze({})) : null;
  const email = pickEmail(user, identityClaims);
  const ip = objectOrNull(context?.request)?.ipAddress;
  const protocol = objectOrNull(context?.protocol);
  const conveniences: TokenConveniences = {
    requestType: TOKEN_REQUEST_TYPE,
    user: user as JsonObject | null,
    email,
    emailDomain: emailDomain(email),
    ipAddress: typeof ip === 'string' ? ip : null,
    client: clientOf(protocol),
    grantType: grantTypeOf(objectOrNull(protocol?.request)),
    scopes: Object.freeze(grantedScopes(access?.scopes)),
    query: queryOf(objectOrNull(objectOrNull(context?.request)?.url)?.value),
    claims: Object.freeze({ identity: identityClaims as JsonObject | null, access: accessClaims as JsonObject | null }),
  };
  // Object.assign rather than a spread followed by new keys: V8 builds that through slow transitions.
  return Object.freeze(Object.assign({}, request, conveniences)) as TokenFacts;
}

function pickEmail(user: Record<string, unknown> | null, identityClaims: Record<string, unknown> | null): string | null {
  const login = objectOrNull(user?.profile)?.login;
  if (typeof login === 'string' && login.includes('@')) return login;
  const claim = identityClaims?.email;
  return typeof claim === 'string' && claim !== '' ? claim : null;
}

function clientOf(protocol: Record<string, unknown> | null): TokenClient | null {
  const client = objectOrNull(protocol?.client);
  const requestedId = objectOrNull(protocol?.request)?.client_id;
  const id = textOrNull(client?.id) ?? textOrNull(requestedId);
  if (!client && id === null) return null;
  return Object.freeze({ id, name: textOrNull(client?.name), type: textOrNull(client?.type) });
}

/**
 * At /authorize Okta sends no grant_type. A response_type with `code` is the authorization-code
 * flow (hybrid flows included: they redeem the code); `token` / `id_token` alone is implicit.
 */
function grantTypeOf(request: Record<string, unknown> | null): string | null {
  const grant = textOrNull(request?.grant_type);
  if (grant !== null) return grant;
  const responseType = textOrNull(request?.response_type);
  if (responseType === null) return null;
  const types = responseType.split(/\s+/);
  if (types.includes('code')) return 'authorization_code';
  if (types.includes('token') || types.includes('id_token')) return 'implicit';
  return null;
}

/** Scope names whose grant is GRANT (or says nothing else): other actions are undocumented, so not taken as granted. */
function grantedScopes(scopes: unknown): string[] {
  const all = objectOrNull(scopes);
  if (!all) return [];
  const out: string[] = [];
  for (const [name, grant] of Object.entries(all)) {
    const action = objectOrNull(grant)?.action;
    if (action === undefined || action === 'GRANT') out.push(name);
  }
  return out;
}

/**
 * The query string is read without parsing the whole URL: Okta's samples carry hosts such as
 * `{yourOktaDomain}` that no URL parser accepts. No prototype, so `query.constructor` is only
 * ever a parameter.
 */
function queryOf(url: unknown): QueryParameters {
  const query = Object.create(null) as Record<string, string | string[]>;
  if (typeof url === 'string') {
    const start = url.indexOf('?');
    if (start >= 0) {
      const hash = url.indexOf('#', start);
      for (const [name, value] of new URLSearchParams(url.slice(start + 1, hash < 0 ? undefined : hash))) {
        const earlier = query[name];
        if (earlier === undefined) query[name] = value;
        else if (typeof earlier === 'string') query[name] = [earlier, value];
        else earlier.push(value);
      }
    }
  }
  for (const value of Object.values(query)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(query);
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
