import type { Decision } from '../engine/Decision.js';
import type { OnRuleError } from '../engine/evaluate.js';
import type { RequestContext } from '../engine/RequestContext.js';
import type { RequestType } from '../okta/types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface AnswerOptions {
  /** Returned in the answer's debugContext, so an admin can join Okta's System Log to this service's log. */
  decisionId: string;
  /** What a rule error found in the answer itself (too large, or a patch Okta would drop) does. */
  onRuleError: OnRuleError;
}

/** What the service sends Okta for one decision: always an answer Okta accepts. */
export interface HookAnswer {
  /** The decision the answer carries: the evaluated one, or its stand-in when that one could not be sent. */
  decision: Decision;
  /** The answer as an object (Okta's wire format for this hook type). */
  response: object;
  /** `response` serialised, as sent. */
  body: string;
  /**
   * Set when the evaluated decision's answer would have reached Okta's size limit: its size in
   * bytes, and the ids of the rules whose changes made it.
   */
  tooLarge?: { bytes: number; limit: number; rules: string[] };
  /** What the answer left out of the decision, and why (for the explanation and the log). */
  dropped?: string[];
  /** Hook types that patch (token): each operation sent and each change left out, in words, never a value (for the decision log). */
  patches?: { sent: string[]; dropped: string[] };
}

/**
 * One kind of Okta inline hook, as data plus four functions: what its request looks like,
 * what conditions see, which outcomes its rules may have, and how a decision becomes its
 * answer. decide/ reads hook types only through this: a new one is a module beside
 * hooks/registration, a branch of the rule schema and a route.
 */
export interface HookType<Request, Answer extends HookAnswer = HookAnswer> {
  /** Its name in logs, metrics and error messages (registration, token…). */
  readonly name: string;
  /** The request types it decides, as rules name them in appliesTo, defaults and tests. */
  readonly requestTypes: readonly RequestType[];
  /** The keys a rule's `then` may hold for these request types (the rule compiler refuses others). */
  readonly outcomes: readonly string[];
  /** Checks a body against the hook's request schema: the request, or what is wrong, in words. */
  parse(body: unknown): Parsed<Request>;
  /** The request's type and the data conditions see: built once per request, frozen. */
  context(request: Request): RequestContext;
  /**
   * Okta's answer for a decision, computed against the request (a token answer patches the
   * request's tokens) and checked against Okta's limits: never one Okta would reject or drop.
   */
  answer(decision: Decision, request: Request, options: AnswerOptions): Answer;
  /** Who the decision is about (a login, an IP address), for the decision log, which masks them. */
  subject(request: Request): { login?: string; ip?: string };
}
