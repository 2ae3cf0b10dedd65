import type { Registry } from 'prom-client';
import type { Decision } from '../../engine/Decision.js';
import { BatchedCounter } from '../../observability/batchedCounter.js';
import type { TokenAnswer } from './answer.js';
import type { ChangeKind, DropReason, SentChange } from './buildTokenPatch.js';
import type { TokenKind } from './types.js';

/** Why a token was refused: a deny rule, the default, or a failure that ON_RULE_ERROR or an onError turned into a deny. */
export type RefusalCause = 'rule' | 'default' | 'rule-error' | 'fact-error' | 'counter-error';

/** An operation sent, as its metric names it: a lifetime is told apart from a claim's replace. */
export type SentOp = SentChange['op'] | 'lifetime';

/** A change not sent: the patch builder's reasons, and `rule-error` for a change that could not be sent at all. */
export type DroppedReason = DropReason | 'rule-error';

/**
 * The token hook's metrics, in the service's registry. Every label comes from a fixed set
 * (token, op, change, reason, cause): never a claim name, a value or a rule id, so the
 * number of series is bounded whatever the rules and requests.
 */
export class TokenMetrics {
  private readonly sent: BatchedCounter<'token' | 'op'>;
  private readonly dropped: BatchedCounter<'token' | 'change' | 'reason'>;
  private readonly refusals: BatchedCounter<'cause'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new BatchedCounter({
      name: 'okta_hook_token_operations_sent_total',
      help: 'Token patch operations sent to Okta, by token (access, identity) and op (add, replace, remove; lifetime: the lifetime replaced)',
      labelNames: ['token', 'op'],
      registers,
    });
    this.dropped = new BatchedCounter({
      name: 'okta_hook_token_changes_dropped_total',
      help: 'Token changes matched rules asked for and the service did not send, by token, change (set, remove, lifetime) and reason (token-not-minted, null-value, claim-absent, taken-by-earlier-rule, rule-error)',
      labelNames: ['token', 'change', 'reason'],
      registers,
    });
    this.refusals = new BatchedCounter({
      name: 'okta_hook_token_refusals_total',
      help: 'Tokens refused (an error answer: the client gets server_error), by cause (rule, default, rule-error, fact-error, counter-error)',
      labelNames: ['cause'],
      registers,
    });
  }

  observe(answer: TokenAnswer): void {
    for (const change of answer.sent) {
      const token = change.token;
      const op: SentOp = change.change === 'lifetime' ? 'lifetime' : change.op;
      this.sent.inc(`${token} ${op}`, () => ({ token, op }));
    }
    for (const change of answer.droppedChanges) this.drop(change.token, change.change, change.reason);
    // A change that failed (a value that is not JSON, a reserved claim…) was not sent either: it counts once, as a rule error.
    for (const error of answer.errors) if (error.token && error.change) this.drop(error.token, error.change, 'rule-error');
    const cause = refusalCause(answer.decision);
    if (cause) this.refusals.inc(cause, () => ({ cause }));
  }

  private drop(token: TokenKind, change: ChangeKind, reason: DroppedReason): void {
    this.dropped.inc(`${token} ${change} ${reason}`, () => ({ token, change, reason }));
  }
}

/**
 * Why the answer refuses the token, or undefined when it does not. A decision by an error names
 * the rule it stopped at; that rule's trace entry says whether its fact or its counter failed
 * (their onError) or the rule itself did (ON_RULE_ERROR: a condition that threw, a change that
 * could not be sent, an answer too large).
 */
export function refusalCause(decision: Decision): RefusalCause | undefined {
  if (decision.outcome !== 'deny') return undefined;
  const { kind, ruleId } = decision.decidedBy;
  if (kind !== 'error') return kind;
  const entry = ruleId === undefined ? undefined : decision.trace.find((rule) => rule.id === ruleId && rule.status === 'error');
  if (entry?.factFailure) return 'fact-error';
  if (entry?.counterFailure) return 'counter-error';
  return 'rule-error';
}
