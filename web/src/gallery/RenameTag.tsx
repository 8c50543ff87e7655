/**
 * Renaming a tag everywhere (POST /api/tags/rename), from its chip in the filter bar: a typo
 * fixed, or two spellings merged, on every asset at once. The filter follows the new name.
 */
import { useState } from 'react';
import { api, followJob, type BulkJob } from '../api';
import { Modal } from '../Modal';
import { postNotice } from '../notice';
import { undoOffer } from '../undo';
import { count, CountProgress } from './CountProgress';

export function RenameTag({
  tag,
  onRenamed,
  onClose,
}: {
  tag: string;
  onRenamed: (to: string) => void;
  onClose: () => void;
}): React.JSX.Element {
  const [to, setTo] = useState(tag);
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState<BulkJob['progress']>();

  const rename = (e: React.FormEvent): void => {
    e.preventDefault();
    setError(undefined);
    const name = to.trim();
    setProgress({ done: 0, total: 0 });
    api
      .renameTag(tag, name)
      .then(({ job_id }) => followJob<BulkJob>(job_id, (job) => setProgress(job.progress)))
      .then((job) => {
        if (job.status === 'failed') throw new Error(job.error ?? 'the rename failed');
        postNotice(
          `Renamed "${tag}" to "${name}" on ${count(job.summary?.updated ?? 0, 'asset')}.`,
          undoOffer(job.summary?.change_id),
        );
        onRenamed(name);
      })
      .catch((err: Error) => {
        setProgress(undefined);
        setError(err.message);
      });
  };

  return (
    <Modal
      className="detail rename-tag"
      titleId="rename-tag-title"
      title={`Rename tag “${tag}”`}
      closeLabel="Cancel"
      onClose={onClose}
    >
      <form onSubmit={rename}>
        <label htmlFor="rename-tag-to">New name</label>
        <input
          id="rename-tag-to"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          disabled={Boolean(progress)}
        />
        <p className="muted">
          On every asset that has it, where it stands in each list; an asset that has the new name already
          keeps one of the two.
        </p>
        {progress && <CountProgress verb="Renaming on" done={progress.done} total={progress.total} />}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={Boolean(progress) || !to.trim() || to.trim() === tag}>
            Rename
          </button>
          <button type="button" onClick={onClose} disabled={Boolean(progress)}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
