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

/**
 * Whether an error says the disk is full or the quota used up: a file system's (its code, or its
 * message as a worker thread sends it back) or SQLite's.
 */
export function isDiskFull(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (
    code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || /^(ENOSPC|EDQUOT)\b/.test(err.message)
  );
}

/** 507 Insufficient Storage for a disk-full error: the server is fine, the disk needs room. */
export const diskFull = (err: Error): AppError =>
  new AppError(
    507,
    'disk_full',
    `The disk is full (${err.message}). Free some space on the disk that holds the assets folder, the ` +
      'registry database and the preview cache, then try again.',
  );

/** What an error tells a user: for a full disk, what to do about it; else its own message. */
export const errorMessage = (err: unknown): string =>
  isDiskFull(err) ? diskFull(err as Error).message : err instanceof Error ? err.message : String(err);
