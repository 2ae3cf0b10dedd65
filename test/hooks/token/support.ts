import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../../src/paths.js';
import type { TokenHookRequest } from '../../../src/hooks/token/types.js';

/** Okta's published token hook payloads, copied into test/fixtures/okta/token (sources in test/fixtures/README.md). */
export const TOKEN_FIXTURES_DIR = path.resolve(PACKAGE_ROOT, 'test', 'fixtures', 'okta', 'token');

export function tokenFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(TOKEN_FIXTURES_DIR, name), 'utf8')) as T;
}

/** Every fixture file, derived/ ones as `derived/<name>`. */
export const ALL_TOKEN_FIXTURES: readonly string[] = [
  ...readdirSync(TOKEN_FIXTURES_DIR).filter((n) => n.endsWith('.json')),
  ...readdirSync(path.join(TOKEN_FIXTURES_DIR, 'derived')).map((n) => `derived/${n}`),
].sort();

/** Requests Okta published (and the two derived flows), each parseable as a token request. */
export const TOKEN_REQUESTS = [
  'ref-request-implicit-authorize.json',
  'ref-2019-03-request-implicit-authorize.json',
  'postman-2021-execute-request-implicit-authorize.json',
  'mgmt-2024-execute-request-implicit-authorize.json',
  'openapi-2026.06.3-TokenPayLoadExample.json',
  'derived/derived-refresh-grant-request.json',
  'derived/derived-client-credentials-request.json',
] as const;

/** Published as a request but broken (data: null, its content at the top level). */
export const MALFORMED_REQUEST = 'openapi-2024.08.0-TokenPayLoadExample-malformed.json';

/** Claims before/after an operation, and the reserved-claims history: data, not payloads. */
export function isClaimsVector(name: string): boolean {
  return /^ref-claims-(before|after)-/.test(name) || /-(existing-json|existing-target-json-object|updated-json)\.json$/.test(name);
}

export function refRequest(): TokenHookRequest {
  return tokenFixture<TokenHookRequest>('ref-request-implicit-authorize.json');
}

export function clientCredentialsRequest(): TokenHookRequest {
  return tokenFixture<TokenHookRequest>('derived/derived-client-credentials-request.json');
}

/** The REF request with its ID token's claims replaced. */
export function requestWithIdentityClaims(claims: Record<string, unknown>): TokenHookRequest {
  const request = refRequest();
  request.data.identity = { ...request.data.identity, claims: claims as never };
  return request;
}
