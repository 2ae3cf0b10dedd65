import type { Decision } from '../../engine/Decision.js';
import { COMMAND, type OktaCommand, type OktaErrorCause, type OktaHookResponse } from '../../okta/types.js';

export interface ResponseMeta {
  /** Returned in debugContext so an admin can join Okta's System Log to this service's log. */
  decisionId: string;
}

/**
 * The one place that knows Okta's wire format for answers. A deny is a DENY command plus an
 * `error` (which alone makes Okta fail the flow); an allow is an explicit ALLOW after any
 * profile update. debugContext lands in Okta's System Log (inline_hook.response.processed).
 */
export function toOktaResponse(decision: Decision, meta: ResponseMeta): OktaHookResponse {
  const debugContext: Record<string, string> = {
    decisionId: meta.decisionId,
    decision: decision.outcome.toUpperCase(),
    decidedBy: decision.decidedBy.ruleId ? `${decision.decidedBy.kind}:${decision.decidedBy.ruleId}` : decision.decidedBy.kind,
    matchedRules: decision.matchedRuleIds.join(',') || '(none)',
    rulesetVersion: decision.rulesetVersion,
    requestType: decision.requestType,
  };
  if (decision.deny?.internalReason) debugContext.internalReason = decision.deny.internalReason;
  if (decision.failedFacts?.length) debugContext.failedFacts = decision.failedFacts.join(',');
  if (decision.failedCounters?.length) debugContext.failedCounters = decision.failedCounters.join(',');

  if (decision.outcome === 'deny') {
    const deny = decision.deny!;
    // Without causes the widget would fall back to Okta's generic text; a cause with no
    // location carries the rule's message instead.
    const causes: OktaErrorCause[] = (deny.causes?.length ? deny.causes : [{ message: deny.message }]).map((cause) => ({
      errorSummary: cause.message,
      reason: cause.reason ?? 'REGISTRATION_DENIED',
      locationType: cause.locationType ?? 'body',
      ...(cause.location ? { location: cause.location } : {}),
      domain: cause.domain ?? 'end-user',
    }));
    return {
      commands: [{ type: COMMAND.action, value: { registration: 'DENY' } }],
      error: { errorSummary: deny.message, errorCauses: causes },
      debugContext,
    };
  }

  const commands: OktaCommand[] = [];
  if (Object.keys(decision.updates).length > 0) {
    const type = decision.requestType === 'progressive.profile' ? COMMAND.progressiveProfileUpdate : COMMAND.profileUpdate;
    commands.push({ type, value: decision.updates });
  }
  commands.push({ type: COMMAND.action, value: { registration: 'ALLOW' } });
  return { commands, debugContext };
}
