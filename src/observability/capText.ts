/** Okta's longest login (and email): 100 characters. Anything longer is no real login. */
export const LOGGED_VALUE_MAX = 100;

/**
 * A request value as a log line carries it: at most `max` characters, then a marker with the
 * full length, so a hostile value cannot make every line it appears on as long as the body.
 */
export function capText(value: string, max = LOGGED_VALUE_MAX): string {
  if (value.length <= max) return value;
  // Never split a surrogate pair: half a character is not valid UTF-8 in the JSON line.
  const cut = isHighSurrogate(value.charCodeAt(max - 1)) ? max - 1 : max;
  return `${value.slice(0, cut)}…[truncated, ${value.length} chars]`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
