import type Router from '@koa/router';
import type { RulesetStore } from '../RulesetStore.js';

/**
 * GET /healthz: the process answers. GET /readyz: rules are loaded and the server is not
 * stopping; with counters, it also reports their store (a Redis that is down keeps the service
 * ready: counters then follow their onError, and every replica failing readiness at once
 * would answer Okta with nothing at all).
 */
export function registerHealthRoutes(router: Router, store: RulesetStore, isStopping: () => boolean, counterState: () => object | undefined = () => undefined): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', (ctx) => {
    const ruleset = store.current();
    if (isStopping()) {
      ctx.status = 503;
      ctx.body = { status: 'stopping' };
      return;
    }
    const counters = counterState();
    ctx.body = { status: 'ready', rulesetVersion: ruleset.version, rules: ruleset.rules.length, loadedAt: ruleset.loadedAt.toISOString(), ...(counters ? { counters } : {}) };
  });
}
