import { CLAIMS_PREFIX } from './types.js';

/** A claim name as one JSON Pointer token: `~` → `~0`, then `/` → `~1` (RFC 6901; that order, so `~1` in a name stays itself). */
export function encodePointerToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A JSON Pointer token back to the name it encodes, or null when it has a `~` not followed by 0 or 1. */
export function decodePointerToken(token: string): string | null {
  if (/~(?![01])/.test(token)) return null;
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** The patch path of a top-level claim. */
export function claimPath(name: string): string {
  return CLAIMS_PREFIX + encodePointerToken(name);
}

/** The decoded segments after /claims/ (the first is the claim's name), or null when the path is not a valid claim path. */
export function claimSegments(path: string): string[] | null {
  if (!path.startsWith(CLAIMS_PREFIX)) return null;
  const segments: string[] = [];
  for (const token of path.slice(CLAIMS_PREFIX.length).split('/')) {
    const decoded = decodePointerToken(token);
    if (decoded === null || token === '') return null;
    segments.push(decoded);
  }
  return segments;
}
