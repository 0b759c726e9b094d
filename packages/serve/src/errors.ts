/** An error that becomes an HTTP answer `{"error": message}` with its status (and headers). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

/** Load shedding: the client should come back, not pile on (RFC 9110 Retry-After in seconds). */
export const unavailable = (message: string, retryAfterSeconds = 1): HttpError =>
  new HttpError(503, message, { 'retry-after': String(retryAfterSeconds) });
