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
 * Counts every answer by the route whose path matched (its pattern, never the raw path, so a
 * scan of random URLs cannot grow the label set; a wrong method on a known path counts under
 * that path), method and status, and times it from the request (its headers read) to its
 * answer (the rest of the app done; Koa then writes the body it set in the same turn). Runs
 * outside the error handler so it sees the final status.
 */
export function countRequests(metrics: Metrics): Middleware {
  const count = (ctx: ParameterizedContext, started: number): void => {
    const route = routeOf(ctx);
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

/** @koa/router's routerPath when a route ran; otherwise a route whose path matched (ctx.matched), or 'unmatched'. */
function routeOf(ctx: ParameterizedContext): string {
  const routed = ctx as ParameterizedContext & { routerPath?: string; matched?: Array<{ path: unknown; methods: string[] }> };
  if (typeof routed.routerPath === 'string') return routed.routerPath;
  const layer = routed.matched?.find((candidate) => candidate.methods.length > 0 && typeof candidate.path === 'string');
  return layer ? (layer.path as string) : 'unmatched';
}
