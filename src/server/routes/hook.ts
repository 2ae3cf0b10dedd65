import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { CounterRuntime } from '../../counters/resolveCounters.js';
import { decide, type Decided } from '../../decide/index.js';
import type { OnRuleError } from '../../engine/evaluate.js';
import type { FactSources } from '../../facts/FactSources.js';
import type { HookAnswer, HookType } from '../../hooks/HookType.js';
import { registration } from '../../hooks/registration/index.js';
import { decisionLog } from '../../observability/decisionLog.js';
import type { Logger } from '../../observability/log.js';
import { PiiText } from '../../observability/maskPii.js';
import type { Metrics } from '../../observability/metrics.js';
import type { RulesetStore } from '../../ruleset/RulesetStore.js';
import { HttpError } from '../HttpError.js';
import { jsonBody } from '../middleware/jsonBody.js';
import type { RouteLabels } from '../routeLabels.js';
import { wrongRoute } from './wrongRoute.js';

export const HOOK_PATH = '/registrationHook';
export const DEFAULT_TOKEN_HOOK_PATH = '/tokenHook';

export interface HookRouteOptions {
  store: RulesetStore;
  logger: Logger;
  bodyLimit: string;
  onRuleError: OnRuleError;
  /** The hook's authentication (middleware/hookAuthentication.ts: header secret or OAuth). */
  auth: Middleware;
  metrics?: Metrics;
  /** Where facts are fetched (facts/FactSources.ts); without it, facts fail as `config`. */
  facts?: FactSources;
  /** FACTS_DEADLINE_MS: how long a request waits for its facts and counters. */
  factsDeadlineMs: number;
  /** The counter store and its settings (src/counters); used only for rulesets with counters. */
  counters?: CounterRuntime;
  /** Labels the route for metrics and logs. */
  labels: RouteLabels;
  /** Where the token hook is served (TOKEN_HOOK_PATH): named in the 400 for a token body sent here. */
  tokenHookPath?: string;
}

/** POST /registrationHook: authenticate, parse, validate, decide, answer in Okta's format. */
export function registerHookRoute(router: Router, options: HookRouteOptions): void {
  // One middleware, composed once by Koa's own composer: @koa/router composes a route's
  // middleware again on every request it matches.
  const routes = { registration: HOOK_PATH, token: options.tokenHookPath ?? DEFAULT_TOKEN_HOOK_PATH };
  router.post(HOOK_PATH, compose([options.labels.route(HOOK_PATH), options.auth, ...jsonBody(options.bodyLimit), wrongRoute('registration', routes), hookHandler(registration, options)]));
}

/** A body checked by its hook type's schema: the request, or a 400 saying what is wrong and where (the hook routes and the preview). */
export function parseHookRequest<Request>(hook: HookType<Request>, body: unknown): Request {
  const checked = hook.parse(body);
  if (!checked.ok) throw new HttpError(400, 'invalid_hook_request', `the body is not an Okta ${hook.name} inline hook request`, checked.problems);
  return checked.value;
}

/**
 * A hook type's route: its body checked by its schema, decided live (decide/), answered, logged.
 * `observe` sees each answer sent, for the hook type's own metrics.
 */
export function hookHandler<Request, Answer extends HookAnswer>(hook: HookType<Request, Answer>, options: HookRouteOptions, observe?: (answer: Answer) => void): Middleware {
  const { store, logger, onRuleError } = options;
  const logDecision = decisionLog(logger);
  const sources = { facts: options.facts, counters: options.counters, deadlineMs: options.factsDeadlineMs };
  return (ctx) => {
    const started = process.hrtime.bigint();
    const request = parseHookRequest(hook, ctx.request.body);
    // The ruleset is taken once: this request is decided wholly by this version.
    const decided = decide(hook, request, store.current(), { kind: 'live', sources, onRuleError });
    if (decided instanceof Promise) return decided.then((done) => answer(ctx, request, done, started));
    answer(ctx, request, decided, started);
  };

  function answer(ctx: Parameters<Middleware>[0], request: Request, decided: Decided<Answer>, started: bigint): void {
    const { decisionId, answer: sent } = decided;
    const { decision } = sent;
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = sent.body;
    let timedOut = false;
    for (const entry of decided.facts) {
      // Names, kinds and timings only: never a fetched value or a parameter.
      if (entry.failure) logger.warn({ decisionId, hookType: hook.name, fact: entry.name, source: entry.source, kind: entry.failure.kind, onError: entry.failure.onError, ms: entry.ms, reason: entry.failure.message }, 'fact lookup failed');
      if (entry.failure?.kind === 'timeout' || entry.failure?.kind === 'deadline') timedOut = true;
    }
    // Once per request: the hook answered in time rather than leave Okta waiting (for tokens, Okta would then issue the token unchanged).
    if (timedOut) options.metrics?.observeFactsTimedOut(hook.name);
    if (sent.tooLarge) {
      logger.error(
        { event: 'answer-too-large', decisionId, hookType: hook.name, bytes: sent.tooLarge.bytes, limit: sent.tooLarge.limit, onRuleError, sent: decision.outcome, rules: sent.tooLarge.rules },
        `answer too large for Okta (${sent.tooLarge.bytes} bytes): treated as a rule error (ON_RULE_ERROR=${onRuleError})`,
      );
    }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    options.metrics?.observeDecision(decision, latencyMs / 1000);
    observe?.(sent);
    const { eventId } = decided.context;
    if (decision.requestTypeNote) logger.info({ eventId, decisionId }, decision.requestTypeNote);
    for (const entry of decision.trace) {
      if (entry.status !== 'error') continue;
      const err = entry.errorRedacted === undefined ? entry.error : new PiiText(entry.error!, entry.errorRedacted);
      logger.error({ decisionId, ruleId: entry.id, err }, 'rule evaluation failed');
    }
    // The subject's login and IP address are masked by the logger unless LOG_PII is on.
    logDecision({
      event: 'decision',
      eventId,
      decisionId,
      requestType: decision.requestType,
      decision: decision.outcome,
      decidedBy: decision.decidedBy,
      matchedRules: decision.matchedRuleIds,
      updatedAttributes: Object.keys(decision.updates),
      hookType: hook.name,
      ...(sent.patches ? { patches: sent.patches } : {}),
      rulesetVersion: decision.rulesetVersion,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      subject: hook.subject(request),
    });
    for (const reading of decided.counters) {
      // Names and reasons only: never a key.
      if (reading.failed) logger.warn({ decisionId, counter: reading.name, reason: reading.failed.reason, onError: reading.failed.onError }, 'counter unavailable');
    }
  }
}
