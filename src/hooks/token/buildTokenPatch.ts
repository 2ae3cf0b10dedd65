import type { Json } from '../../okta/types.js';
import { DEBUG_CONTEXT_RESERVE_BYTES, OKTA_RESPONSE_LIMIT_BYTES } from '../../okta/answerLimit.js';
import { claimPath } from './jsonPointer.js';
import { jsonValueProblem } from './jsonValue.js';
import { reservedClaimProblem } from './reservedClaims.js';
import {
  LIFETIME_MAX_SECONDS,
  LIFETIME_MIN_SECONDS,
  LIFETIME_PATH,
  TOKEN_COMMAND,
  TOKEN_KINDS,
  type TokenCommand,
  type TokenHookRequest,
  type TokenHookResponse,
  type TokenKind,
  type TokenPatchOp,
} from './types.js';

/** One matched rule's change to one token, its claim values already computed. */
export interface EvaluatedTokenChange {
  /** Claim name → computed value, in the order the rule lists them. */
  claims?: Readonly<Record<string, unknown>>;
  remove?: readonly string[];
  lifetimeSeconds?: number;
}

/** What one matched rule asks of the tokens. */
export interface RuleTokenChanges {
  ruleId: string;
  identity?: EvaluatedTokenChange;
  access?: EvaluatedTokenChange;
}

/** The decision as the patch builder needs it: matched rules' changes in evaluation order, or a deny. */
export type TokenDecision = { outcome: 'allow'; changes: readonly RuleTokenChanges[] } | { outcome: 'deny'; message: string };

export type ChangeKind = 'set' | 'remove' | 'lifetime';

/** An operation sent, and the rule it came from (for the explanation, the log and debugContext: never the value). */
export interface SentChange {
  token: TokenKind;
  ruleId: string;
  change: ChangeKind;
  op: TokenPatchOp['op'];
  /** The claim's name (absent for a lifetime). */
  claim?: string;
  path: string;
}

export type DropReason = 'token-not-minted' | 'null-value' | 'claim-absent' | 'taken-by-earlier-rule';

/** A change not sent, because sending it would make Okta drop the whole patch or it says nothing. */
export interface DroppedChange {
  token: TokenKind;
  ruleId: string;
  change: ChangeKind;
  claim?: string;
  reason: DropReason;
  message: string;
}

/** A change that cannot be sent: a rule error, for ON_RULE_ERROR to decide on. */
export interface PatchError {
  token?: TokenKind;
  ruleId?: string;
  change?: ChangeKind;
  claim?: string;
  message: string;
}

export interface TokenPatch {
  /** The answer for Okta: `{ commands }` (none: `{}`), or `{ error }` for a deny. Holds only what passed every check. */
  response: TokenHookResponse;
  /** `response` serialised: measured against Okta's limit here, so the answer need not serialise it again. */
  json: string;
  commands: TokenCommand[];
  sent: SentChange[];
  dropped: DroppedChange[];
  /** Non-empty: some change could not be sent (left out of `response`); the caller applies ON_RULE_ERROR. */
  errors: PatchError[];
  /** Set when the patch reached Okta's size limit and was left out whole: its size, and the rules whose operations made it. */
  tooLarge?: { bytes: number; limit: number; rules: string[] };
}

const NOT_MINTED: Readonly<Record<TokenKind, string>> = {
  identity: 'this request mints no ID token (client credentials, or no openid scope), so Okta would refuse an ID-token patch',
  access: 'this request mints no access token, so Okta would refuse an access-token patch',
};

/**
 * Builds Okta's answer from a decision, never with an operation Okta would refuse (it applies a
 * patch all or nothing, and silently issues the unmodified token otherwise): `add` when the
 * token lacks a claim and `replace` when it has it, `remove` only of claims it has, nothing for a
 * token the request does not mint, claim names JSON-Pointer encoded. The first rule (in
 * evaluation order) to set, remove or time a claim or lifetime wins it; a null value sends
 * nothing and leaves the claim to later rules, as for registration updates.
 */
export function buildTokenPatch(decision: TokenDecision, request: TokenHookRequest): TokenPatch {
  if (decision.outcome === 'deny') {
    const response = { error: { errorSummary: decision.message } };
    return { response, json: JSON.stringify(response), commands: [], sent: [], dropped: [], errors: [] };
  }
  const sent: SentChange[] = [];
  const dropped: DroppedChange[] = [];
  const errors: PatchError[] = [];
  const commands: TokenCommand[] = [];
  for (const token of TOKEN_KINDS) {
    const ops = tokenOps(token, decision.changes, request, sent, dropped, errors);
    if (ops.length > 0) commands.push({ type: TOKEN_COMMAND[token], value: ops });
  }
  const response: TokenHookResponse = commands.length > 0 ? { commands } : {};
  // With the room its debugContext takes, so that the answer's last guard (answer.ts) is never reached.
  const json = JSON.stringify(response);
  const bytes = Buffer.byteLength(json) + DEBUG_CONTEXT_RESERVE_BYTES;
  if (bytes >= OKTA_RESPONSE_LIMIT_BYTES) {
    const rules = [...new Set(sent.map((change) => change.ruleId))];
    errors.push({ ...(rules.length === 1 ? { ruleId: rules[0] } : {}), message: `the answer would be ${bytes} bytes with its debugContext; Okta refuses ${OKTA_RESPONSE_LIMIT_BYTES} or more` });
    return { response: {}, json: '{}', commands: [], sent: [], dropped, errors, tooLarge: { bytes, limit: OKTA_RESPONSE_LIMIT_BYTES, rules } };
  }
  return { response, json, commands, sent, dropped, errors };
}

function tokenOps(
  token: TokenKind,
  changes: readonly RuleTokenChanges[],
  request: TokenHookRequest,
  sent: SentChange[],
  dropped: DroppedChange[],
  errors: PatchError[],
): TokenPatchOp[] {
  const minted = request.data[token];
  const claims = isObject(minted) && isObject(minted.claims) ? minted.claims : {};
  const takenBy = new Map<string, string>();
  let lifetimeBy: string | undefined;
  const ops: TokenPatchOp[] = [];

  for (const { ruleId, [token]: change } of changes) {
    if (!change) continue;
    const drop = (kind: ChangeKind, reason: DropReason, message: string, claim?: string) =>
      dropped.push({ token, ruleId, change: kind, ...(claim === undefined ? {} : { claim }), reason, message });
    const fail = (kind: ChangeKind, message: string, claim?: string) =>
      errors.push({ token, ruleId, change: kind, ...(claim === undefined ? {} : { claim }), message });
    const send = (kind: ChangeKind, op: TokenPatchOp, claim?: string) => {
      ops.push(op);
      sent.push({ token, ruleId, change: kind, op: op.op, ...(claim === undefined ? {} : { claim }), path: op.path });
    };
    const taken = (kind: ChangeKind, claim: string): boolean => {
      const owner = takenBy.get(claim);
      if (owner === undefined) return false;
      drop(kind, 'taken-by-earlier-rule', `rule "${owner}" already ${kind === 'remove' ? 'decided' : 'set'} this claim`, claim);
      return true;
    };

    if (!isObject(minted)) {
      for (const claim of Object.keys(change.claims ?? {})) drop('set', 'token-not-minted', NOT_MINTED[token], claim);
      for (const claim of change.remove ?? []) drop('remove', 'token-not-minted', NOT_MINTED[token], claim);
      if (change.lifetimeSeconds !== undefined) drop('lifetime', 'token-not-minted', NOT_MINTED[token]);
      continue;
    }

    for (const [claim, value] of Object.entries(change.claims ?? {})) {
      if (taken('set', claim)) continue;
      if (value === null || value === undefined) {
        drop('set', 'null-value', 'the value is null: nothing is sent, and a later rule may set the claim', claim);
        continue;
      }
      // Whatever happens next, the claim is this rule's: a later rule never stands in for a failed value.
      takenBy.set(claim, ruleId);
      const problem = nameProblem(claim) ?? reservedClaimProblem(token, claim, 'set') ?? valueProblem(value);
      if (problem) {
        fail('set', problem, claim);
        continue;
      }
      const op = Object.hasOwn(claims, claim) ? 'replace' : 'add';
      send('set', { op, path: claimPath(claim), value: value as Json }, claim);
    }

    for (const claim of change.remove ?? []) {
      if (taken('remove', claim)) continue;
      takenBy.set(claim, ruleId);
      const problem = nameProblem(claim) ?? reservedClaimProblem(token, claim, 'remove');
      if (problem) fail('remove', problem, claim);
      else if (!Object.hasOwn(claims, claim)) drop('remove', 'claim-absent', 'the token does not have this claim, and Okta refuses to remove a missing one', claim);
      else send('remove', { op: 'remove', path: claimPath(claim) }, claim);
    }

    if (change.lifetimeSeconds !== undefined) {
      if (lifetimeBy !== undefined) {
        drop('lifetime', 'taken-by-earlier-rule', `rule "${lifetimeBy}" already set the lifetime`);
        continue;
      }
      lifetimeBy = ruleId;
      const seconds = change.lifetimeSeconds;
      if (!Number.isInteger(seconds) || seconds < LIFETIME_MIN_SECONDS || seconds > LIFETIME_MAX_SECONDS) {
        fail('lifetime', `a lifetime of ${String(seconds)} seconds is outside what Okta accepts: whole seconds from ${LIFETIME_MIN_SECONDS} to ${LIFETIME_MAX_SECONDS}`);
      } else send('lifetime', { op: 'replace', path: LIFETIME_PATH, value: seconds });
    }
  }
  return ops;
}

function nameProblem(claim: string): string | null {
  return claim === '' ? 'a claim name cannot be empty' : null;
}

function valueProblem(value: unknown): string | null {
  const problem = jsonValueProblem(value);
  return problem ? `the value is ${problem}` : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
