import type { Middleware, ParameterizedContext } from 'koa';

/**
 * The route each answer is counted and logged under: the path a route is registered at, set by
 * that route's first middleware, never the raw path (a scan of random URLs cannot grow the
 * metrics' label set). A known path asked with a method it does not take (405) counts under
 * that path; anything else is `unmatched`.
 */
export class RouteLabels {
  private readonly known: Array<{ path: string; pattern: RegExp }> = [];

  /** The first middleware of the route registered at `path`. */
  route(path: string): Middleware {
    this.known.push({ path, pattern: patternOf(path) });
    return (ctx, next) => {
      ctx.state.route = path;
      return next();
    };
  }

  /** The label of an answered request. */
  of(ctx: ParameterizedContext): string {
    const labelled = routeOf(ctx);
    if (labelled !== 'unmatched' || ctx.status !== 405) return labelled;
    return this.known.find(({ pattern }) => pattern.test(ctx.path))?.path ?? 'unmatched';
  }
}

/** The label the request's route set, or `unmatched` (for log lines written while it is handled). */
export function routeOf(ctx: ParameterizedContext): string {
  const route: unknown = ctx.state.route;
  return typeof route === 'string' ? route : 'unmatched';
}

/** A registered path as the router matches it: `:name` is one segment; case and a trailing slash do not matter. */
function patternOf(path: string): RegExp {
  const source = path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}
