/**
 * Okta rejects an inline hook's answer of 256 KB or more (and the flow fails with its generic
 * error), whatever the hook type. Read as 256,000 bytes, the smaller of the two readings of
 * "KB": no reading rejects what is sent.
 */
export const OKTA_RESPONSE_LIMIT_BYTES = 256_000;

/**
 * Room a hook type keeps for the shortest debugContext it adds to an answer (decision id, hook
 * type, decision), so that an answer it sized as fitting still fits once that is added.
 */
export const DEBUG_CONTEXT_RESERVE_BYTES = 256;

/** The answer serialised, and whether Okta takes it. */
export function serialised(response: unknown): { body: string; bytes: number; fits: boolean } {
  const body = JSON.stringify(response);
  const bytes = Buffer.byteLength(body);
  return { body, bytes, fits: bytes < OKTA_RESPONSE_LIMIT_BYTES };
}
