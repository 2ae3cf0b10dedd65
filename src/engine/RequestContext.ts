import type { RequestType } from '../okta/types.js';

/**
 * One request as the stages and the engine read it, built once by its hook type
 * (hooks/<type>/context.ts) and frozen: the facts and counters stages and evaluate all read
 * this one, and none writes into it.
 */
export interface RequestContext {
  /** The request type as decided, not necessarily as sent (the hook type's detection). */
  readonly type: RequestType;
  /** Why the type is not the one sent, for the log. */
  readonly note?: string | undefined;
  /** Okta's id for this delivery: a retried request carries the same one (counters count it once). */
  readonly eventId?: string | undefined;
  /** What conditions see: the request as Okta sent it plus the hook type's conveniences. */
  readonly data: Readonly<Record<string, unknown>>;
  /** What the end user reads when a failure (a rule that threw, a failed fact) refuses the request. */
  readonly genericDenyMessage: string;
}
