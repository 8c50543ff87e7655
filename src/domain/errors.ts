/**
 * The one error type every layer throws for expected failures. `status` is the HTTP status the
 * server answers with; the CLI maps it to an exit code. `code` is stable and machine-readable;
 * `message` tells the user what to fix.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown): AppError =>
  new AppError(400, 'bad_request', message, details);
export const notFound = (message: string): AppError => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string, details?: unknown): AppError =>
  new AppError(409, code, message, details);
