/**
 * One structured logger for the process (pino), writing to stderr so that stdout stays clean
 * for the CLI's JSON output. `LOG_LEVEL` overrides the level.
 */
import { pino } from 'pino';

export const logger = pino(
  { level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } },
  pino.destination(2),
);
export type Logger = typeof logger;
