import type { Middleware, ParameterizedContext } from 'koa';
import type { Logger } from '../../observability/log.js';
import { drainRequest } from '../drainRequest.js';
import { HttpError } from '../HttpError.js';
import { routeOf } from '../routeLabels.js';
import { isTimedOut, REQUEST_TIMEOUT_MS } from '../requestTimeouts.js';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  408: 'request_timeout',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Refusals of a request worth a log line each: the ones a misconfigured or attacked hook shows. */
const LOGGED = new Set([400, 401, 408, 413, 415]);

/**
 * Every error becomes a JSON body `{ error: { code, message, details? } }`. 4xx messages are
 * ours (the body parser's errors are put in our words); 5xx messages are replaced, so no stack
 * or internal detail leaks, and re-emitted for the log. 404 and 405 from routing get the same JSON shape. A 400, 401,
 * 408, 413 or 415 is logged once: status, reason and route, never the body or a credential.
 */
export function errorHandling(logger: Logger): Middleware {
  return (ctx, next) =>
    next().then(
      () => answerUnrouted(ctx),
      (caught: unknown) => {
        const refuse = () => {
          answerError(ctx, caught as Error);
          if (LOGGED.has(ctx.status) && !(caught instanceof HttpError && caught.logged)) logRejection(logger, ctx);
        };
        if (ctx.req.complete) return refuse();
        // A body refused half-read (413, 401 before reading, a gzip bomb, bad JSON mid-stream)
        // is read to its end first, within bounds: an answer sent while the client is still
        // sending can be lost to a reset. Past the bounds, the connection closes after it.
        return drainRequest(ctx.req).then((whole) => {
          if (!whole) ctx.set('Connection', 'close');
          refuse();
        });
      },
    );
}

function logRejection(logger: Logger, ctx: ParameterizedContext): void {
  const { code, message } = (ctx.body as { error: { code: string; message: string } }).error;
  logger.warn({ event: 'request-rejected', status: ctx.status, reason: code, method: ctx.method, route: routeOf(ctx) }, message);
}

function answerUnrouted(ctx: ParameterizedContext): void {
  // The router answers 501 to methods it does not implement (TRACE, PROPFIND…): for a
  // client that is the same mistake as any other wrong method, so 405 (never a 5xx).
  if (ctx.status === 501 && ctx.body === undefined) ctx.status = 405;
  if ((ctx.status === 404 || ctx.status === 405) && ctx.body === undefined) {
    const status = ctx.status;
    const message = status === 404 ? `no route for ${ctx.method} ${ctx.path}` : `${ctx.method} is not allowed here`;
    ctx.body = { error: { code: CODES[status], message } };
    ctx.status = status; // setting a body would otherwise turn it into 200
  }
}

function answerError(ctx: ParameterizedContext, caught: Error): void {
  const error = caught as Error & { status?: number; statusCode?: number; expose?: boolean; type?: string };
  const status = isTimedOut(ctx.req.socket) ? 408 : (error.status ?? error.statusCode ?? 500);
  ctx.status = status >= 400 && status < 600 ? status : 500;
  if (ctx.status === 408) {
    // Node answered on the connection and closed it; this body is for the log and the metrics.
    ctx.body = { error: { code: CODES[408], message: `the request did not arrive within ${REQUEST_TIMEOUT_MS / 1000} s` } };
  } else if (error instanceof HttpError) {
    ctx.body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  } else if (ctx.status < 500) {
    ctx.body = { error: { code: CODES[ctx.status] ?? 'bad_request', message: clientMessage(error, ctx.status) } };
  } else {
    ctx.body = { error: { code: 'internal_error', message: 'Internal Server Error' } };
    ctx.app.emit('error', error, ctx);
  }
}

/**
 * The words for a 4xx the body parser raised, from what its errors carry by contract: the
 * status, and raw-body's `type` for a body it could not read. A body that was read but not
 * parsed is a SyntaxError: not JSON, or JSON with a `__proto__` key (refused by the parser,
 * with no property that tells the two apart).
 */
function clientMessage(error: Error & { type?: string }, status: number): string {
  if (status === 413) return 'request body is too large';
  if (status === 415 || error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return 'unsupported request encoding';
  if (error.type === 'entity.parse.failed' || error instanceof SyntaxError) return 'request body is not valid JSON, or holds a forbidden __proto__ key';
  return 'bad request';
}
