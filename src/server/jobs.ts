/**
 * Long requests run as jobs (a rebuild, a bulk edit, enforce): their status and progress are at
 * `GET /api/jobs/{id}` while they run and after, until the server restarts (the newest
 * {@link KEPT} are kept). A route decides whether its request waits for the job's end.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { errorMessage } from '../domain/errors.js';
import type { JsonObject } from '../domain/json.js';

export type JobKind =
  'rebuild' | 'bulk_edit' | 'tag_rename' | 'undo' | 'remove' | 'move' | 'enforce' | 'import';

export type JobStatus = 'running' | 'done' | 'failed';

export interface Job<Progress = JsonObject, Summary = JsonObject> {
  id: string;
  kind: JobKind;
  status: JobStatus;
  started_at: string;
  finished_at: string | null;
  progress: Progress;
  summary: Summary | null;
  error: string | null;
}

const KEPT = 100;

export class JobBoard {
  private readonly jobs = new Map<string, Job<unknown, unknown>>();

  /**
   * Runs `work` as a new job; `work` reports progress through its argument. `onChange` hears
   * every change (progress, the end) to publish it. `settled` resolves with the summary or
   * rejects with `work`'s own error once the job is finished (a caller that does not wait for it
   * may ignore it: the job records the failure).
   */
  run<Progress, Summary>(
    kind: JobKind,
    progress: Progress,
    work: (report: (progress: Progress) => void) => Promise<Summary>,
    onChange: (job: Job<Progress, Summary>) => void,
  ): { job: Job<Progress, Summary>; settled: Promise<Summary> } {
    const job: Job<Progress, Summary> = {
      id: randomUUID(),
      kind,
      status: 'running',
      started_at: new Date().toISOString(),
      finished_at: null,
      progress,
      summary: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEPT))) this.jobs.delete(id);
    const finish = (): void => {
      job.finished_at = new Date().toISOString();
      onChange(job);
    };
    const settled = work((next) => {
      job.progress = next;
      onChange(job);
    }).then(
      (summary) => {
        job.status = 'done';
        job.summary = summary;
        finish();
        return summary;
      },
      (err: unknown) => {
        job.status = 'failed';
        job.error = errorMessage(err); // (a full disk says what to do, as the route's answer would)
        finish();
        throw err;
      },
    );
    settled.catch(() => undefined); // recorded in the job; a caller that waits still sees it
    return { job, settled };
  }

  get(id: string): Job<unknown, unknown> | undefined {
    return this.jobs.get(id);
  }

  /** The newest first. */
  recent(count: number): Array<Job<unknown, unknown>> {
    return [...this.jobs.values()].slice(-count).reverse();
  }
}

/** The fields every job's progress event has: its id, status and progress (and why it failed). */
export function jobEvent<Progress extends object>(
  job: Job<Progress, unknown>,
): { job_id: string; status: JobStatus; error?: string } & Progress {
  return {
    job_id: job.id,
    status: job.status,
    ...job.progress,
    ...(job.error !== null ? { error: job.error } : {}),
  };
}

/** {@link jobEvent}, with the ended job's summary as its event shows it (`summaryOf`). */
export function jobSummaryEvent<Progress extends object, Summary, Shown>(
  job: Job<Progress, Summary>,
  summaryOf: (summary: Summary) => Shown,
) {
  return { ...jobEvent(job), ...(job.summary !== null ? { summary: summaryOf(job.summary) } : {}) };
}

/** The answer to a request that does not wait for its job (`wait: false`). */
export const accepted = (reply: FastifyReply, job: Job<unknown, unknown>): FastifyReply =>
  reply.code(202).send({ ok: true, job_id: job.id, status_url: `/api/jobs/${job.id}` });
