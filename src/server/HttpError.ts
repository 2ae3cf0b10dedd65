/** An error meant for the client: its status, a stable snake_case code, and a message safe to show. */
export class HttpError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
