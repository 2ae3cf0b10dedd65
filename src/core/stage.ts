/**
 * The contract of a stage in front of the engine (facts, counters): given a request's context
 * and its deadline, it gives its answer at once when it has everything (a cache hit, nothing
 * to read), else a promise of it; it never rejects, a failure being a value that names its
 * kind; and it ends by the deadline whatever its source does.
 */
export type Staged<T> = T | Promise<T>;

/** When the request's stages must be done by, in performance.now() milliseconds: one for all of them. */
export interface StageDeadline {
  readonly at: number;
}

export function deadlineIn(ms: number): StageDeadline {
  return { at: performance.now() + ms };
}

export const LATE = Symbol('late');

/** `work`'s result, or LATE when `ms` passed first; the timer goes either way. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), LATE)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
