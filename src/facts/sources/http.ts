import type { LookupResult } from '../types.js';
import { abortedResult } from './Database.js';

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  maxBytes: number;
  /** A 404: the value null (no such record) or a failure. */
  notFound: 'null' | 'error';
}

/**
 * One HTTP JSON lookup with Node's fetch. The answer must be 2xx, JSON (by content type and
 * by parse) and at most maxBytes; a 404 is "no such record" (null) unless the fact says
 * otherwise; anything else is a failure value. Redirects are not followed: a redirect could
 * leave https or the host the rule names. Only what says the API itself is unwell (no
 * connection, a 5xx, a 429, an answer cut off) is a source fault: every other answer is about
 * this lookup, whose values the registrant may have chosen, and must not open the circuit for
 * everyone. Messages hold the status or the error code only, never the body (it may hold the
 * values the rule asked about).
 */
export async function httpLookup(request: HttpRequest, signal: AbortSignal): Promise<LookupResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    if (signal.aborted) return abortedResult(signal);
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, kind: 'unavailable', message: `${request.url.host} cannot be reached${code ? ` (${code})` : ''}` };
  }
  const drop = () => response.body?.cancel().catch(() => undefined);
  if (!response.ok) {
    void drop();
    const status = response.status;
    if (status === 404 && request.notFound === 'null') return { ok: true, value: null };
    const sourceFault = status >= 500 || status === 429;
    return { ok: false, kind: 'bad_response', message: `${request.url.host} answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`, sourceFault };
  }
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    void drop();
    return { ok: false, kind: 'bad_response', message: `${request.url.host} answered ${type.split(';')[0] || 'no content type'}, not JSON`, sourceFault: false };
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > request.maxBytes) {
    void drop();
    return { ok: false, kind: 'bad_response', message: `the answer is over ${request.maxBytes} bytes`, sourceFault: false };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > request.maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, kind: 'bad_response', message: `the answer is over ${request.maxBytes} bytes`, sourceFault: false };
      }
      chunks.push(value);
    }
  } catch {
    if (signal.aborted) return abortedResult(signal);
    return { ok: false, kind: 'bad_response', message: `${request.url.host} closed the connection before the answer ended`, sourceFault: true };
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, kind: 'bad_response', message: `${request.url.host} answered text that is not JSON`, sourceFault: false };
  }
}
