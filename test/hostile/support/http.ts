import http from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** A Buffer or string is sent with Content-Length; an array of chunks is sent chunked. */
  body?: string | Buffer | Array<string | Buffer>;
  /** Defaults to a shared keep-alive agent of 16 sockets. */
  agent?: http.Agent;
  /** Give up on a request with no answer after this long (error code ETIMEDOUT), as Okta does after 3 s. */
  timeoutMs?: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One request through node:http (keep-alive), any method, headers and framing. */
export function send(baseUrl: string, options: SendOptions = {}): Promise<Answer> {
  const url = new URL(baseUrl);
  const chunked = Array.isArray(options.body);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined && !chunked) headers['content-length'] = String(Buffer.byteLength(options.body as string | Buffer));
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: options.path ?? '/registrationHook', method: options.method ?? 'POST', headers, agent: options.agent ?? agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    if (options.timeoutMs) {
      request.setTimeout(options.timeoutMs, () => request.destroy(Object.assign(new Error(`no answer in ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    }
    if (chunked) for (const chunk of options.body as Array<string | Buffer>) request.write(chunk);
    else if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** POST a body as application/json (the usual case). */
export function postJson(baseUrl: string, text: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return send(baseUrl, { body: text, headers: { 'content-type': 'application/json', ...headers } });
}

export interface RawAnswer extends Answer {
  /** The bytes as they came, status line and headers included ('' when the server closed without answering). */
  raw: string;
}

/**
 * Bytes straight onto a socket: for what HTTP clients refuse to send (repeated headers,
 * odd framing, unknown methods). The request should say `Connection: close`. The socket is
 * not half-closed: a client that half-closes gets no answer from Node by design.
 */
export function sendRaw(baseUrl: string, bytes: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is still an answer
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      const body = Buffer.from(rest.join('\r\n\r\n'), 'latin1').toString('utf8');
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: body, raw });
    });
  });
}

/** A raw POST to the hook with the given header lines and body, closing after the answer. */
export function rawPost(headerLines: string[], body: string | Buffer, path = '/registrationHook'): Buffer {
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}
