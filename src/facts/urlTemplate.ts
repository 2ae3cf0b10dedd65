/**
 * An HTTP fact's address as a template: the scheme, host and port are literal, and each
 * `{name}` placeholder of the path takes one value, percent-encoded as (part of) one path
 * segment. A request's values can then only choose which record of the named collection is
 * read, never another path, another host, or a query the rule did not write.
 */
export interface UrlTemplate {
  /** scheme://host[:port] as the URL parser writes it: the fact's source. */
  readonly origin: string;
  /** The path cut at its placeholders: literal text (already as sent) and the names to fill. */
  readonly parts: ReadonlyArray<string | { readonly name: string }>;
  /** The literal rest: ?query and #fragment as written (query: adds to it per request). */
  readonly rest: string;
  /** The placeholder names, each once, in order. */
  readonly names: readonly string[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const SCHEME = /^https?:\/\//i;

/** Parses and checks a template; the problem is a sentence for a load error. */
export function parseUrlTemplate(raw: string, production: boolean): { template: UrlTemplate } | { problem: string } {
  if (/[{}]/.test(raw.replace(PLACEHOLDER, ''))) {
    return { problem: 'a "{" or "}" that is not a {name} placeholder (letters, digits, _): write a literal brace as %7B or %7D' };
  }
  if (!SCHEME.test(raw)) return { problem: `"${raw}" is not an http(s) URL template such as https://api.example/v1/users/{id}` };
  // Each placeholder stands for one ordinary segment while the literal parts are checked.
  const probe = raw.replace(PLACEHOLDER, 'x');
  const problem = httpUrlProblem(probe, production);
  if (problem) return { problem };
  const authorityEnd = indexOfAny(raw, '/?#\\', raw.indexOf('//') + 2);
  const pathEnd = indexOfAny(raw, '?#', authorityEnd);
  const names: string[] = [];
  const parts: Array<string | { name: string }> = [];
  let literalFrom = authorityEnd;
  for (const match of raw.matchAll(PLACEHOLDER)) {
    if (match.index < authorityEnd) return { problem: 'a placeholder in the scheme, host or port: only the path takes {name} placeholders' };
    if (match.index >= pathEnd) return { problem: 'a placeholder after the path: give query parameters under query, not in the URL' };
    parts.push(raw.slice(literalFrom, match.index), { name: match[1]! });
    if (!names.includes(match[1]!)) names.push(match[1]!);
    literalFrom = match.index + match[0].length;
  }
  parts.push(raw.slice(literalFrom, pathEnd));
  const url = new URL(probe);
  const probePath = probe.slice(authorityEnd, indexOfAny(probe, '?#', authorityEnd)) || '/';
  // Filled values are compared with the parsed path (fillUrlTemplate), so the literal text must
  // already be what the parser gives back: no dot segments, no backslash, nothing to encode.
  if (url.pathname !== probePath) {
    return { problem: 'write the path as it is sent: no "." or ".." segments, no backslash, and characters such as spaces or non-ASCII percent-encoded' };
  }
  return { template: { origin: url.origin, parts: parts.filter((part) => part !== ''), rest: raw.slice(pathEnd), names } };
}

/** Why a URL cannot be a fact's endpoint, or null. */
export function httpUrlProblem(raw: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the URL must be http(s), not ${url.protocol}`;
  if (production && url.protocol !== 'https:') return 'the URL must be https in production (NODE_ENV=production)';
  if (url.username || url.password) return 'the URL must not hold credentials: give them as a header from { env: NAME }';
  return null;
}

/**
 * The URL for one request: each placeholder's value (text, a number or a boolean) encoded as
 * one segment, `/ ? # % \` included. A value that is missing, empty, "." or ".." — or anything
 * that would make the parser move the path — is a problem: the lookup fails and nothing is sent.
 * Problems name the placeholder, never its value (it is the registrant's input).
 */
export function fillUrlTemplate(template: UrlTemplate, valueOf: (name: string) => unknown): { url: URL } | { problem: string } {
  let path = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      path += part;
      continue;
    }
    const value = valueOf(part.name);
    const text = typeof value === 'string' ? value : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' ? String(value) : undefined;
    if (text === undefined) return { problem: `the path value {${part.name}} is ${value === null || value === undefined ? 'missing' : 'not text or a number'}` };
    if (text === '' || text === '.' || text === '..') return { problem: `the path value {${part.name}} is empty, "." or ".."` };
    let encoded: string;
    try {
      encoded = encodeURIComponent(text);
    } catch {
      return { problem: `the path value {${part.name}} is not valid text` }; // a lone surrogate
    }
    path += encoded;
  }
  const expected = path || '/';
  const url = new URL(template.origin + path + template.rest);
  if (url.origin !== template.origin || url.pathname !== expected) return { problem: 'the path values would change the path' };
  return { url };
}

function indexOfAny(text: string, characters: string, from: number): number {
  for (let i = from; i < text.length; i++) if (characters.includes(text[i]!)) return i;
  return text.length;
}
