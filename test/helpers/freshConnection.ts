import http from 'node:http';

/**
 * One request on a new connection, closed after it (agent: false). fetch drops a
 * `Connection: close` header and reuses its socket, which would keep every call on one
 * cluster worker; a new connection each time lets node:cluster hand them out in turn.
 */
export function requestOnNewConnection(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; /** Give up (reject) after this long without activity, as Okta does after 3 s. */ timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    if (options.timeoutMs !== undefined) request.setTimeout(options.timeoutMs, () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(options.body);
  });
}
