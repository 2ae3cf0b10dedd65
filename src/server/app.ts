import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { errorHandling } from './middleware/errors.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHookRoute } from './routes/hook.js';
import type { RulesetStore } from './RulesetStore.js';

export interface AppOptions {
  config: Pick<Config, 'authHeader' | 'authSecrets' | 'bodyLimit' | 'onRuleError'>;
  store: RulesetStore;
  logger: Logger;
  isStopping?: () => boolean;
}

/** Builds the Koa app without listening, so tests can drive it on any server. */
export function createApp(options: AppOptions): Koa {
  const { config, store, logger } = options;
  const app = new Koa();
  app.proxy = false;
  app.silent = true; // errors are logged below, through the structured logger
  app.on('error', (error: Error & { code?: unknown }) => {
    // A client that breaks its own connection (bad chunked framing, a reset) is not our fault,
    // and the parser's error carries the raw request bytes (PII): log the code only.
    if (typeof error.code === 'string' && /^(HPE_|ECONNRESET$|EPIPE$)/.test(error.code)) logger.warn({ code: error.code }, 'client connection error');
    else logger.error({ err: error }, 'unhandled error');
  });

  const router = new Router();
  registerHookRoute(router, { store, logger, ...config });
  registerHealthRoutes(router, store, options.isStopping ?? (() => false));

  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(errorHandling());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
