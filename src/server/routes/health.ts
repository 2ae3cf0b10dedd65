import type Router from '@koa/router';
import type { RulesetStore } from '../../ruleset/RulesetStore.js';

/** GET /healthz: the process answers. GET /readyz: rules are loaded and the server is not stopping. */
export function registerHealthRoutes(router: Router, store: RulesetStore, isStopping: () => boolean): void {
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
    ctx.body = { status: 'ready', rulesetVersion: ruleset.version, rules: ruleset.rules.length, loadedAt: ruleset.loadedAt.toISOString() };
  });
}
