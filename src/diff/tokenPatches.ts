import { TOKEN_COMMAND, TOKEN_KINDS, type TokenHookResponse, type TokenKind } from '../hooks/token/types.js';
import type { Json } from '../okta/types.js';

/** One operation a token answer sends, named by the token it patches. */
export interface PatchOperation {
  token: TokenKind;
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: Json;
}

/** A token answer's commands as a flat list of operations, in the order Okta receives them. */
export function tokenPatches(response: TokenHookResponse): PatchOperation[] {
  const operations: PatchOperation[] = [];
  for (const command of response.commands ?? []) {
    const token = TOKEN_KINDS.find((kind) => TOKEN_COMMAND[kind] === command.type);
    if (!token) continue;
    for (const { op, path, value } of command.value) operations.push({ token, op, path, ...(op === 'remove' || value === undefined ? {} : { value }) });
  }
  return operations;
}

/** The operations keyed by what they change (token and path), for pairing a before with an after. */
export function patchTarget(operation: PatchOperation): string {
  return `${operation.token} ${operation.path}`;
}
