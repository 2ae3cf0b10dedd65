import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { CounterInput } from '../../counters/types.js';
import { resolveCounters, type CounterRuntime } from '../../counters/resolveCounters.js';
import type { Decision } from '../../engine/Decision.js';
import { evaluate, type OnRuleError } from '../../engine/evaluate.js';
import { requestContext, type RequestContext } from '../../engine/facts.js';
import type { FactSources } from '../../facts/FactSources.js';
import { DEFAULT_FACTS_DEADLINE_MS, resolveFacts, unavailableFacts } from '../../facts/resolveFacts.js';
import type { ResolvedFacts } from '../../facts/types.js';
import type { CompiledRuleset } from '../../ruleset/CompiledRuleset.js';
import { decisionLog } from '../../observability/decisionLog.js';
import type { Logger } from '../../observability/log.js';
import { PiiText } from '../../observability/maskPii.js';
import type { Metrics } from '../../observability/metrics.js';
import type { OktaHookRequest } from '../../okta/types.js';
import { oktaAnswer } from '../../okta/oktaAnswer.js';
import { validateRequest } from '../../okta/validateRequest.js';
import type { RulesetStore } from '../../ruleset/RulesetStore.js';
import { HttpError } from '../HttpError.js';
import { jsonBody } from '../middleware/jsonBody.js';
import type { RouteLabels } from '../routeLabels.js';

export const HOOK_PATH = '/registrationHook';

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
  /** FACTS_DEADLINE_MS (default 2000). */
  factsDeadlineMs?: number;
  /** The counter store and its settings (src/counters); used only for rulesets with counters. */
  counters?: CounterRuntime;
  /** Labels the route for metrics and logs. */
  labels: RouteLabels;
}

/** POST /registrationHook: authenticate, parse, validate, decide, answer in Okta's format. */
export function registerHookRoute(router: Router, options: HookRouteOptions): void {
  const { store, logger } = options;
  const logDecision = decisionLog(logger);
  const deadlineMs = options.factsDeadlineMs ?? DEFAULT_FACTS_DEADLINE_MS;
  const decide: Middleware = (ctx) => {
    const started = process.hrtime.bigint();
    const checked = validateRequest(ctx.request.body);
    if (!checked.ok) {
      throw new HttpError(400, 'invalid_hook_request', 'the body is not an Okta registration inline hook request', checked.problems);
    }
    const request = checked.value;
    const ruleset = store.current(); // taken once: this request is decided wholly by this version
    // With facts, the request's type and data are worked out once, for the stage and the engine.
    const context = ruleset.facts.size > 0 ? requestContext(request) : undefined;
    // A ruleset without facts or counters (or none for this request type) is decided synchronously,
    // and so is one whose facts all came from the cache.
    const needsFacts = context !== undefined && ruleset.factsFor[context.type].length > 0;
    const facts = needsFacts ? startFacts(ruleset, request, context) : undefined;
    const counters = ruleset.counters.size > 0 ? options.counters : undefined;
    if (!counters && !(facts instanceof Promise)) {
      answer(ctx, request, ruleset, started, { facts, context });
      return;
    }
    return decideAfterStage(ctx, request, ruleset, started, context, facts, counters);
  };

  function startFacts(ruleset: CompiledRuleset, request: OktaHookRequest, context: RequestContext): ResolvedFacts | Promise<ResolvedFacts> {
    if (!options.facts) return unavailableFacts(ruleset, request);
    // The log reads only the failed facts: no trace entry (nor masked value) for the others.
    return resolveFacts(ruleset, request, options.facts, { deadlineMs, trace: 'failures', context });
  }

  /**
   * The stage in front of the engine: facts fetched and counters read (and counted) in
   * parallel, within one deadline; then the synchronous decision; then the `count: allowed`
   * reservations are settled by the outcome sent, after the answer is written.
   */
  async function decideAfterStage(
    ctx: Parameters<Middleware>[0],
    request: OktaHookRequest,
    ruleset: CompiledRuleset,
    started: bigint,
    context: RequestContext | undefined,
    pendingFacts: ResolvedFacts | Promise<ResolvedFacts> | undefined,
    runtime: CounterRuntime | undefined,
  ): Promise<void> {
    const [facts, counters] = await Promise.all([pendingFacts, runtime ? resolveCounters(ruleset, request, runtime, 'count', deadlineMs) : undefined]);
    const { decision, decisionId } = answer(ctx, request, ruleset, started, { facts, counters: counters?.input, context });
    if (!counters || !runtime) return;
    void counters.commit(decision.outcome);
    runtime.metrics?.decision(decision, ruleset);
    for (const reading of counters.readings) {
      // Names and reasons only: never a key.
      if (reading.failed) logger.warn({ decisionId, counter: reading.name, reason: reading.failed.reason, onError: reading.failed.onError }, 'counter unavailable');
    }
  }

  function answer(
    ctx: Parameters<Middleware>[0],
    request: OktaHookRequest,
    ruleset: CompiledRuleset,
    started: bigint,
    stage: { facts?: ResolvedFacts | undefined; counters?: CounterInput | undefined; context?: RequestContext | undefined },
  ): { decision: Decision; decisionId: string } {
    const { facts } = stage;
    // The log and the metrics read only the rules that threw: no trace entry for the others.
    const evaluated = evaluate(ruleset, request, { onRuleError: options.onRuleError, trace: 'errors', facts, counters: stage.counters, context: stage.context });
    const decisionId = randomUUID();
    for (const entry of facts?.trace ?? []) {
      // Names, kinds and timings only: never a fetched value or a parameter.
      if (entry.failure) logger.warn({ decisionId, fact: entry.name, source: entry.source, kind: entry.failure.kind, onError: entry.failure.onError, ms: entry.ms, reason: entry.failure.message }, 'fact lookup failed');
    }
    // Never an answer Okta would reject for its size: that is a rule error (okta/oktaAnswer.ts).
    const answer = oktaAnswer(evaluated, { decisionId }, options.onRuleError);
    const { decision } = answer;
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = answer.body;
    if (answer.tooLarge) {
      // Rule ids only: attribute names can come from the request (updateFrom).
      logger.error(
        { event: 'answer-too-large', decisionId, bytes: answer.tooLarge.bytes, limit: answer.tooLarge.limit, onRuleError: options.onRuleError, sent: decision.outcome, rules: [...new Set(Object.values(evaluated.updatedBy))] },
        `answer too large for Okta (${answer.tooLarge.bytes} bytes): treated as a rule error (ON_RULE_ERROR=${options.onRuleError})`,
      );
    }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    options.metrics?.observeDecision(decision, latencyMs / 1000);
    if (decision.requestTypeNote) logger.info({ eventId: request.eventId, decisionId }, decision.requestTypeNote);
    for (const entry of decision.trace) {
      if (entry.status !== 'error') continue;
      const err = entry.errorRedacted === undefined ? entry.error : new PiiText(entry.error!, entry.errorRedacted);
      logger.error({ decisionId, ruleId: entry.id, err }, 'rule evaluation failed');
    }
    // The subject's login and IP address are masked by the logger unless LOG_PII is on.
    logDecision({
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
    });
    return { decision, decisionId };
  }
  // One middleware, composed once by Koa's own composer: @koa/router composes a route's
  // middleware again on every request it matches.
  router.post(HOOK_PATH, compose([options.labels.route(HOOK_PATH), options.auth, ...jsonBody(options.bodyLimit), decide]));
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
