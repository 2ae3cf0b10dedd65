import net from 'node:net';
import { fixture } from './appServer.js';
import type { ServeProcess } from './childProcess.js';

const BODY = JSON.stringify(fixture('guide-ssr-request-2022.json'));

export interface BurstResult {
  /** The status line's code, or the socket error's code (ECONNRESET…) when no answer came. */
  outcome: number | string;
  connection?: string;
}

/** One client: its own connection, one hook request written as soon as it is connected. */
function client(base: string, secret: string, connected: () => void): Promise<BurstResult> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let text = '';
    let done = false;
    let counted = false;
    const count = () => {
      if (!counted) (counted = true), connected();
    };
    const finish = (result: BurstResult) => {
      if (done) return;
      done = true;
      count(); // a client that failed before writing must not hold up the signal
      socket.destroy();
      resolve(result);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(
        `POST /registrationHook HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: ${secret}\r\n` +
          `Content-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
        () => count(),
      );
    });
    socket.on('data', (chunk: string) => {
      text += chunk;
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
      if (length && text.length - head - 4 < Number(length[1])) return; // the body is still coming
      const connection = /\r\nconnection: *([^\r]+)/i.exec(text.slice(0, head))?.[1];
      finish({ outcome: Number(text.slice(9, 12)), ...(connection ? { connection } : {}) });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish({ outcome: error.code ?? error.message }));
    socket.on('close', () => finish({ outcome: text === '' ? 'closed without an answer' : 'cut mid-answer' }));
  });
}

/**
 * The rolling-deploy trial of issue #11: `clients` connections each send one hook request, and
 * `signal` reaches the process `afterMs` after the last of them was written. Resolves with what
 * every client got.
 */
export async function burstThenSignal(
  serve: ServeProcess,
  base: string,
  options: { secret: string; clients?: number; afterMs?: number; signal?: NodeJS.Signals; target?: number },
): Promise<BurstResult[]> {
  const { secret, clients = 40, afterMs = 3, signal = 'SIGTERM' } = options;
  let written = 0;
  let signalled!: () => void;
  const allWritten = new Promise<void>((resolve) => (signalled = resolve));
  const results = Array.from({ length: clients }, () => client(base, secret, () => ++written === clients && signalled()));
  await allWritten;
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  if (options.target !== undefined) process.kill(options.target, signal);
  else serve.kill(signal);
  return Promise.all(results);
}

/** "40 × 200" or "38 × 200, 2 × ECONNRESET": for assertion messages. */
export function tally(results: BurstResult[]): string {
  const counts = new Map<string, number>();
  for (const { outcome } of results) counts.set(String(outcome), (counts.get(String(outcome)) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} × ${outcome}`).join(', ');
}
