import { timingSafeEqual } from 'node:crypto';
import type { Middleware, Next, ParameterizedContext } from 'koa';
import type { Logger } from '../../observability/log.js';
import { HttpError } from '../HttpError.js';
import { routeOf } from '../routeLabels.js';
import { digest, HookSecrets } from '../hookSecrets.js';
import type { BearerVerifier } from './oauth.js';

export interface HookAuthenticationOptions {
  header: string;
  /** Fixed values, or the live set a secrets reload replaces (read on every request). */
  secrets: readonly string[] | HookSecrets;
  /** Set when OAuth is configured: a valid `Authorization: Bearer` token is accepted. */
  bearer?: BearerVerifier;
  logger: Logger;
}

/**
 * Okta authenticates a hook call either with a header secret (HTTP channel) or a bearer token
 * (OAUTH channel). Either configured method lets a call in, so a hook can move from one channel
 * to the other without downtime. With neither configured the check is off (the server warns).
 *
 * The header must carry one of the secrets, compared in constant time: both sides are hashed
 * first so neither the secret's length nor its content shapes the timing. Every copy of the
 * header is read (`headersDistinct`): a header sent twice is never a match, where `headers`
 * would keep only the first Authorization, or comma-join others.
 */
export function hookAuthentication(options: HookAuthenticationOptions): Middleware {
  const secrets = options.secrets instanceof HookSecrets ? options.secrets : new HookSecrets(options.secrets);
  const { bearer, logger } = options;
  const name = options.header.toLowerCase();
  return (ctx, next) => {
    const expected = secrets.digests(); // taken once: this request is checked against one set
    if (expected.length === 0 && !bearer) return next();
    const headers = ctx.req.headersDistinct;
    if (expected.length > 0 && headerMatches(headers[name], expected)) return next();
    if (bearer) {
      const values = headers.authorization;
      const match = values?.length === 1 ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(values[0]!) : null;
      if (match) return verifyBearer(bearer, match[1]!, logger, ctx, next);
    }
    throw new HttpError(401, 'unauthorized', 'missing or invalid hook credentials');
  };
}

/** One value, equal to one of the digested secrets; every secret is compared, in constant time. */
function headerMatches(values: string[] | undefined, expected: readonly Buffer[]): boolean {
  const value = values?.length === 1 ? values[0] : undefined;
  const given = digest(value ?? '');
  let ok = false;
  for (const secret of expected) ok = timingSafeEqual(given, secret) || ok;
  return ok && value !== undefined;
}

async function verifyBearer(bearer: BearerVerifier, token: string, logger: Logger, ctx: ParameterizedContext, next: Next): Promise<unknown> {
  const result = await bearer.verify(token);
  if (result.ok) return next();
  if (result.unavailable) {
    logger.error({ reason: result.reason }, 'cannot verify hook bearer tokens: the issuer\'s keys are unavailable');
    throw new HttpError(503, 'auth_unavailable', 'cannot verify credentials right now');
  }
  // The one line for this refusal (errorHandling logs the others): the verifier's reason, never the token.
  logger.warn({ event: 'request-rejected', status: 401, reason: result.reason, method: ctx.method, route: routeOf(ctx) }, 'hook bearer token rejected');
  throw new HttpError(401, 'unauthorized', 'missing or invalid hook credentials', undefined, true);
}
