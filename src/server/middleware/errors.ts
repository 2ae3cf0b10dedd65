import type { Middleware } from 'koa';
import { HttpError } from '../HttpError.js';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Every error becomes a JSON body `{ error: { code, message, details? } }`. 4xx messages are
 * ours or the body parser's; 5xx messages are replaced, so no stack or internal detail leaks,
 * and re-emitted for the log. 404 and 405 from routing get the same JSON shape.
 */
export function errorHandling(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if ((ctx.status === 404 || ctx.status === 405) && ctx.body === undefined) {
        const message = ctx.status === 404 ? `no route for ${ctx.method} ${ctx.path}` : `${ctx.method} is not allowed here`;
        const status = ctx.status;
        ctx.body = { error: { code: CODES[status], message } };
        ctx.status = status; // Koa turns an implicit 404 into 200 when a body is set
      }
    } catch (caught) {
      const error = caught as Error & { status?: number; statusCode?: number; expose?: boolean; type?: string };
      const status = error.status ?? error.statusCode ?? 500;
      ctx.status = status >= 400 && status < 600 ? status : 500;
      if (error instanceof HttpError) {
        ctx.body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
      } else if (ctx.status < 500) {
        ctx.body = { error: { code: CODES[ctx.status] ?? 'bad_request', message: clientMessage(error, ctx.status) } };
      } else {
        ctx.body = { error: { code: 'internal_error', message: 'Internal Server Error' } };
        ctx.app.emit('error', error, ctx);
      }
    }
  };
}

function clientMessage(error: Error & { type?: string }, status: number): string {
  if (status === 413) return 'request body is too large';
  if (error.type === 'entity.parse.failed' || error instanceof SyntaxError) return 'request body is not valid JSON';
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return 'unsupported request encoding';
  return 'bad request';
}
