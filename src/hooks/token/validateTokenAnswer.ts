import { Ajv } from 'ajv';
import { OKTA_RESPONSE_LIMIT_BYTES } from '../../okta/answerLimit.js';
import type { JsonObject } from '../../okta/types.js';
import { readSchema } from '../../paths.js';
import { applyTokenPatch, type TokenState } from './applyTokenPatch.js';
import { claimSegments } from './jsonPointer.js';
import { reservedClaimProblem } from './reservedClaims.js';
import { schemaProblems, type BodyProblem } from './schemaProblems.js';
import { TOKEN_COMMAND, type TokenHookRequest, type TokenKind, type TokenPatchOp } from './types.js';

const schema = new Ajv({ allErrors: true, strict: false }).compile(readSchema('okta-token-response.schema.json'));

const TOKEN_OF: Readonly<Record<string, TokenKind>> = {
  [TOKEN_COMMAND.identity]: 'identity',
  [TOKEN_COMMAND.access]: 'access',
};

const TOKEN_NAME: Readonly<Record<TokenKind, string>> = { identity: 'ID token', access: 'access token' };

/**
 * Every reason Okta would refuse a token hook answer (and so, silently, issue the unmodified
 * token): its shape, operations and paths (schemas/okta-token-response.schema.json), reserved
 * claims, the lifetime range, the size limit and, given the request, commands for tokens it
 * does not mint and operations on claims its tokens lack. [] when Okta would apply it whole.
 * Each problem is at a JSON Pointer into the answer.
 */
export function validateTokenAnswer(answer: unknown, options: { request?: TokenHookRequest } = {}): BodyProblem[] {
  const problems: BodyProblem[] = schema(answer) ? [] : schemaProblems(schema.errors ?? []);
  const body = JSON.stringify(answer) ?? '';
  const bytes = Buffer.byteLength(body);
  if (bytes >= OKTA_RESPONSE_LIMIT_BYTES) problems.push({ path: '', message: `is ${bytes} bytes; Okta refuses an answer of ${OKTA_RESPONSE_LIMIT_BYTES} bytes or more` });

  const commands = isObject(answer) && Array.isArray(answer.commands) ? answer.commands : [];
  const tokens = options.request ? mintedTokens(options.request) : undefined;
  commands.forEach((command: unknown, c) => {
    if (!isObject(command) || typeof command.type !== 'string' || !Array.isArray(command.value)) return;
    const token = TOKEN_OF[command.type];
    if (!token) return; // the schema named it
    const ops = command.value.filter(isWellFormedOp);
    command.value.forEach((op: unknown, o) => {
      if (!isWellFormedOp(op)) return;
      const segments = claimSegments(op.path);
      const problem = segments ? reservedClaimProblem(token, segments[0]!, op.op === 'remove' && segments.length === 1 ? 'remove' : 'set') : null;
      if (problem) problems.push({ path: `/commands/${c}/value/${o}/path`, message: problem });
    });
    if (!tokens) return;
    const state = tokens[token];
    if (!state) {
      problems.push({ path: `/commands/${c}/type`, message: `the request mints no ${TOKEN_NAME[token]}, and Okta refuses a command for a token it is not minting` });
      return;
    }
    // Commands of one type apply in order, each on the result of the one before.
    const applied = applyTokenPatch(state, ops);
    if (applied.ok) tokens[token] = applied.token;
    else problems.push({ path: `/commands/${c}/value/${command.value.indexOf(ops[applied.index])}`, message: applied.problem });
  });
  return problems;
}

/** The tokens a request mints, as patches see them (the preview shows them before and after its answer). */
export function mintedTokens(request: TokenHookRequest): Partial<Record<TokenKind, TokenState>> {
  const out: Partial<Record<TokenKind, TokenState>> = {};
  for (const token of ['identity', 'access'] as const) {
    const minted = request.data?.[token];
    if (!isObject(minted)) continue;
    const claims = isObject(minted.claims) ? (minted.claims as JsonObject) : {};
    const expiration = isObject(minted.token) && isObject(minted.token.lifetime) ? minted.token.lifetime.expiration : undefined;
    out[token] = { claims, lifetime: typeof expiration === 'number' ? expiration : undefined };
  }
  return out;
}

/** An op whose op and path are of the right kinds; the rest of its shape is the schema's to judge. */
function isWellFormedOp(op: unknown): op is TokenPatchOp {
  return isObject(op) && (op.op === 'add' || op.op === 'replace' || op.op === 'remove') && typeof op.path === 'string';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
