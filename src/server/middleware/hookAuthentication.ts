import type { Middleware, Next } from 'koa';
import type { Logger } from '../../observability/log.js';
import { HttpError } from '../HttpError.js';
import { headerValues } from './headerValues.js';
import { digest, headerMatches } from './hookAuth.js';
import type { BearerVerifier } from './oauth.js';

export interface HookAuthenticationOptions {
  header: string;
  secrets: readonly string[];
  /** Set when OAuth is configured: a valid `Authorization: Bearer` token is accepted. */
  bearer?: BearerVerifier;
  logger: Logger;
}

/**
 * Okta authenticates a hook call either with a header secret (HTTP channel) or a bearer token
 * (OAUTH channel). Either configured method lets a call in, so a hook can move from one channel
 * to the other without downtime. With neither configured the check is off (the server warns).
 */
export function hookAuthentication(options: HookAuthenticationOptions): Middleware {
  const expected = options.secrets.map(digest);
  const { bearer, logger } = options;
  const name = options.header.toLowerCase();
  // Not async: the header-secret path (every request of the HTTP channel) answers without a
  // promise of its own; only a bearer token needs to wait (for the issuer's keys).
  return (ctx, next) => {
    if (expected.length === 0 && !bearer) return next();
    if (expected.length > 0 && headerMatches(headerValues(ctx.req, name), expected)) return next();
    if (bearer) {
      const values = headerValues(ctx.req, 'authorization');
      const match = values?.length === 1 ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(values[0]!) : null;
      if (match) return verifyBearer(bearer, match[1]!, logger, next);
    }
    throw new HttpError(401, 'unauthorized', 'missing or invalid hook credentials');
  };
}

async function verifyBearer(bearer: BearerVerifier, token: string, logger: Logger, next: Next): Promise<unknown> {
  const result = await bearer.verify(token);
  if (result.ok) return next();
  if (result.unavailable) {
    logger.error({ reason: result.reason }, 'cannot verify hook bearer tokens: the issuer\'s keys are unavailable');
    throw new HttpError(503, 'auth_unavailable', 'cannot verify credentials right now');
  }
  logger.warn({ reason: result.reason }, 'hook bearer token rejected');
  throw new HttpError(401, 'unauthorized', 'missing or invalid hook credentials');
}
