import type { Decision } from '../../engine/Decision.js';
import { OKTA_RESPONSE_LIMIT_BYTES, serialised } from '../../okta/answerLimit.js';
import { GENERIC_DENY_MESSAGE } from '../../okta/denyMessages.js';
import type { Json } from '../../okta/types.js';
import type { AnswerOptions, HookAnswer } from '../HookType.js';
import { buildTokenPatch, type DroppedChange, type PatchError, type SentChange, type TokenPatch } from './buildTokenPatch.js';
import { tokenChangesOf } from './changesOf.js';
import type { TokenHookRequest, TokenHookResponse } from './types.js';

export interface TokenAnswer extends HookAnswer {
  response: TokenHookResponse;
  /** The operations sent, each with its rule (never its value). */
  sent: SentChange[];
  /** The changes not sent, and why (a token not minted, a null value, a claim absent…). */
  droppedChanges: DroppedChange[];
  /** Changes that could not be sent at all: rule errors, which ON_RULE_ERROR decided on. */
  errors: PatchError[];
}

/**
 * Okta's answer to a token request: the matched rules' changes as a patch Okta applies (never
 * an operation it would refuse), `error` for a deny, `{}` plus debugContext when nothing
 * changes. A change that cannot be sent (a value that is not JSON, an answer of 256 KB or more)
 * is a rule error: `deny` refuses the token, `skip` sends the rest.
 */
export function tokenAnswer(decision: Decision, request: TokenHookRequest, { decisionId, onRuleError }: AnswerOptions): TokenAnswer {
  if (decision.outcome === 'deny') {
    const patch = buildTokenPatch({ outcome: 'deny', message: decision.deny?.message ?? GENERIC_DENY_MESSAGE.token }, request);
    return finish(decision, patch.response, [], [], [], decisionId);
  }
  const patch = buildTokenPatch({ outcome: 'allow', changes: tokenChangesOf(decision.outcomes ?? []) }, request);
  if (patch.errors.length > 0 && onRuleError === 'deny') {
    const denied = deniedByError(decision, patch.errors[0]?.ruleId, patch.errors.map(describeError).join('; '));
    return withSize(finish(denied, { error: { errorSummary: GENERIC_DENY_MESSAGE.token } }, [], patch.dropped, patch.errors, decisionId), patch.tooLarge);
  }
  return withSize(finish(decision, patch.response, patch.sent, patch.dropped, patch.errors, decisionId), patch.tooLarge);
}

/** The decision turned into a refusal by a rule error, so that what is logged and counted says what Okta was sent. */
function deniedByError(decision: Decision, ruleId: string | undefined, reason: string): Decision {
  const denied: Decision = {
    ...decision,
    outcome: 'deny',
    decidedBy: { kind: 'error', ...(ruleId ? { ruleId } : {}) },
    deny: { message: GENERIC_DENY_MESSAGE.token, internalReason: reason },
    updates: {},
    updatedBy: {},
  };
  delete denied.outcomes;
  return denied;
}

/** The answer, saying the patch was left out for its size (the hook logs it as answer-too-large). */
function withSize(answer: TokenAnswer, tooLarge: TokenPatch['tooLarge']): TokenAnswer {
  return tooLarge && !answer.tooLarge ? { ...answer, tooLarge } : answer;
}

function finish(decision: Decision, response: TokenHookResponse, sent: SentChange[], dropped: DroppedChange[], errors: PatchError[], decisionId: string): TokenAnswer {
  const debugContext: Record<string, Json> = {
    decisionId,
    hookType: 'token',
    decision: decision.outcome.toUpperCase(),
    decidedBy: decision.decidedBy.ruleId ? `${decision.decidedBy.kind}:${decision.decidedBy.ruleId}` : decision.decidedBy.kind,
    matchedRules: decision.matchedRuleIds.join(',') || '(none)',
    rulesetVersion: decision.rulesetVersion,
  };
  if (decision.deny?.internalReason) debugContext.internalReason = decision.deny.internalReason;
  if (decision.failedFacts?.length) debugContext.failedFacts = decision.failedFacts.join(',');
  if (decision.failedCounters?.length) debugContext.failedCounters = decision.failedCounters.join(',');
  // Claim names and paths, never values: Okta writes debugContext to its System Log.
  if (sent.length > 0) debugContext.sent = sent.map(describeSent).join('; ');
  if (dropped.length > 0) debugContext.dropped = dropped.map(describeDropped).join('; ');
  if (errors.length > 0) debugContext.ruleErrors = errors.map(describeError).join('; ');
  const full: TokenHookResponse = { ...response, debugContext };
  const answer = {
    decision,
    sent,
    droppedChanges: dropped,
    errors,
    ...(dropped.length > 0 ? { dropped: dropped.map(describeDropped) } : {}),
    patches: { sent: sent.map(describeSent), dropped: dropped.map((change) => `${change.token} ${change.change}${change.claim === undefined ? '' : ` ${change.claim}`} (${change.ruleId}): ${change.reason}`) },
  };
  const fitted = serialised(full);
  if (fitted.fits) return { ...answer, response: full, body: fitted.body };
  // The lists in debugContext are the only part the rules did not size: they go first.
  const short: TokenHookResponse = { ...response, debugContext: { decisionId, hookType: 'token', decision: decision.outcome.toUpperCase() } };
  const bare = serialised(short);
  if (bare.fits) return { ...answer, response: short, body: bare.body };
  // buildTokenPatch keeps room for this debugContext, so this guard is not reached; if it were, the
  // decision says what was sent (a refusal), whatever ON_RULE_ERROR says, since nothing else fits.
  const rules = [...new Set(sent.map((change) => change.ruleId))];
  const refused: TokenHookResponse = { error: { errorSummary: GENERIC_DENY_MESSAGE.token }, debugContext: { decisionId } };
  const denied = deniedByError(decision, rules[0], `the answer would be ${bare.bytes} bytes; Okta refuses ${OKTA_RESPONSE_LIMIT_BYTES} or more`);
  return { ...answer, decision: denied, sent: [], patches: { ...answer.patches, sent: [] }, response: refused, body: JSON.stringify(refused), tooLarge: { bytes: bare.bytes, limit: OKTA_RESPONSE_LIMIT_BYTES, rules } };
}

function describeSent(change: SentChange): string {
  return `${change.token} ${change.op} ${change.path} (${change.ruleId})`;
}

function describeDropped(change: DroppedChange): string {
  return `${change.token} ${change.change}${change.claim === undefined ? '' : ` ${change.claim}`} (${change.ruleId}): ${change.reason}: ${change.message}`;
}

function describeError(error: PatchError): string {
  const where = [error.token, error.change, error.claim].filter((part) => part !== undefined).join(' ');
  return `${error.ruleId ? `rule ${error.ruleId}: ` : ''}${where ? `${where}: ` : ''}${error.message}`;
}
