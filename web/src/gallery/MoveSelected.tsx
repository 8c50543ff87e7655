/**
 * Moving the selected assets into a folder (their names, ids, metadata and previews kept). The
 * folder field suggests the folder the grid shows and those right below it (the top folders when
 * it shows all); a file already at a target is never overwritten: the server leaves that asset
 * where it is and says so.
 */
import { useState } from 'react';
import { api, followJob, type MoveJob } from '../api';
import { resourcesNote } from '../resources-note';
import { undoOffer, type UndoAction } from '../undo';
import { count, CountProgress } from './CountProgress';

export function MoveSelected({
  selected,
  folders,
  onMessage,
}: {
  selected: string[];
  /** Folders to suggest. */
  folders: string[];
  onMessage: (text: string, error?: boolean, undo?: UndoAction) => void;
}): React.JSX.Element {
  const [folder, setFolder] = useState('');
  const [progress, setProgress] = useState<MoveJob['progress']>();

  const move = (e: React.FormEvent): void => {
    e.preventDefault();
    const target = folder.trim().replace(/\/+$/, '');
    const ids = [...selected];
    if (!ids.length || !target) return;
    setProgress({ done: 0, total: ids.length });
    api
      .moveMany(ids, target)
      .then(({ job_id }) => followJob<MoveJob>(job_id, (job) => setProgress(job.progress)))
      .then((job) => {
        if (job.status === 'failed' || !job.summary) throw new Error(job.error ?? 'the move failed');
        const { moved, unchanged, failed, missing, change_id, resources } = job.summary;
        const notMoved = [
          ...failed.map((f) => `${f.path}: ${f.message}`),
          ...missing.map((id) => `${id}: not found`),
        ];
        onMessage(
          `Moved ${count(moved.length, 'asset')} to ${target}.` +
            (unchanged.length ? ` ${count(unchanged.length, 'asset')} already there.` : '') +
            (notMoved.length
              ? ` Not moved: ${notMoved.slice(0, 3).join('; ')}${notMoved.length > 3 ? ` and ${notMoved.length - 3} more` : ''}.`
              : '') +
            resourcesNote(resources),
          notMoved.length > 0,
          undoOffer(change_id),
        );
      })
      .catch((err: Error) => onMessage(`Failed to move: ${err.message}`, true))
      .finally(() => setProgress(undefined));
  };

  return (
    <form className="bulk" onSubmit={move} aria-labelledby="move-title">
      <h3 id="move-title">Move to folder</h3>
      <label className="field">
        <span>Folder</span>
        <input
          list="move-folders"
          placeholder="e.g. backgrounds/night"
          value={folder}
          onChange={(e) => setFolder(e.currentTarget.value)}
        />
        <datalist id="move-folders">
          {folders.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
      </label>
      <button type="submit" disabled={!selected.length || !folder.trim() || !!progress}>
        {progress ? 'Moving…' : `Move ${selected.length} selected`}
      </button>
      {progress && <CountProgress verb="Moving" done={progress.done} total={progress.total} />}
    </form>
  );
}
