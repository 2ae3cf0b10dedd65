import type Router from '@koa/router';
import type { FactSources } from '../../facts/FactSources.js';
import { reloadFailureSummary } from '../../storage/reloadFailureSummary.js';
import type { RulesetStore } from '../../ruleset/RulesetStore.js';
import type { RouteLabels } from '../routeLabels.js';

/**
 * GET /healthz: the process answers. GET /readyz: rules are loaded and the server is not
 * stopping; while the last reload was refused, the body says when, in which files and why.
 * Fact sources and the counter store are reported but never make it unready: a database or
 * Redis that is down fails its facts or counters (per their onError), and taking every pod
 * out of service would fail all.
 */
export function registerHealthRoutes(
  router: Router,
  labels: RouteLabels,
  store: RulesetStore,
  isStopping: () => boolean,
  facts?: FactSources,
  counterState: () => object | undefined = () => undefined,
): void {
  router.get('/healthz', labels.route('/healthz'), (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', labels.route('/readyz'), (ctx) => {
    const ruleset = store.current();
    if (isStopping()) {
      ctx.status = 503;
      ctx.body = { status: 'stopping' };
      return;
    }
    const sources = facts?.states(ruleset) ?? [];
    const counters = counterState();
    const failure = store.lastFailure();
    ctx.body = {
      status: 'ready',
      rulesetVersion: ruleset.version,
      rules: ruleset.rules.length,
      loadedAt: ruleset.loadedAt.toISOString(),
      ...(sources.length > 0 ? { factSources: sources } : {}),
      ...(counters ? { counters } : {}),
      // Still ready (the last good rules serve), but an edit did not go live: say so here.
      ...(failure ? { lastReloadFailure: reloadFailureSummary(failure, ruleset.dir) } : {}),
    };
  });
}
