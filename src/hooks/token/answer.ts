import type { Decision } from '../../engine/Decision.js';
import { OKTA_RESPONSE_LIMIT_BYTES } from '../../okta/answerLimit.js';
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
    return finish(decision, patch.response, patch.json, [], [], [], decisionId);
  }
  const patch = buildTokenPatch({ outcome: 'allow', changes: tokenChangesOf(decision.outcomes ?? []) }, request);
  if (patch.errors.length > 0 && onRuleError === 'deny') {
    const denied = deniedByError(decision, patch.errors[0]?.ruleId, patch.errors.map(describeError).join('; '));
    const refused: TokenHookResponse = { error: { errorSummary: GENERIC_DENY_MESSAGE.token } };
    return withSize(finish(denied, refused, JSON.stringify(refused), [], patch.dropped, patch.errors, decisionId), patch.tooLarge);
  }
  return withSize(finish(decision, patch.response, patch.json, patch.sent, patch.dropped, patch.errors, decisionId), patch.tooLarge);
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
  if (tooLarge && !answer.tooLarge) answer.tooLarge = tooLarge;
  return answer;
}

/** `response` (serialised as `json`) with its debugContext, as sent. */
function finish(decision: Decision, response: TokenHookResponse, json: string, sent: SentChange[], dropped: DroppedChange[], errors: PatchError[], decisionId: string): TokenAnswer {
  const sentText = sent.map(describeSent);
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
  if (sentText.length > 0) debugContext.sent = sentText.join('; ');
  if (dropped.length > 0) debugContext.dropped = dropped.map(describeDropped).join('; ');
  if (errors.length > 0) debugContext.ruleErrors = errors.map(describeError).join('; ');
  const patches = { sent: sentText, dropped: dropped.map((change) => `${change.token} ${change.change}${change.claim === undefined ? '' : ` ${change.claim}`} (${change.ruleId}): ${change.reason}`) };
  const answer = (sentResponse: TokenHookResponse, body: string): TokenAnswer => {
    const built: TokenAnswer = { decision, sent, droppedChanges: dropped, errors, patches, response: sentResponse, body };
    if (dropped.length > 0) built.dropped = dropped.map(describeDropped);
    return built;
  };
  const full = withDebugContext(response, json, debugContext);
  if (full.fits) return answer(full.response, full.body);
  // The lists in debugContext are the only part the rules did not size: they go first.
  const bare = withDebugContext(response, json, { decisionId, hookType: 'token', decision: decision.outcome.toUpperCase() });
  if (bare.fits) return answer(bare.response, bare.body);
  // buildTokenPatch keeps room for this debugContext, so this guard is not reached; if it were, the
  // decision says what was sent (a refusal), whatever ON_RULE_ERROR says, since nothing else fits.
  const rules = [...new Set(sent.map((change) => change.ruleId))];
  const refused: TokenHookResponse = { error: { errorSummary: GENERIC_DENY_MESSAGE.token }, debugContext: { decisionId } };
  const denied = deniedByError(decision, rules[0], `the answer would be ${bare.bytes} bytes; Okta refuses ${OKTA_RESPONSE_LIMIT_BYTES} or more`);
  return { decision: denied, sent: [], droppedChanges: dropped, errors, patches: { sent: [], dropped: patches.dropped }, response: refused, body: JSON.stringify(refused), tooLarge: { bytes: bare.bytes, limit: OKTA_RESPONSE_LIMIT_BYTES, rules } };
}

/**
 * The response with debugContext as its last member, and its serialised form measured against
 * Okta's limit: built from the response's own JSON (already serialised to measure the patch),
 * exactly as JSON.stringify would write the whole, without serialising the claims again.
 */
function withDebugContext(response: TokenHookResponse, json: string, debugContext: Record<string, Json>): { response: TokenHookResponse; body: string; bytes: number; fits: boolean } {
  const body = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"debugContext":${JSON.stringify(debugContext)}}`;
  const bytes = Buffer.byteLength(body);
  return { response: Object.assign({}, response, { debugContext }), body, bytes, fits: bytes < OKTA_RESPONSE_LIMIT_BYTES };
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
