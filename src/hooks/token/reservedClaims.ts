import type { TokenKind } from './types.js';

/**
 * Claims a token hook may not add, change or remove, in either token: the union of every
 * version of Okta's published "Reserved claims for Token Hooks" table (it moved claims between
 * the tokens and added some over the years, and the current spec has no table at all), so no
 * reading of it lets a patch through that Okta would refuse, and refuse all of.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'acr', 'active', 'aid', 'amr', 'app_id', 'app_type', 'as_uri', 'at_hash', 'aud', 'auth_time',
  'authorization_details', 'c_hash', 'cid', 'client_id', 'client_ip', 'client_req_id', 'client_type',
  'client_user_agent', 'cnf', 'device_compliance', 'device_id', 'device_known', 'device_managed',
  'device_name', 'device_trust', 'did', 'dst', 'exp', 'group', 'groups', 'hotk', 'iat', 'idp', 'idp_iss',
  'iss', 'jti', 'mac_key', 'may_act', 'nonce', 'oid', 'okta_emailVerified', 'okta_lastUpdated', 'orig',
  'permissions', 'purpose', 'pwd_exp_days', 'pwd_exp_time', 'rid', 'role', 'rpt', 'rsi', 'scope',
  'scopes', 'scp', 'sid', 'sub', 'term', 'token_type', 'uid', 'user_ip', 'username', 'ver',
]);

/** Okta lets these be changed (not removed) in access tokens only. */
export const ACCESS_TOKEN_CHANGEABLE: ReadonlySet<string> = new Set(['aud', 'sub']);

/** Scopes are granted by the authorization server's policy; a hook cannot change them. */
const SCOPE_CLAIMS: ReadonlySet<string> = new Set(['scp', 'scopes', 'scope']);

export type ClaimChange = 'set' | 'remove';

/** Why `change` of the top-level claim `claim` in `token` would make Okta drop the whole patch, or null when it may. */
export function reservedClaimProblem(token: TokenKind, claim: string, change: ClaimChange): string | null {
  if (!RESERVED_CLAIMS.has(claim)) return null;
  if (SCOPE_CLAIMS.has(claim)) return `"${claim}" holds the granted scopes, which a token hook cannot change (the access policy grants them)`;
  if (ACCESS_TOKEN_CHANGEABLE.has(claim)) {
    if (token === 'identity') return `"${claim}" is reserved in the ID token (it may be changed in the access token only)`;
    if (change === 'remove') return `"${claim}" may be changed in the access token but not removed`;
    return null;
  }
  return `"${claim}" is a reserved claim: Okta refuses a patch that adds, changes or removes it`;
}
