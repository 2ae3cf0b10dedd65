import type { Json, JsonObject } from '../../okta/types.js';
import { claimSegments } from './jsonPointer.js';
import { LIFETIME_PATH, type TokenPatchOp } from './types.js';

/** A token as a patch sees it: its claims and lifetime (seconds; undefined when Okta did not say). */
export interface TokenState {
  claims: JsonObject;
  lifetime?: number | undefined;
}

export type PatchOutcome = { ok: true; token: TokenState } | { ok: false; index: number; problem: string };

/**
 * Applies operations to a copy of a token as Okta does (JSON Patch, RFC 6902, on the token's
 * claims and lifetime), stopping at the first it would refuse: a replace or remove of something
 * the token lacks, a member added to an object that does not exist, an array index past the end.
 * The input is not changed. Used to check answers against the request's tokens and to show a
 * token before and after its patch.
 */
export function applyTokenPatch(token: TokenState, ops: readonly TokenPatchOp[]): PatchOutcome {
  const state: TokenState = { claims: structuredClone(token.claims), lifetime: token.lifetime };
  for (let index = 0; index < ops.length; index++) {
    const problem = applyOne(state, ops[index]!);
    if (problem) return { ok: false, index, problem };
  }
  return { ok: true, token: state };
}

function applyOne(state: TokenState, op: TokenPatchOp): string | null {
  if (op.path === LIFETIME_PATH) {
    if (op.op !== 'replace') return `only replace applies to ${LIFETIME_PATH}`;
    state.lifetime = op.value as number;
    return null;
  }
  const segments = claimSegments(op.path);
  if (!segments) return `${op.path} is not a claim path`;
  const parentPath = segments.slice(0, -1);
  const last = segments[segments.length - 1]!;
  let parent: Json = state.claims;
  for (let i = 0; i < parentPath.length; i++) {
    const next = child(parent, parentPath[i]!);
    if (next === undefined) return `${describePath(segments.slice(0, i + 1))} does not exist in the token`;
    parent = next;
  }
  if (Array.isArray(parent)) return applyToArray(parent, last, op, segments);
  if (parent === null || typeof parent !== 'object') return `${describePath(parentPath)} is neither an object nor a list`;
  const present = Object.hasOwn(parent, last);
  if (op.op === 'add') {
    define(parent, last, structuredClone(op.value));
    return null;
  }
  if (!present) return `${describePath(segments)} is not in the token, so it cannot be ${op.op === 'replace' ? 'replaced' : 'removed'}`;
  if (op.op === 'replace') define(parent, last, structuredClone(op.value));
  else delete parent[last];
  return null;
}

function applyToArray(list: Json[], last: string, op: TokenPatchOp, segments: string[]): string | null {
  if (op.op === 'add' && last === '-') {
    list.push(structuredClone(op.value));
    return null;
  }
  const index = arrayIndex(last);
  const limit = op.op === 'add' ? list.length : list.length - 1;
  if (index === null || index > limit) return `${describePath(segments)}: no such position in a list of ${list.length}`;
  if (op.op === 'add') list.splice(index, 0, structuredClone(op.value));
  else if (op.op === 'replace') list[index] = structuredClone(op.value);
  else list.splice(index, 1);
  return null;
}

function child(parent: Json, segment: string): Json | undefined {
  if (Array.isArray(parent)) {
    const index = arrayIndex(segment);
    return index !== null && index < parent.length ? parent[index] : undefined;
  }
  if (parent !== null && typeof parent === 'object' && Object.hasOwn(parent, segment)) return parent[segment];
  return undefined;
}

/** An RFC 6901 array index: 0, or digits without a leading zero. */
function arrayIndex(segment: string): number | null {
  return /^(0|[1-9][0-9]{0,8})$/.test(segment) ? Number(segment) : null;
}

/** defineProperty, not assignment: a claim named __proto__ is a claim, not the object's prototype. */
function define(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function describePath(segments: readonly string[]): string {
  return segments.length === 0 ? 'the claims' : `claim ${segments.map((s) => JSON.stringify(s)).join(' → ')}`;
}
