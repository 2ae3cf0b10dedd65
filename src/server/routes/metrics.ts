import type Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Metrics } from '../../observability/metrics.js';
import type { RouteLabels } from '../routeLabels.js';

export const METRICS_PATH = '/metrics';

/** GET /metrics in Prometheus text format. Not behind the hook's authentication: keep it off the public ingress. */
export function registerMetricsRoute(router: Router, metrics: Metrics, labels: RouteLabels): void {
  router.get(METRICS_PATH, labels.route(METRICS_PATH), async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.text();
  });
}

/**
 * Counts every answer by its route's label (routeLabels.ts), method and status, and times it
 * from the request (its headers read) to its answer (the rest of the app done; Koa then writes
 * the body it set in the same turn). Runs outside the error handler so it sees the final status.
 */
export function countRequests(metrics: Metrics, labels: RouteLabels): Middleware {
  const count = (ctx: ParameterizedContext, started: number): void => {
    const route = labels.of(ctx);
    const method = ['GET', 'POST', 'HEAD', 'OPTIONS'].includes(ctx.method) ? ctx.method : 'other';
    metrics.observeRequest(route, method, ctx.status);
    metrics.observeRequestDuration(route, (performance.now() - started) / 1000);
  };
  return (ctx, next) => {
    const started = performance.now();
    // Counted when the rest is done, whether it answered or threw.
    return next().then(
      () => count(ctx, started),
      (error: unknown) => {
        count(ctx, started);
        throw error;
      },
    );
  };
}
