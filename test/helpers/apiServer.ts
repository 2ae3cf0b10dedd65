import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP API on loopback for `http` facts, with the ways an API goes wrong:
 * /check answers JSON (what it was asked, and risky: true for addresses at risky.example),
 * /hang never answers, /fail answers 500, /big answers 10 MB of JSON, /cut closes the
 * connection in the middle of the body, /text answers HTML, /slow answers after ?ms=,
 * /status/N answers HTTP N, /moved redirects, /v1/employees/ID answers the one segment ID as
 * received (404 for "nobody"); anything else is 404.
 */
export interface ApiServer {
  url: string;
  /** Requests received, by path. */
  hits: Map<string, number>;
  /** Every request's target exactly as it arrived (path and query, before any decoding). */
  targets: string[];
  /** Headers of the last request. */
  lastHeaders: http.IncomingHttpHeaders;
  close(): Promise<void>;
}

export async function startApiServer(): Promise<ApiServer> {
  const hits = new Map<string, number>();
  const targets: string[] = [];
  const state = { lastHeaders: {} as http.IncomingHttpHeaders };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    targets.push(req.url ?? '');
    state.lastHeaders = req.headers;
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const employee = /^\/v1\/employees\/([^/]+)$/.exec(url.pathname);
      if (employee) {
        if (employee[1] === 'nobody') json(404, { error: 'no such employee' });
        else json(200, { id: decodeURIComponent(employee[1]!), active: true });
        return;
      }
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (status) {
        json(Number(status[1]), { status: Number(status[1]) });
        return;
      }
      switch (url.pathname) {
        case '/check': {
          const asked = body ? (JSON.parse(body) as { email?: string }) : { email: url.searchParams.get('email') ?? undefined };
          json(200, { email: asked.email ?? null, risky: String(asked.email ?? '').endsWith('@risky.example'), method: req.method });
          return;
        }
        case '/slow':
          setTimeout(() => json(200, { slow: true }), Number(url.searchParams.get('ms') ?? 100));
          return;
        case '/hang':
          return; // never answers
        case '/fail':
          json(500, { error: 'boom' });
          return;
        case '/big': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = `"${'x'.repeat(64 * 1024 - 3)}",`;
          res.write('[');
          for (let i = 0; i < 160; i++) res.write(chunk);
          res.end('"end"]');
          return;
        }
        case '/cut':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"partial": "');
          setTimeout(() => res.destroy(), 20);
          return;
        case '/moved':
          res.writeHead(301, { location: '/check' });
          res.end();
          return;
        case '/text':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html>not json</html>');
          return;
        default:
          json(404, { error: 'not found' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    targets,
    get lastHeaders() {
      return state.lastHeaders;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
