import { applyTokenPatch, type TokenState } from '../hooks/token/applyTokenPatch.js';
import { mintedTokens } from '../hooks/token/validateTokenAnswer.js';
import type { TokenAnswer } from '../hooks/token/answer.js';
import type { DroppedChange, PatchError, SentChange } from '../hooks/token/buildTokenPatch.js';
import { TOKEN_COMMAND, type TokenHookRequest, type TokenKind } from '../hooks/token/types.js';

/** One claim or lifetime change Okta would apply, and the rule that asked for it. */
export interface TokenChangeView {
  /** The claim's name; absent for the lifetime. */
  claim?: string;
  change: 'added' | 'replaced' | 'removed' | 'lifetime';
  ruleId: string;
  path: string;
}

/** One token as Okta minted it, and as it would issue it after this answer. */
export interface TokenView {
  before: TokenState;
  /** null when the answer refuses the token (none is issued). */
  after: TokenState | null;
  changes: TokenChangeView[];
  /** Set only if Okta would refuse this token's patch and so issue it unchanged (`after` is then `before`). */
  oktaWouldDrop?: string;
}

/** What the preview shows of a token answer, beside the trace: each token before and after, and why. */
export interface TokenPreview {
  issued: boolean;
  /** What the client is told (error.errorSummary) when the token is refused. */
  refusal?: { message: string };
  /** null: this request mints no such token. */
  identity: TokenView | null;
  access: TokenView | null;
  sent: SentChange[];
  /** Changes left out so that Okta applies the rest (a token not minted, a null value, a claim absent, an earlier rule's claim). */
  dropped: DroppedChange[];
  /** Changes that could not be sent at all: rule errors, decided by ON_RULE_ERROR. */
  ruleErrors: PatchError[];
}

const CHANGE_OF = { add: 'added', replace: 'replaced', remove: 'removed' } as const;

/**
 * The tokens before and after the answer, computed as Okta would: the commands the answer
 * really carries, applied to the request's tokens by applyTokenPatch. Values are the request's
 * (echoed by the preview anyway) and the answer's (shown as sent), nothing else: the changes a
 * rule computed but the answer left out are listed by name, never with their values.
 */
export function tokenPreview(request: TokenHookRequest, answer: TokenAnswer): TokenPreview {
  const { response } = answer;
  const issued = response.error === undefined;
  // A refused answer sends no patch, whatever the decision had built before it was refused.
  const sent = issued ? answer.sent : [];
  const minted = mintedTokens(request);
  const view = (token: TokenKind): TokenView | null => {
    const before = minted[token];
    if (!before) return null;
    if (!issued) return { before, after: null, changes: [] };
    const changes = sent.filter((change) => change.token === token).map(changeView);
    // Commands of one type apply in order, each on the result of the one before, as Okta does.
    const ops = (response.commands ?? []).filter((command) => command.type === TOKEN_COMMAND[token]).flatMap((command) => command.value);
    const applied = applyTokenPatch(before, ops);
    return applied.ok ? { before, after: applied.token, changes } : { before, after: before, changes, oktaWouldDrop: applied.problem };
  };
  return {
    issued,
    ...(response.error ? { refusal: { message: response.error.errorSummary } } : {}),
    identity: view('identity'),
    access: view('access'),
    sent,
    dropped: answer.droppedChanges,
    ruleErrors: answer.errors,
  };
}

function changeView(sent: SentChange): TokenChangeView {
  return {
    ...(sent.claim === undefined ? {} : { claim: sent.claim }),
    change: sent.change === 'lifetime' ? 'lifetime' : CHANGE_OF[sent.op],
    ruleId: sent.ruleId,
    path: sent.path,
  };
}
