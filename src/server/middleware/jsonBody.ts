import { bodyParser } from '@koa/bodyparser';
import type { IncomingHttpHeaders } from 'node:http';
import type { Middleware } from 'koa';
import { HttpError } from '../HttpError.js';

export const MAX_JSON_DEPTH = 32;

/**
 * JSON bodies only: 415 for another content type, 413 past `limit`, 400 for invalid JSON,
 * a top level that is not an object, or nesting deeper than MAX_JSON_DEPTH.
 */
export function jsonBody(limit: string): Middleware[] {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, jsonStrict: true, encoding: 'utf-8', onError: asClientError });
  const requireJson: Middleware = (ctx, next) => {
    if (!isPlainJson(ctx.req.headers) && !ctx.is('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
    }
    return next();
  };
  const checkShape: Middleware = (ctx, next) => {
    const body: unknown = ctx.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'bad_request', 'request body must be a JSON object');
    }
    if (depthExceeds(body, MAX_JSON_DEPTH)) {
      throw new HttpError(400, 'bad_request', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    return next();
  };
  return [requireJson, parse as Middleware, checkShape];
}

/**
 * The parser's own errors carry a 4xx status (400 bad JSON, 413, 415 encoding). One without a
 * status came from the bytes themselves: corrupt gzip/deflate/brotli or broken chunked framing.
 * That is the client's fault, so 400, never a 500.
 */
function asClientError(error: Error & { status?: number; statusCode?: number }): never {
  if (error.status ?? error.statusCode) throw error;
  throw new HttpError(400, 'bad_request', 'request body could not be read (corrupt compression or framing)');
}

/**
 * The content type Okta sends, recognised without parsing it; anything else goes to ctx.is
 * (type-is). Like ctx.is, a request without a body (no length, no transfer encoding) is not JSON.
 */
function isPlainJson(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  if (type !== 'application/json' && type !== 'application/json; charset=utf-8' && type !== 'application/json;charset=UTF-8') return false;
  return headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(headers['content-length']));
}

/**
 * Recursive but bounded: it never goes deeper than `limit` + 1 frames, so a hostile body cannot
 * overflow the stack; and it allocates nothing (a work list would, on every request).
 */
export function depthExceeds(root: unknown, limit: number): boolean {
  return deeper(root, 1, limit);
}

function deeper(value: unknown, depth: number, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (deeper(child, depth + 1, limit)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key) && deeper(record[key], depth + 1, limit)) return true;
  return false;
}
