import type { IncomingMessage } from 'node:http';

/** How much of a refused body is read (and dropped) before the answer, at most. */
export interface DrainLimits {
  bytes: number;
  ms: number;
}

export const DRAIN_LIMITS: DrainLimits = { bytes: 8 * 1024 * 1024, ms: 5_000 };

/**
 * Reads what is left of a request body the app refused before reading it all (413, 401, 415,
 * bad JSON), dropping every chunk, so that the answer is sent on a connection with nothing
 * unread. A socket closed with unread bytes is reset by the kernel, and a client still
 * sending then loses the answer it has not read yet. nginx lingers the same way.
 *
 * Resolves true once the body has ended; false when it was given up on: more than
 * `limits.bytes` still to come, not all there within `limits.ms`, or the connection gone.
 * The caller then closes the connection after the answer.
 */
export function drainRequest(req: IncomingMessage, limits: DrainLimits = DRAIN_LIMITS): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed || req.socket.destroyed) return Promise.resolve(false);
  const declared = Number(req.headers['content-length']);
  if (declared > limits.bytes) return Promise.resolve(false); // more than we would read: answer now
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (whole: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (!whole) req.pause();
      resolve(whole);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.bytes) done(false);
    };
    const onEnd = () => done(true);
    const onClose = () => done(req.complete);
    const timer = setTimeout(() => done(false), limits.ms);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    // The body parser may have piped the request into a decompressor it gave up on.
    req.unpipe();
    req.resume();
  });
}
