import type Router from '@koa/router';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { decide } from '../../decide/index.js';
import { registration } from '../../hooks/registration/index.js';
import { hookKindOf } from '../../hooks/token/requestKind.js';
import { token } from '../../hooks/token/hook.js';
import { readSamples, readStaticFiles } from '../../preview/assets.js';
import { evaluation } from '../../preview/evaluation.js';
import { LiveUpdates } from '../../preview/liveUpdates.js';
import { rulesetState } from '../../preview/rulesetState.js';
import { tokenPreview } from '../../preview/tokenView.js';
import { HttpError } from '../HttpError.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { parseHookRequest, type HookRouteOptions } from './hook.js';

export const PREVIEW_PATH = '/preview';

/** The hook's own settings: the page decides exactly as the hook does, behind the same check. */
export type PreviewRouteOptions = Pick<HookRouteOptions, 'store' | 'logger' | 'bodyLimit' | 'onRuleError' | 'facts' | 'factsDeadlineMs' | 'counters' | 'labels'> & {
  /** What the page asks its user for: the header's name, and whether a secret is set. */
  authHeader: string;
  authSecrets: readonly string[];
  /** The hook's authentication middleware (header secret or bearer token), used as it is. */
  auth: Middleware;
  /** OAuth is configured: the page offers a bearer-token field. */
  oauth: boolean;
};

// The page is plain files from this origin: no inline script or style, no other host.
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The rule authors' preview page (docs/preview.md). The page's files are public, as they hold
 * nothing but the page; everything under /preview/api needs the hook's own credentials (the
 * same middleware as the hook: a header secret, or a bearer token when OAuth is configured).
 */
export function registerPreviewRoutes(router: Router, app: Koa, options: PreviewRouteOptions): void {
  const { store, logger } = options;
  const { index, files } = readStaticFiles();
  const samples = readSamples();
  const page = index
    .replace('%AUTH_HEADER%', escapeAttribute(options.authHeader))
    .replace('%AUTH_REQUIRED%', String(options.authSecrets.length > 0 || options.oauth))
    .replace('%AUTH_SECRET%', String(options.authSecrets.length > 0))
    .replace('%AUTH_OAUTH%', String(options.oauth));
  const live = new LiveUpdates(store);
  app.once('stopping', () => live.closeAll());
  const { auth } = options;
  logger.warn({ path: PREVIEW_PATH }, 'preview page enabled (PREVIEW=1): rule explanations are served at /preview');

  const { labels } = options;
  router.get(PREVIEW_PATH, labels.route(PREVIEW_PATH), servePage);
  router.get(`${PREVIEW_PATH}/`, labels.route(`${PREVIEW_PATH}/`), servePage);
  function servePage(ctx: Koa.Context): void {
    ctx.set('Content-Security-Policy', PAGE_POLICY);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  }

  router.get(`${PREVIEW_PATH}/static/:name`, labels.route(`${PREVIEW_PATH}/static/:name`), (ctx) => {
    const file = files.get(ctx.params.name ?? '');
    if (!file) throw new HttpError(404, 'not_found', `no preview file ${ctx.path}`);
    ctx.type = file.type;
    ctx.body = file.body;
  });

  router.get(`${PREVIEW_PATH}/api/samples`, labels.route(`${PREVIEW_PATH}/api/samples`), auth, (ctx) => {
    ctx.body = { samples };
  });

  router.get(`${PREVIEW_PATH}/api/state`, labels.route(`${PREVIEW_PATH}/api/state`), auth, (ctx) => {
    ctx.body = rulesetState(store);
  });

  const sources = { facts: options.facts, counters: options.counters, deadlineMs: options.factsDeadlineMs };
  // Peek: facts come from the hook's own sources (and its cache), counters are read, never
  // counted (trying a request on the page is not an attempt); the answer is what the hook would send.
  const mode = { kind: 'peek', sources, onRuleError: options.onRuleError, explain: true } as const;
  router.post(`${PREVIEW_PATH}/api/evaluate`, labels.route(`${PREVIEW_PATH}/api/evaluate`), auth, ...jsonBody(options.bodyLimit), async (ctx) => {
    const body: unknown = ctx.request.body;
    const ruleset = store.current();
    // One route for both hooks: the page sends whichever request the author is editing.
    if (hookKindOf(body) === 'token') {
      const request = parseHookRequest(token, body);
      const decided = await decide(token, request, ruleset, mode);
      ctx.body = { ...evaluation(request, decided, ruleset), tokens: tokenPreview(request, decided.answer) };
      return;
    }
    const request = parseHookRequest(registration, body);
    ctx.body = evaluation(request, await decide(registration, request, ruleset, mode), ruleset);
  });

  router.get(`${PREVIEW_PATH}/api/events`, labels.route(`${PREVIEW_PATH}/api/events`), auth, (ctx) => {
    const stream = live.open();
    if (!stream) throw new HttpError(503, 'too_many_streams', 'too many preview pages are connected');
    // Written by hand (respond = false): a page going away is normal here, not an error to log.
    ctx.respond = false;
    // Connection: close, so the socket goes with the stream and a stopping server need not wait for it.
    ctx.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no', Connection: 'close' });
    stream.pipe(ctx.res);
    ctx.res.once('close', () => stream.destroy());
  });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
