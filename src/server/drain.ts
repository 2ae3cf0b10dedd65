import type { Server } from 'node:net';

/**
 * How long the listener stays open after a stop begins, at the least, with no new connection:
 * closing it resets every connection still in the kernel's accept queue (clients that already
 * sent their request), so it closes only once connections have stopped arriving.
 */
export const QUIET_MS = 250;
/** The quiet wait never runs longer than this past SHUTDOWN_DELAY_MS (a client that never stops). */
export const MAX_QUIET_WAIT_MS = 2_000;

/**
 * Resolves once `minMs` has passed and no connection has arrived for `quietMs`, or at `maxMs`
 * whatever arrives. Meanwhile the server keeps accepting (and answering) as usual.
 */
export async function waitForQuiet(server: Server, options: { minMs: number; quietMs: number; maxMs: number }): Promise<{ waitedMs: number }> {
  const start = Date.now();
  let last = start;
  const onConnection = () => (last = Date.now());
  server.on('connection', onConnection);
  try {
    const remaining = () => {
      const now = Date.now();
      return Math.min(Math.max(start + options.minMs, last + options.quietMs) - now, start + options.maxMs - now);
    };
    for (;;) {
      const wait = remaining();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      // A timer runs before the loop polls for I/O: when the loop was busy, connections (or a
      // cluster primary's hand-overs) may be waiting unseen. Let one poll pass, then decide.
      await new Promise((resolve) => setImmediate(resolve));
      if (remaining() <= 0) break;
    }
  } finally {
    server.off('connection', onConnection);
  }
  return { waitedMs: Date.now() - start };
}
