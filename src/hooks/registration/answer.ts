import type { Decision } from '../../engine/Decision.js';
import { OKTA_RESPONSE_LIMIT_BYTES, serialised } from '../../okta/answerLimit.js';
import { GENERIC_DENY_MESSAGE } from '../../okta/denyMessages.js';
import type { AnswerOptions, HookAnswer } from '../HookType.js';
import { toOktaResponse } from './toOktaResponse.js';
import type { OktaHookResponse } from '../../okta/types.js';

export interface RegistrationAnswer extends HookAnswer {
  response: OktaHookResponse;
}

/**
 * The answer to send for a decision, never one Okta would reject for its size. Such an answer
 * (long computed profile updates) is a rule error, with ON_RULE_ERROR's meaning: `deny` answers
 * the generic deny; `skip` leaves out what made it large, the profile updates, and keeps the
 * outcome (a deny is small, so it is always kept, or denied generically if even that is too large).
 */
export function registrationAnswer(decision: Decision, { decisionId, onRuleError }: AnswerOptions): RegistrationAnswer {
  const meta = { decisionId };
  const response = toOktaResponse(decision, meta);
  const { body, bytes, fits } = serialised(response);
  if (fits) return { decision, response, body };
  // Rule ids only: attribute names can come from the request (updateFrom).
  const tooLarge = { bytes, limit: OKTA_RESPONSE_LIMIT_BYTES, rules: [...new Set(Object.values(decision.updatedBy))] };
  const reason = `the answer would be ${bytes} bytes; Okta rejects ${OKTA_RESPONSE_LIMIT_BYTES} or more`;
  if (onRuleError === 'skip' && decision.outcome === 'allow') {
    const fitted = fit({ ...decision, updates: {}, updatedBy: {} }, decisionId);
    if (fitted) return { ...fitted, tooLarge, dropped: [`profile updates: ${reason}`] };
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
  return { ...(fit(denied, decisionId) ?? fit({ ...denied, matchedRuleIds: [] }, decisionId)!), tooLarge };
}

function fit(decision: Decision, decisionId: string): RegistrationAnswer | undefined {
  const response = toOktaResponse(decision, { decisionId });
  const { body, fits } = serialised(response);
  return fits ? { decision, response, body } : undefined;
}
