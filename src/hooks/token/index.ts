// The token inline hook (com.okta.oauth2.tokens.transform): its request and answer types, how a
// request is recognised and validated, what conditions see, what rules may ask at load, the
// patch sent for a decision, and the check of any answer against Okta's rules.
export * from './types.js';
export { hookKindOf, isTokenRequest, detectTokenRequestType, wrongRouteProblem, REGISTRATION_EVENT_TYPE, type HookKind } from './requestKind.js';
export { validateTokenRequest, type CheckedTokenRequest } from './validateTokenRequest.js';
export type { BodyProblem } from './schemaProblems.js';
export { tokenFacts, type TokenFacts, type TokenConveniences, type TokenClient, type QueryParameters } from './tokenFacts.js';
export { RESERVED_CLAIMS, ACCESS_TOKEN_CHANGEABLE, reservedClaimProblem, type ClaimChange } from './reservedClaims.js';
export { checkTokenOutcome, parseLifetime, type TokenChangeSpec, type OutcomeProblem } from './checkTokenOutcome.js';
export { encodePointerToken, decodePointerToken, claimPath, claimSegments } from './jsonPointer.js';
export { jsonValueProblem } from './jsonValue.js';
export {
  buildTokenPatch,
  type TokenDecision,
  type RuleTokenChanges,
  type EvaluatedTokenChange,
  type TokenPatch,
  type SentChange,
  type DroppedChange,
  type DropReason,
  type PatchError,
  type ChangeKind,
} from './buildTokenPatch.js';
export { applyTokenPatch, type TokenState, type PatchOutcome } from './applyTokenPatch.js';
export { validateTokenAnswer } from './validateTokenAnswer.js';
export { token } from './hook.js';
export { tokenAnswer, type TokenAnswer } from './answer.js';
export { tokenContext, tokenSubject } from './context.js';
export { tokenChangesOf } from './changesOf.js';
