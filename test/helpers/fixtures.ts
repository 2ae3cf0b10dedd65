import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';
import type { OktaHookRequest } from '../../src/okta/types.js';

/** Okta's published payloads, copied into test/fixtures/okta (sources in test/fixtures/README.md). */
export const FIXTURES_DIR = path.resolve(PACKAGE_ROOT, 'test', 'fixtures', 'okta');

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as T;
}

export function fixtureNames(filter: (name: string) => boolean): string[] {
  const top = readdirSync(FIXTURES_DIR).filter((n) => n.endsWith('.json'));
  const derived = readdirSync(path.join(FIXTURES_DIR, 'derived')).map((n) => `derived/${n}`);
  return [...top, ...derived].filter(filter).sort();
}

function isRequest(name: string): boolean {
  const body = fixture<Record<string, unknown>>(name);
  return typeof body === 'object' && body !== null && 'data' in body;
}

/** Every request payload Okta has published (a request has `data`; an answer never does). */
export const REQUEST_FIXTURES = fixtureNames(isRequest);
/** Every response payload. */
export const RESPONSE_FIXTURES = fixtureNames((n) => !isRequest(n));

export function ssrRequest(profile: Record<string, unknown>): OktaHookRequest {
  const base = fixture<OktaHookRequest>('guide-ssr-request-2022.json');
  return { ...base, data: { ...base.data, userProfile: profile as OktaHookRequest['data']['userProfile'] } };
}

export function ppRequest(update: Record<string, unknown>): OktaHookRequest {
  const base = fixture<OktaHookRequest>('guide-pp-request-2022.json');
  return { ...base, data: { ...base.data, userProfileUpdate: update as OktaHookRequest['data']['userProfileUpdate'] } };
}
