/**
 * The trash, under the History: how many deleted files it keeps (so that Undo can bring them
 * back), for how long, and emptying it for good.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, formatBytes, type TrashSummary } from '../api';
import { postNotice } from '../notice';
import { count } from './CountProgress';

export function TrashLine({ tick }: { tick: number }): React.JSX.Element | null {
  const [trash, setTrash] = useState<TrashSummary>();
  const [error, setError] = useState<string>();
  const [emptying, setEmptying] = useState(false);

  const load = useCallback(() => {
    api.trash().then(setTrash, (err: Error) => setError(err.message));
  }, []);
  useEffect(load, [load, tick]);

  const empty = (): void => {
    if (!trash) return;
    const question =
      `Delete the ${count(trash.files, 'file')} in the trash (${formatBytes(trash.bytes)}) for good? ` +
      'The removals that put them there can no longer be undone.';
    if (!window.confirm(question)) return;
    setEmptying(true);
    api
      .emptyTrash()
      .then(
        ({ files, bytes }) =>
          postNotice(`Emptied the trash: deleted ${count(files, 'file')} (${formatBytes(bytes)}).`),
        (err: Error) => setError(`Emptying the trash failed: ${err.message}`),
      )
      .finally(() => {
        setEmptying(false);
        load();
      });
  };

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!trash) return null;
  if (trash.keep_days === 0)
    return (
      <p className="muted trash-line" data-testid="trash-line">
        Deleted files are not kept (the trash is off), so a removal that deleted files cannot bring them back.
      </p>
    );
  return (
    <p className="muted trash-line" data-testid="trash-line">
      {trash.files
        ? `Trash: ${count(trash.files, 'deleted file')} (${formatBytes(trash.bytes)}), each kept ${trash.keep_days} days so that Undo can bring it back.`
        : `The trash is empty. Files deleted through the registry are kept there ${trash.keep_days} days, so that Undo can bring them back.`}{' '}
      {trash.files > 0 && (
        <button type="button" className="danger" disabled={emptying} onClick={empty}>
          {emptying ? 'Emptying…' : 'Empty trash…'}
        </button>
      )}
    </p>
  );
}
