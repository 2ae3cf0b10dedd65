import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import { token } from '../../hooks/token/hook.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { HOOK_PATH, hookHandler, type HookRouteOptions } from './hook.js';
import { wrongRoute } from './wrongRoute.js';

export interface TokenHookRouteOptions extends HookRouteOptions {
  /** TOKEN_HOOK_PATH. */
  tokenHookPath: string;
  /** The token hook's own check (OKTA_TOKEN_HOOK_AUTH_SECRET), else the registration hook's. */
  tokenAuth?: Middleware;
}

/** POST /tokenHook: the token inline hook, with the registration hook's authentication unless it has its own. */
export function registerTokenHookRoute(router: Router, options: TokenHookRouteOptions): void {
  const path = options.tokenHookPath;
  const metrics = options.metrics;
  const routes = { registration: HOOK_PATH, token: path };
  router.post(path, compose([options.labels.route(path), options.tokenAuth ?? options.auth, ...jsonBody(options.bodyLimit), wrongRoute('token', routes), hookHandler(token, options, metrics ? (answer) => metrics.token.observe(answer) : undefined)]));
}
