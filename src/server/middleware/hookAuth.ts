import { hash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from '../HttpError.js';
import { headerValues } from './headerValues.js';

/**
 * Okta's header authentication: the configured header must carry one of the secrets,
 * compared in constant time. Both sides are hashed first so neither the secret's length
 * nor its content shapes the timing. With no secret the check is off (the server warns).
 */
export function hookAuth(header: string, secrets: readonly string[]): Middleware {
  const expected = secrets.map(digest);
  const name = header.toLowerCase();
  // Not async: a throw becomes a rejection in koa-compose, without a promise of its own per request.
  return (ctx, next) => {
    if (expected.length === 0) return next();
    // Every copy of the header is read: a header sent twice is never a match (Node's
    // req.headers would keep only the first Authorization, or comma-join others).
    if (!headerMatches(headerValues(ctx.req, name), expected)) throw new HttpError(401, 'unauthorized', 'missing or invalid hook credentials');
    return next();
  };
}

/** One value, equal to one of the digested secrets; every secret is compared, in constant time. */
export function headerMatches(values: string[] | undefined, expected: readonly Buffer[]): boolean {
  const value = values?.length === 1 ? values[0] : undefined;
  const given = digest(value ?? '');
  let ok = false;
  for (const secret of expected) ok = timingSafeEqual(given, secret) || ok;
  return ok && value !== undefined;
}

export function digest(value: string): Buffer {
  // crypto.hash (Node 20.12+) is the one-shot form of createHash().update().digest(): same bytes, no Hash object.
  return hash('sha256', value, 'buffer');
}
