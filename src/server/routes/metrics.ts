import type Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Metrics } from '../../observability/metrics.js';

export const METRICS_PATH = '/metrics';

/** GET /metrics in Prometheus text format. Not behind the hook's authentication: keep it off the public ingress. */
export function registerMetricsRoute(router: Router, metrics: Metrics): void {
  router.get(METRICS_PATH, async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.text();
  });
}

/**
 * Counts every answer by the route that matched (its pattern, never the raw path, so a scan of
 * random URLs cannot grow the label set), method and status. Runs outside the error handler so
 * it sees the final status.
 */
export function countRequests(metrics: Metrics): Middleware {
  const count = (ctx: ParameterizedContext): void => {
    const route = (ctx as { _matchedRoute?: string })._matchedRoute;
    const method = ['GET', 'POST', 'HEAD', 'OPTIONS'].includes(ctx.method) ? ctx.method : 'other';
    metrics.observeRequest(typeof route === 'string' ? route : 'unmatched', method, ctx.status);
  };
  // Counted when the rest is done, whether it answered or threw.
  return (ctx, next) =>
    next().then(
      () => count(ctx),
      (error: unknown) => {
        count(ctx);
        throw error;
      },
    );
}
