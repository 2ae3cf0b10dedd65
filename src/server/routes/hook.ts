import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { resolveCounters, type CounterRuntime } from '../../counters/resolveCounters.js';
import type { Decision } from '../../engine/Decision.js';
import { evaluate, type OnRuleError } from '../../engine/evaluate.js';
import { logDecision, type Logger } from '../../log.js';
import { DECISION_LINE, type DecisionLine } from '../../maskPii.js';
import type { OktaHookRequest } from '../../okta/types.js';
import { toOktaResponse } from '../../okta/toOktaResponse.js';
import { validateRequest } from '../../okta/validateRequest.js';
import { HttpError } from '../HttpError.js';
import { chain } from '../middleware/chain.js';
import { hookAuth } from '../middleware/hookAuth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import type { Metrics } from '../metrics.js';
import type { RulesetStore } from '../RulesetStore.js';
import type { CompiledRuleset } from '../../rules/CompiledRuleset.js';
import type { Context, Middleware } from 'koa';

export const HOOK_PATH = '/registrationHook';

export interface HookRouteOptions {
  store: RulesetStore;
  logger: Logger;
  authHeader: string;
  authSecrets: readonly string[];
  bodyLimit: string;
  onRuleError: OnRuleError;
  /** Replaces the header-secret check (see middleware/hookAuthentication.ts: secret or OAuth). */
  auth?: Middleware;
  metrics?: Metrics;
  /** The counter store and its settings; used only for rulesets with counters. */
  counters?: CounterRuntime;
}

/**
 * POST /registrationHook: authenticate, parse, validate, decide, answer in Okta's format.
 * Registered on the router, and returned so the app can run it before routing (app.ts).
 */
export function registerHookRoute(router: Router, options: HookRouteOptions): Middleware {
  const { store, logger } = options;
  const hook = chain([
    options.auth ?? hookAuth(options.authHeader, options.authSecrets),
    ...jsonBody(options.bodyLimit),
    // Not async (nothing here waits, unless the ruleset has counters): a throw becomes a rejection in koa-compose.
    (ctx) => {
      const started = process.hrtime.bigint();
      const checked = validateRequest(ctx.request.body);
      if (!checked.ok) {
        throw new HttpError(400, 'invalid_hook_request', 'the body is not an Okta registration inline hook request', checked.problems);
      }
      const request = checked.value;
      const ruleset = store.current(); // taken once: this request is decided wholly by this version
      if (ruleset.counters.size > 0 && options.counters) return decideWithCounters(ctx, request, ruleset, options.counters, started);
      // The log and the metrics read only the rules that threw: no trace entry for the others.
      const decision = evaluate(ruleset, request, { onRuleError: options.onRuleError, trace: 'errors' });
      answer(ctx, request, decision, started);
    },
  ]);
  router.post(HOOK_PATH, hook);
  return hook;

  /**
   * The counters stage in front of the engine (src/counters/resolveCounters.ts): counters are
   * read and counted within their deadline, the decision is made as always, and `count:
   * allowed` reservations are settled after the answer is written.
   */
  async function decideWithCounters(ctx: Context, request: OktaHookRequest, ruleset: CompiledRuleset, runtime: CounterRuntime, started: bigint): Promise<void> {
    const resolved = await resolveCounters(ruleset, request, runtime);
    const decision = evaluate(ruleset, request, { onRuleError: options.onRuleError, trace: 'errors', counters: resolved.input });
    const decisionId = answer(ctx, request, decision, started);
    void resolved.commit(decision.outcome);
    runtime.metrics?.decision(decision, ruleset);
    for (const reading of resolved.readings) {
      if (reading.failed) logger.warn({ decisionId, counter: reading.name, reason: reading.failed.reason, onError: reading.failed.onError }, 'counter unavailable');
    }
  }

  /** Writes Okta's answer, observes it and writes the decision line; returns the decision's id. */
  function answer(ctx: Context, request: OktaHookRequest, decision: Decision, started: bigint): string {
    const decisionId = randomUUID();
    ctx.status = 200;
    // Serialised here with its type set first: Koa would look the type up and stringify anyway.
    ctx.set('Content-Type', 'application/json; charset=utf-8');
    ctx.body = JSON.stringify(toOktaResponse(decision, { decisionId }));
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    options.metrics?.observeDecision(decision, latencyMs / 1000);
    if (decision.requestTypeNote) logger.info({ eventId: request.eventId, decisionId }, decision.requestTypeNote);
    for (const entry of decision.trace) {
      if (entry.status === 'error') logger.error({ decisionId, ruleId: entry.id, err: entry.error }, 'rule evaluation failed');
    }
    // The decision log: ids, outcome and timing; no profile values. The subject's login and IP
    // address are masked unless LOG_PII is on (log.ts logDecision: these known fields are
    // masked directly, and the line serialised in one go).
    const line: DecisionLine = {
      [DECISION_LINE]: true,
      event: 'decision',
      eventId: request.eventId,
      decisionId,
      requestType: decision.requestType,
      decision: decision.outcome,
      decidedBy: decision.decidedBy,
      matchedRules: decision.matchedRuleIds,
      updatedAttributes: Object.keys(decision.updates),
      rulesetVersion: decision.rulesetVersion,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      subject: subjectOf(request),
    };
    logDecision(logger, line);
    return decisionId;
  }
}

/** Who the decision was about: the login (or email) and the end user's IP address, as Okta sent them. */
function subjectOf(request: OktaHookRequest): { login?: string; ip?: string } {
  const { data } = request;
  const profile = data.userProfile ?? data.context?.user?.profile ?? data.user?.profile ?? {};
  const login = profile.login ?? profile.email;
  const ip = data.context?.request?.ipAddress;
  const subject: { login?: string; ip?: string } = {};
  if (typeof login === 'string') subject.login = login;
  if (typeof ip === 'string') subject.ip = ip;
  return subject;
}
