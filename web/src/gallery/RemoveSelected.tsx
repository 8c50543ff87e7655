/**
 * Removing the selected assets from the registry, their files kept or (when ticked) deleted. It
 * asks first, names what stays on disk, and follows the server's job (thousands take a while).
 */
import { useState } from 'react';
import { api, followJob, type RemoveJob } from '../api';
import { undoOffer, type UndoAction } from '../undo';
import { CheckField } from '../CheckField';
import { count, CountProgress } from './CountProgress';

export function RemoveSelected({
  selected,
  onRemoved,
  onMessage,
}: {
  selected: string[];
  /** The ids that are gone (the selection drops them). */
  onRemoved: (ids: string[]) => void;
  onMessage: (text: string, error?: boolean, undo?: UndoAction) => void;
}): React.JSX.Element {
  const [deleteFiles, setDeleteFiles] = useState(false);
  const [progress, setProgress] = useState<RemoveJob['progress']>();

  const remove = (e: React.FormEvent): void => {
    e.preventDefault();
    const ids = [...selected];
    const n = ids.length;
    const question = deleteFiles
      ? `Remove ${count(n, 'asset')} from the registry and delete their files? They go to the trash, so Undo ` +
        'brings them back until it is emptied.'
      : `Remove ${count(n, 'asset')} from the registry? Their files stay on disk, so a rebuild will register them again.`;
    if (!n || !window.confirm(question)) return;
    setProgress({ done: 0, total: n });
    api
      .removeMany(ids, deleteFiles)
      .then(({ job_id }) => followJob<RemoveJob>(job_id, (job) => setProgress(job.progress)))
      .then((job) => {
        if (job.status === 'failed' || !job.summary) throw new Error(job.error ?? 'the removal failed');
        const { removed, files_deleted: deleted, files_kept: kept, trash, change_id } = job.summary;
        const files = trash
          ? `Moved ${count(deleted, 'file')} to the trash`
          : `Deleted ${count(deleted, 'file')}`;
        onRemoved(ids);
        onMessage(
          `Removed ${count(removed, 'asset')}.` +
            (deleteFiles ? ` ${files}${kept.length ? `; kept ${kept.length}` : ''}.` : ''),
          false,
          undoOffer(change_id),
        );
      })
      .catch((err: Error) => onMessage(`Failed to remove: ${err.message}`, true))
      .finally(() => setProgress(undefined));
  };

  return (
    <form className="bulk" onSubmit={remove} aria-labelledby="remove-title">
      <h3 id="remove-title">Remove from registry</h3>
      <CheckField checked={deleteFiles} onChange={setDeleteFiles}>
        Also delete the files from disk
      </CheckField>
      <button
        type="submit"
        className={deleteFiles ? 'danger' : undefined}
        disabled={!selected.length || !!progress}
      >
        {progress ? 'Removing…' : `Remove ${selected.length} selected…`}
      </button>
      {progress && <CountProgress verb="Removing" done={progress.done} total={progress.total} />}
    </form>
  );
}
