import type { Decision } from '../engine/Decision.js';
import type { OnRuleError } from '../engine/evaluate.js';
import { GENERIC_DENY_MESSAGE } from './denyMessages.js';
import { toOktaResponse, type ResponseMeta } from './toOktaResponse.js';
import type { OktaHookResponse } from './types.js';

/**
 * Okta rejects a hook response of 256 KB or more (and the sign-up fails with its generic error).
 * Read as 256,000 bytes, the smaller of the two readings of "KB": no reading rejects what is sent.
 */
export const OKTA_RESPONSE_LIMIT_BYTES = 256_000;

export interface OktaAnswer {
  /** The decision the answer carries: the evaluated one, or its stand-in when that was too large. */
  decision: Decision;
  response: OktaHookResponse;
  /** `response` serialised, as sent. */
  body: string;
  /** Set when the evaluated decision's answer would have reached the limit (its size in bytes). */
  tooLarge?: { bytes: number; limit: number };
}

/**
 * The answer to send for a decision, never one Okta would reject for its size. Such an answer
 * (long computed profile updates) is a rule error, with ON_RULE_ERROR's meaning: `deny` answers
 * the generic deny; `skip` leaves out what made it large, the profile updates, and keeps the
 * outcome (a deny is small, so it is always kept, or denied generically if even that is too large).
 */
export function oktaAnswer(decision: Decision, meta: ResponseMeta, onRuleError: OnRuleError): OktaAnswer {
  const response = toOktaResponse(decision, meta);
  const body = JSON.stringify(response);
  const bytes = Buffer.byteLength(body);
  if (bytes < OKTA_RESPONSE_LIMIT_BYTES) return { decision, response, body };
  const tooLarge = { bytes, limit: OKTA_RESPONSE_LIMIT_BYTES };
  const reason = `the answer would be ${bytes} bytes; Okta rejects ${OKTA_RESPONSE_LIMIT_BYTES} or more`;
  if (onRuleError === 'skip' && decision.outcome === 'allow') {
    const fitted = fit({ ...decision, updates: {}, updatedBy: {} }, meta);
    if (fitted) return { ...fitted, tooLarge };
  }
  const denied: Decision = {
    ...decision,
    outcome: 'deny',
    decidedBy: { kind: 'error' },
    deny: { message: GENERIC_DENY_MESSAGE[decision.requestType], internalReason: reason },
    updates: {},
    updatedBy: {},
  };
  // The rule ids listed in debugContext are the last thing that can still be long.
  return { ...(fit(denied, meta) ?? fit({ ...denied, matchedRuleIds: [] }, meta)!), tooLarge };
}

function fit(decision: Decision, meta: ResponseMeta): Omit<OktaAnswer, 'tooLarge'> | undefined {
  const response = toOktaResponse(decision, meta);
  const body = JSON.stringify(response);
  return Buffer.byteLength(body) < OKTA_RESPONSE_LIMIT_BYTES ? { decision, response, body } : undefined;
}
