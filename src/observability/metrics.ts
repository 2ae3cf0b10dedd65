import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BatchedCounter } from './batchedCounter.js';
import type { Decision } from '../engine/Decision.js';
import { TokenMetrics } from '../hooks/token/tokenMetrics.js';
import type { CompiledRuleset } from '../ruleset/CompiledRuleset.js';
import type { RulesetStore } from '../ruleset/RulesetStore.js';

/**
 * The service's Prometheus metrics, in a registry of its own (one per app, so tests and
 * cluster workers never share state by accident). Rule ids label decisions: their number
 * is bounded by the ruleset, unlike anything taken from a request.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new BatchedCounter({
    name: 'okta_hook_http_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly decisions = new BatchedCounter({
    name: 'okta_hook_decisions_total',
    help: 'Hook decisions by request type, outcome, what decided (rule, default, error) and the deciding rule id',
    labelNames: ['request_type', 'outcome', 'decided_by', 'rule_id'] as const,
    registers: [this.registry],
  });
  private readonly ruleMatches = new BatchedCounter({
    name: 'okta_hook_rule_matches_total',
    help: 'Rules whose condition was true, by rule id',
    labelNames: ['rule_id'] as const,
    registers: [this.registry],
  });
  private readonly ruleErrors = new BatchedCounter({
    name: 'okta_hook_rule_errors_total',
    help: 'Rule conditions that threw, by rule id',
    labelNames: ['rule_id'] as const,
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'okta_hook_http_request_duration_seconds',
    help: 'Time from a request reaching the server (its headers read) to its answer, by route, in seconds',
    labelNames: ['route'] as const,
    // Bracketing Okta's 3 s, after which it gives up; a request not in within 10 s gets a 408.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'okta_hook_decision_duration_seconds',
    help: 'Time from a validated request to its decision and answer, in seconds',
    labelNames: ['request_type'] as const,
    // Okta gives up at 3 s; the small buckets tell a decision made at once from one that waited on facts or counters.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly timedOut = new BatchedCounter({
    name: 'okta_hook_facts_timed_out_total',
    help: 'Requests answered without a fact its own timeout or FACTS_DEADLINE_MS cut short (it followed its onError instead of leaving Okta waiting), by hook type',
    labelNames: ['hook_type'] as const,
    registers: [this.registry],
  });
  /** The token hook's own: operations sent, changes dropped, refusals by cause. */
  readonly token = new TokenMetrics(this.registry);
  private readonly reloads = reloadsCounter(this.registry);
  private readonly lastGoodReload = new Gauge({
    name: 'okta_hook_ruleset_last_good_load_timestamp_seconds',
    help: 'Unix time at which the live ruleset was loaded (across workers: the oldest)',
    aggregator: 'min',
    registers: [this.registry],
  });
  private readonly rulesetInfo = new Gauge({
    name: 'okta_hook_ruleset_info',
    help: 'The live ruleset: its version (content hash) as a label, value 1 (across workers: how many run it)',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });
  private readonly rules = new Gauge({
    name: 'okta_hook_ruleset_rules',
    help: 'Enabled rules in the live ruleset',
    aggregator: 'max',
    registers: [this.registry],
  });
  private readonly reloadErrors = new Gauge({
    name: 'okta_hook_ruleset_load_errors',
    help: 'Errors of the last rejected reload (0 once a reload succeeds): the live ruleset is older than the files',
    aggregator: 'max',
    registers: [this.registry],
  });

  private source: () => Promise<string> = () => this.registry.metrics();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** What GET /metrics serves: this registry, or (cluster worker) the whole cluster's. */
  text(): Promise<string> {
    return this.source();
  }

  useSource(source: () => Promise<string>): void {
    this.source = source;
  }

  /**
   * Follows the store: the live ruleset now, and every swap or rejection from here on.
   * `countsReload` says whether a reload (by its reason) counts here: a cluster worker leaves
   * the reloads the primary asked for to the primary, which counts each once for all workers.
   */
  watch(store: RulesetStore, options: { countsReload?: (reason: string | undefined) => boolean } = {}): void {
    const counts = options.countsReload ?? (() => true);
    this.setLive(store.current());
    store.on('swapped', (next, _previous, reason) => {
      if (counts(reason)) this.reloads.inc({ result: 'success' });
      this.reloadErrors.set(0);
      this.setLive(next);
    });
    store.on('rejected', (errors, reason) => {
      if (counts(reason)) this.reloads.inc({ result: 'failure' });
      this.reloadErrors.set(errors.length);
    });
  }

  observeRequest(route: string, method: string, status: number): void {
    this.requests.inc(`${route} ${method} ${status}`, () => ({ route, method, status: String(status) }));
  }

  observeRequestDuration(route: string, seconds: number): void {
    this.requestDuration.observe({ route }, seconds);
  }

  observeDecision(decision: Decision, seconds: number): void {
    const { requestType, outcome } = decision;
    const { kind, ruleId = '' } = decision.decidedBy;
    this.decisions.inc(`${requestType} ${outcome} ${kind} ${ruleId}`, () => ({ request_type: requestType, outcome, decided_by: kind, rule_id: ruleId }));
    for (const id of decision.matchedRuleIds) this.ruleMatches.inc(id, () => ({ rule_id: id }));
    for (const failed of decision.trace) if (failed.status === 'error') this.ruleErrors.inc(failed.id, () => ({ rule_id: failed.id }));
    this.latency.observe({ request_type: decision.requestType }, seconds);
  }

  /** A request of this hook type answered without a fact still pending at its timeout or the deadline. */
  observeFactsTimedOut(hookType: string): void {
    this.timedOut.inc(hookType, () => ({ hook_type: hookType }));
  }

  private setLive(ruleset: CompiledRuleset): void {
    this.rulesetInfo.reset();
    this.rulesetInfo.set({ version: ruleset.version }, 1);
    this.rules.set(ruleset.rules.length);
    this.lastGoodReload.set(ruleset.loadedAt.getTime() / 1000);
  }
}

/** okta_hook_ruleset_reloads_total, in a worker's registry or (WORKERS > 1) the primary's. */
export function reloadsCounter(registry: Registry): Counter<'result'> {
  return new Counter({
    name: 'okta_hook_ruleset_reloads_total',
    help: 'Ruleset reloads by result (success: swapped in; failure: rejected, the previous ruleset stays); with workers, one per reload the primary asked for',
    labelNames: ['result'] as const,
    registers: [registry],
  });
}
