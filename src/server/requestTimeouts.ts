import type http from 'node:http';
import https from 'node:https';

/** The longest a request may take to arrive, headers and body (Okta itself gives up after 3 s). */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Server options that make the cut-off what it says: Node checks its header and request
 * timeouts only every `connectionsCheckingInterval` (30 s by default), so a 10 s timeout
 * fired anywhere from 10 to 40 s. Checked every second, a slow request ends within 11 s.
 */
export const TIMEOUT_OPTIONS = {
  requestTimeout: REQUEST_TIMEOUT_MS,
  headersTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: 1_000,
} satisfies http.ServerOptions;

const timedOut = new WeakSet<object>();

/** The connection was cut by the request timeout (Node answered 408 on it). */
export function isTimedOut(socket: object): boolean {
  return timedOut.has(socket);
}

/**
 * Node answers a request that is too slow to arrive with 408 and closes the connection itself;
 * this only watches. A request the app was already reading fails there (its body read is
 * aborted) and errorHandling answers it as the 408 it is (isTimedOut); one whose headers never
 * arrived reached no app, so `onUnrouted` counts and logs it.
 */
export function watchTimeouts(server: http.Server, onUnrouted: () => void): void {
  // The latest response on each connection: unfinished, the app is still on that request.
  const latest = new WeakMap<object, http.ServerResponse>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => latest.set(req.socket, res));
  // With TLS the requests' socket is the TLS one, which 'secureConnection' gives.
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', (socket: NodeJS.EventEmitter) => {
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return;
      timedOut.add(socket);
      const res = latest.get(socket);
      if (res === undefined || res.writableFinished) onUnrouted();
    });
  });
}
