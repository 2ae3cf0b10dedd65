/** An error meant for the client: its status, a stable snake_case code, and a message safe to show. */
export class HttpError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
    /** Already logged where it was raised (with more detail than the error handler has). */
    readonly logged = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
