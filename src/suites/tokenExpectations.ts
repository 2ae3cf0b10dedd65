import { isDeepStrictEqual } from 'node:util';
import { claimSegments } from '../hooks/token/jsonPointer.js';
import { LIFETIME_PATH, TOKEN_COMMAND, TOKEN_KINDS, type TokenCommand, type TokenHookResponse } from '../hooks/token/types.js';
import type { JsonObject } from '../okta/types.js';
import type { Expectation, TokenExpectation } from './types.js';

/** How a token answer differs from a case's `patches`, `access` and `identity` expectations, in words. */
export function tokenFailures(expect: Expectation, response: TokenHookResponse): string[] {
  const failures: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  const commands = response.commands ?? [];
  if (expect.patches !== undefined && !isDeepStrictEqual(commands, expect.patches)) {
    failures.push(`patches: expected ${show(expect.patches)}, got ${show(commands)}`);
  }
  for (const token of TOKEN_KINDS) {
    const wanted = expect[token];
    if (wanted === undefined) continue;
    const got = readBack(commands.find((command) => command.type === TOKEN_COMMAND[token]));
    for (const field of ['claims', 'removed', 'lifetime'] as const) {
      if (wanted[field] === undefined) continue;
      const want = field === 'removed' ? [...wanted.removed!].sort() : wanted[field];
      const have = field === 'removed' ? [...got.removed].sort() : got[field];
      if (!isDeepStrictEqual(want, have)) failures.push(`${token}.${field}: expected ${show(want)}, got ${show(have)}`);
    }
  }
  return failures;
}

/** A command's operations as a reviewer reads them: top-level claims set, claims removed, the new lifetime. */
function readBack(command: TokenCommand | undefined): Required<TokenExpectation> {
  const claims: JsonObject = {};
  const removed: string[] = [];
  let lifetime: number | null = null;
  for (const op of command?.value ?? []) {
    if (op.path === LIFETIME_PATH && op.op === 'replace') {
      lifetime = typeof op.value === 'number' ? op.value : null;
      continue;
    }
    const name = claimSegments(op.path)?.[0];
    if (name === undefined) continue;
    if (op.op === 'remove') removed.push(name);
    else Object.defineProperty(claims, name, { value: op.value, enumerable: true, writable: true, configurable: true });
  }
  return { claims, removed, lifetime };
}
