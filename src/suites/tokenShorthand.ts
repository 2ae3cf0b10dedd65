import { TOKEN_EVENT_TYPE, type TokenHookRequest } from '../hooks/token/types.js';
import type { JsonObject } from '../okta/types.js';
import type { Shorthand } from './types.js';

const ISSUER = 'https://example.okta.com/oauth2/default';

/** The grant types the shorthand knows; the first two make the hook fire at /authorize, as Okta does. */
const AT_AUTHORIZE: Readonly<Record<string, string>> = { authorization_code: 'code', implicit: 'token id_token' };

/**
 * {requestType: token, user, client, scopes, grantType, claims, query, ipAddress} → a full token
 * request shaped as Okta sends one in that flow: at /authorize for authorization_code and
 * implicit (no grant_type), at /token otherwise; client_credentials has no user and no ID token.
 * `claims: {identity: null}` mints no ID token; a token's claims default to the few Okta always sets.
 */
export function tokenFromShorthand(spec: Shorthand): TokenHookRequest | string {
  if (spec.profile || spec.submitted) return 'a token request has no profile or submitted: give user, client, scopes, grantType, claims or query';
  const grantType = spec.grantType ?? 'authorization_code';
  const machine = grantType === 'client_credentials';
  if (machine && spec.user) return 'a client_credentials request has no user';
  const clientId = spec.client?.id ?? '0oatestclient';
  const client = { id: clientId, name: spec.client?.name ?? 'Test client', type: spec.client?.type ?? (machine ? 'CONFIDENTIAL' : 'PUBLIC') };
  const scopes = spec.scopes ?? (machine ? [] : ['openid', 'profile']);
  const query = new URLSearchParams(Object.entries(spec.query ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => [name, String(v)]) : [[name, String(value)]])));
  const responseType = AT_AUTHORIZE[grantType];
  const endpoint = responseType ? 'authorize' : 'token';
  const url = `${ISSUER}/v1/${endpoint}${query.size > 0 ? `?${query.toString()}` : ''}`;
  const user = machine ? undefined : { id: spec.user?.id ?? '00utest', ...(spec.user ?? {}), profile: spec.user?.profile ?? {} };
  const subject = user?.id ?? clientId;
  const identityClaims = spec.claims?.identity;
  const mintsIdentity = !machine && identityClaims !== null && scopes.includes('openid');
  const lifetime = { lifetime: { expiration: 3600 } };
  const request: TokenHookRequest = {
    eventId: 'hook-rules-test',
    eventType: TOKEN_EVENT_TYPE,
    eventTypeVersion: '1.0',
    contentType: 'application/json',
    cloudEventVersion: '0.1',
    source: `${ISSUER}/v1/${endpoint}`,
    data: {
      context: {
        request: { id: 'reqtest', method: responseType ? 'GET' : 'POST', url: { value: url }, ...(spec.ipAddress ? { ipAddress: spec.ipAddress } : {}) },
        protocol: {
          type: 'OAUTH2.0',
          request: { client_id: clientId, scope: scopes.join(' '), ...(responseType ? { response_type: responseType } : { grant_type: grantType }) },
          issuer: { uri: ISSUER },
          client,
        },
        ...(user ? { user } : {}),
      },
      access: {
        claims: spec.claims?.access ?? ({ ver: 1, iss: ISSUER, aud: 'api://default', cid: clientId, sub: subject, ...(user ? { uid: user.id } : {}) } as JsonObject),
        token: lifetime,
        scopes: Object.fromEntries(scopes.map((name) => [name, { id: `scp${name}`, action: 'GRANT' }])),
      },
      ...(mintsIdentity ? { identity: { claims: identityClaims ?? ({ ver: 1, iss: ISSUER, aud: clientId, sub: subject } as JsonObject), token: lifetime } } : {}),
    },
  };
  return request;
}
