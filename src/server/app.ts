import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from '../config.js';
import { memoryRuntime, type OpenedRuntime } from '../counters/counterRuntime.js';
import { stateConfigFromEnv } from '../counters/stateConfig.js';
import type { FactSources } from '../facts/FactSources.js';
import { DEFAULT_FACTS_DEADLINE_MS } from '../facts/deadline.js';
import type { Logger } from '../observability/log.js';
import type { HookSecrets } from './hookSecrets.js';
import type { Metrics } from '../observability/metrics.js';
import { errorHandling } from './middleware/errors.js';
import { hookAuthentication } from './middleware/hookAuthentication.js';
import { createBearerVerifier, type BearerVerifier } from './middleware/oauth.js';
import { countRequests, registerMetricsRoute } from './routes/metrics.js';
import { registerHealthRoutes } from './routes/health.js';
import { DEFAULT_TOKEN_HOOK_PATH, registerHookRoute } from './routes/hook.js';
import { registerTokenHookRoute } from './routes/tokenHook.js';
import { registerPreviewRoutes } from './routes/preview.js';
import { RouteLabels } from './routeLabels.js';
import type { RulesetStore } from '../ruleset/RulesetStore.js';

export interface AppOptions {
  config: Pick<Config, 'authHeader' | 'authSecrets' | 'bodyLimit' | 'onRuleError'> & Partial<Pick<Config, 'oauth' | 'preview' | 'factsDeadlineMs' | 'tokenHookPath' | 'tokenAuthSecrets'>>;
  store: RulesetStore;
  logger: Logger;
  isStopping?: () => boolean;
  /** Serves GET /metrics and counts requests and decisions; left out, there are no metrics. */
  metrics?: Metrics;
  /** The bearer-token check; by default built from config.oauth when that is set. */
  bearer?: BearerVerifier;
  /** Where counters live (server.ts opens it from STATE_URL); left out, in this process's memory. */
  counters?: OpenedRuntime;
  /** Where the rules' facts are fetched (src/facts); left out, a rule reading a fact meets a failure. */
  facts?: FactSources;
  /** The live header secrets (a reload swaps them); by default fixed to config.authSecrets. */
  secrets?: HookSecrets;
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
  const bearer = options.bearer ?? (config.oauth ? createBearerVerifier(config.oauth) : undefined);
  const auth = hookAuthentication({ header: config.authHeader, secrets: options.secrets ?? config.authSecrets, ...(bearer ? { bearer } : {}), logger });
  const { metrics, facts } = options;
  const counters = options.counters ?? memoryRuntime(stateConfigFromEnv({}, false, []));
  const labels = new RouteLabels();
  const factsDeadlineMs = config.factsDeadlineMs ?? DEFAULT_FACTS_DEADLINE_MS; // the one default, for apps built without a config (tests, bench)
  const hookOptions = { store, logger, ...config, factsDeadlineMs, auth, counters, labels, ...(metrics ? { metrics } : {}), ...(facts ? { facts } : {}) };
  registerHookRoute(router, hookOptions);
  // Okta configures each hook with its own credentials: the token hook may have a secret of its own.
  const tokenAuth = config.tokenAuthSecrets?.length ? hookAuthentication({ header: config.authHeader, secrets: config.tokenAuthSecrets, ...(bearer ? { bearer } : {}), logger }) : undefined;
  registerTokenHookRoute(router, { ...hookOptions, tokenHookPath: config.tokenHookPath ?? DEFAULT_TOKEN_HOOK_PATH, ...(tokenAuth ? { tokenAuth } : {}) });
  if (metrics) registerMetricsRoute(router, metrics, labels);
  const counterState = () => (store.current().counters.size > 0 ? counters.state() : undefined);
  registerHealthRoutes(router, labels, store, options.isStopping ?? (() => false), facts, counterState);
  // The preview runs the hook's own check: a bearer token or a header secret, nothing else.
  if (config.preview) registerPreviewRoutes(router, app, { store, logger, ...config, factsDeadlineMs, auth, oauth: bearer !== undefined, counters, labels, ...(facts ? { facts } : {}) });

  if (metrics) app.use(countRequests(metrics, labels));
  app.use((ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    if (options.isStopping?.()) ctx.set('Connection', 'close'); // draining: no more keep-alive
    return next();
  });
  app.use(errorHandling(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

