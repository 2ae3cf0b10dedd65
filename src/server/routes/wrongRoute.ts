import type { Middleware } from 'koa';
import { wrongRouteProblem, type HookKind } from '../../hooks/token/requestKind.js';
import { HttpError } from '../HttpError.js';

/**
 * A 400 naming the right route for a body meant for the other hook (Okta configures each hook
 * with its own URL, so this is a console slip): answered before the route's own schema, whose
 * problems would describe the wrong contract.
 */
export function wrongRoute(route: HookKind, routes: Readonly<Record<HookKind, string>>): Middleware {
  return (ctx, next) => {
    const problem = wrongRouteProblem(ctx.request.body, route, routes);
    if (problem) throw new HttpError(400, 'wrong_hook_route', problem);
    return next();
  };
}
