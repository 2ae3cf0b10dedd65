import type { HookType } from '../HookType.js';
import { tokenAnswer, type TokenAnswer } from './answer.js';
import { tokenContext, tokenSubject } from './context.js';
import { TOKEN_REQUEST_TYPE, type TokenHookRequest } from './types.js';
import { validateTokenRequest } from './validateTokenRequest.js';

/**
 * Okta's token inline hook (com.okta.oauth2.tokens.transform): its rules add, replace or remove
 * claims of the access and ID tokens, shorten their lifetimes, or refuse the token.
 */
export const token: HookType<TokenHookRequest, TokenAnswer> = {
  name: 'token',
  requestTypes: [TOKEN_REQUEST_TYPE],
  outcomes: ['deny', 'access', 'identity'],
  parse(body) {
    const checked = validateTokenRequest(body);
    return checked.ok ? checked : { ok: false, problems: checked.problems.map((problem) => `${problem.path || '(body)'}: ${problem.message}`) };
  },
  context: tokenContext,
  answer: tokenAnswer,
  subject: tokenSubject,
};
