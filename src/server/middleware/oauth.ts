import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OAuthConfig } from '../../config.js';
import { capText } from '../../observability/capText.js';

/** Asymmetric algorithms only: `none` and shared-secret HMAC can never verify a hook token. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export type BearerResult =
  | { ok: true; claims: JWTPayload }
  /** unavailable: the keys could not be fetched, so the token was not judged (answer 5xx: Okta retries). */
  | { ok: false; reason: string; unavailable: boolean };

export interface BearerVerifier {
  verify(token: string): Promise<BearerResult>;
}

export interface VerifierOptions {
  /** How long after a fetch an unknown `kid` may not trigger another (jose's cooldown). */
  cooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
  clockToleranceSec?: number;
}

/**
 * Verifies the `Authorization: Bearer <JWT>` Okta sends on an OAUTH channel: signature against
 * the issuer's JWKS (jose caches it and refetches when a token names a key it has not seen, which
 * is how key rotation arrives), then iss, aud, exp/nbf and, if configured, one scope and the
 * accepted clients.
 */
export function createBearerVerifier(config: OAuthConfig, options: VerifierOptions = {}): BearerVerifier {
  const timeoutMs = options.timeoutMs ?? 2_000; // Okta waits 3 s in all
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    keys ??= resolveJwksUri(config, timeoutMs).then((uri) =>
      createRemoteJWKSet(new URL(uri), {
        timeoutDuration: timeoutMs,
        cooldownDuration: options.cooldownMs ?? 30_000,
        cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
      }),
    );
    keys.catch(() => (keys = undefined)); // a failed discovery is retried by the next request
    return keys;
  };

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await keySet(), {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALLOWED_ALGORITHMS,
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSec ?? 30,
        });
        if (config.scope !== undefined && !scopesOf(payload).includes(config.scope)) {
          return { ok: false, reason: `token lacks the scope ${config.scope}`, unavailable: false };
        }
        const notClient = config.clientIds ? clientProblem(payload, config.clientIds) : undefined;
        if (notClient) return { ok: false, reason: notClient, unavailable: false };
        return { ok: true, claims: payload };
      } catch (error) {
        return { ok: false, reason: reasonOf(error), unavailable: isUnavailable(error) };
      }
    },
  };
}

/** `scp` (Okta: an array) or `scope` (RFC 9068: a space-separated string). */
export function scopesOf(payload: JWTPayload): string[] {
  const found: string[] = [];
  for (const claim of [payload.scp, payload.scope]) {
    if (Array.isArray(claim)) found.push(...claim.filter((s): s is string => typeof s === 'string'));
    else if (typeof claim === 'string') found.push(...claim.split(' ').filter(Boolean));
  }
  return found;
}

/**
 * Why the token is not one of `accepted` clients' (undefined when it is). Okta names the client
 * in `cid`; other servers in `client_id` (RFC 9068). Each of the two the token carries must be
 * accepted, so one cannot vouch for the other.
 */
export function clientProblem(payload: JWTPayload, accepted: readonly string[]): string | undefined {
  const named = [payload.cid, payload.client_id].filter((claim) => claim !== undefined);
  if (named.length === 0) return 'token names no client (no cid or client_id claim)';
  for (const claim of named) {
    if (typeof claim !== 'string' || !accepted.includes(claim)) {
      // A client id is no secret; it is shown (cut short) so an operator can see which app called.
      const shown = typeof claim === 'string' ? JSON.stringify(capText(claim, 64)) : `a ${Array.isArray(claim) ? 'list' : typeof claim}`;
      return `token's client ${shown} is not in OKTA_HOOK_OAUTH_CLIENT_IDS`;
    }
  }
  return undefined;
}

/** The JWKS URI: configured, or from the issuer's discovery document (OpenID, then RFC 8414). */
async function resolveJwksUri(config: OAuthConfig, timeoutMs: number): Promise<string> {
  if (config.jwksUri) return config.jwksUri;
  const base = config.issuer.replace(/\/$/, '');
  const problems: string[] = [];
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    try {
      const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (document.issuer !== config.issuer) throw new Error(`its issuer is ${JSON.stringify(document.issuer)}, not ${config.issuer}`);
      if (typeof document.jwks_uri !== 'string') throw new Error('it has no jwks_uri');
      return document.jwks_uri;
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new DiscoveryError(`no JWKS URI from the issuer's discovery (${problems.join('; ')})`);
}

class DiscoveryError extends Error {}

function isUnavailable(error: unknown): boolean {
  if (error instanceof DiscoveryError || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // jose's generic error is what a non-200 JWKS answer raises; a plain error is a failed fetch.
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  return true;
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} is not valid (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the JWKS matches the token';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return `cannot verify: ${(error as Error).message}`;
}
