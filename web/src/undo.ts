/**
 * Undoing a change from the studio (the status line's Undo after an edit, the History dialog):
 * runs the undo job and says what it did, with the change that takes it back in turn (Redo).
 */
import { api, followJob, type Change, type UndoJob } from './api';
import { count } from './gallery/CountProgress';

/** A way back from a change: the change id and the button's word for it. */
export interface UndoAction {
  id: number;
  label: 'Undo' | 'Redo';
  /** Only these assets' part of the change (one asset's, from its history). */
  ids?: string[];
}

/** A status line: what the last action did (or why it failed), with the Undo it offers. */
export interface StatusLine {
  text: string;
  error?: boolean;
  undo?: UndoAction | undefined;
}

/** The Undo (or, for an undo, the Redo) of a change as the history lists it. */
export const undoActionOf = (change: Change): UndoAction => ({
  id: change.id,
  label: change.kind === 'undo' ? 'Redo' : 'Undo',
});

/**
 * Runs an undo (or a redo), telling `say` how far it got, then what it did with the way back
 * (or why it failed).
 */
export function runUndo(action: UndoAction, say: (line: StatusLine) => void): Promise<void> {
  const verb = action.label === 'Redo' ? 'Redoing' : 'Undoing';
  say({ text: `${verb}…` });
  return undoChange(
    action.id,
    (done, total) => say({ text: `${verb}… ${done} of ${total} assets` }),
    action.ids,
  ).then(
    ({ text, back }) => say({ text, undo: back }),
    (err: Error) => say({ text: `${action.label} failed: ${err.message}`, error: true }),
  );
}

/** The Undo offered after an edit that recorded `changeId` (none when it changed nothing). */
export const undoOffer = (changeId: number | null | undefined): UndoAction | undefined =>
  changeId ? { id: changeId, label: 'Undo' } : undefined;

/**
 * Undoes change `id`, telling `onProgress` the assets done; resolves with a line saying what was
 * done ("Undo: Add tag hero on 3 assets.") and the way back (undefined when nothing changed).
 */
export async function undoChange(
  id: number,
  onProgress: (done: number, total: number) => void,
  ids?: string[],
): Promise<{ text: string; back?: UndoAction }> {
  const { job_id } = await api.undo(id, ids);
  const job = await followJob<UndoJob>(job_id, (j) => onProgress(j.progress.done, j.progress.total));
  if (job.status === 'failed' || !job.summary) throw new Error(job.error ?? 'the undo failed');
  const { updated, changed_since: since, missing, failed, change_id: own } = job.summary;
  const { change } = await api.change(own ?? id);
  const text = [
    `${change.summary} on ${count(updated, 'asset')}.`,
    since.length
      ? `${count(since.length, 'asset')} edited since ${since.length === 1 ? 'was' : 'were'} left alone.`
      : '',
    missing.length ? `${count(missing.length, 'asset')} no longer registered.` : '',
    failed.length
      ? `Not moved back: ${failed
          .slice(0, 3)
          .map((f) => `${f.path}: ${f.message}`)
          .join('; ')}${failed.length > 3 ? ` and ${failed.length - 3} more` : ''}.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  const back = own && updated ? undoActionOf(change) : undefined;
  return back ? { text, back } : { text };
}

/** "12:40" today, else "27 Nov, 12:40", in the viewer's time zone (the server's time is UTC). */
export function when(createdAt: string): string {
  // (The registry's "2026-11-27 15:30:12", UTC, or an ISO time with its zone.)
  const at = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(createdAt) ? createdAt : `${createdAt.replace(' ', 'T')}Z`);
  if (Number.isNaN(at.getTime())) return createdAt;
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === new Date().toDateString()
    ? time
    : `${at.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

/** What a change's line shows in place of its Undo: why there is none. */
export function changeState(change: Change): string | undefined {
  if (change.undone_by !== null) return change.kind === 'undo' ? 'redone' : 'undone';
  if (!change.assets) return 'changed nothing';
  return undefined;
}
