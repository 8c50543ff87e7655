/**
 * The trash, under the History: how many deleted files it keeps (so that Undo can bring them
 * back), for how long; what each removal put there, brought back (its undo) or deleted for good
 * on its own; and emptying it all.
 */
import { useCallback, useEffect, useState } from 'react';
import { useAnswer } from '../use-answer';
import { api, formatBytes, type TrashBatch, type TrashSummary } from '../api';
import { postNotice } from '../notice';
import { undoChange, when } from '../undo';
import { count } from './CountProgress';

/** Batches listed (the newest), and file names shown for each. */
const BATCHES_SHOWN = 20;
const NAMES_SHOWN = 5;

export function TrashLine({ tick }: { tick: number }): React.JSX.Element | null {
  const [trash, setTrash] = useState<TrashSummary>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // (Kept here: the list goes while the trash is empty, and comes back open.)
  const [open, setOpen] = useState(false);

  const load = useCallback(() => {
    api.trash().then(setTrash, (err: Error) => setError(err.message));
  }, []);
  useEffect(load, [load, tick]);

  /** Runs one action on the trash, then says how it went and reads the trash again. */
  const act = (work: () => Promise<string>): void => {
    setBusy(true);
    setError(undefined);
    work()
      .then(
        (text) => postNotice(text),
        (err: Error) => setError(err.message),
      )
      .finally(() => {
        setBusy(false);
        load();
      });
  };
  const empty = (batch?: TrashBatch): void => {
    const what = batch ?? trash;
    if (!what) return;
    const question =
      `Delete the ${count(what.files, 'file')} ${batch ? `deleted ${when(batch.deleted_at)}` : 'in the trash'} ` +
      `(${formatBytes(what.bytes)}) for good? The removal${batch ? '' : 's'} that put them there can no ` +
      'longer be undone.';
    if (!window.confirm(question)) return;
    act(async () => {
      const { files, bytes } = await api.emptyTrash(batch?.name);
      return `${batch ? 'Deleted' : 'Emptied the trash: deleted'} ${count(files, 'file')} (${formatBytes(bytes)}) for good.`;
    });
  };
  const restore = (batch: TrashBatch): void =>
    act(async () => {
      if (batch.change_id !== null) return (await undoChange(batch.change_id, () => undefined)).text;
      const { restored, kept } = await api.restoreTrash(batch.name);
      const [first] = kept;
      return (
        `Put back ${count(restored.length, 'orphaned sidecar')}.` +
        (first ? ` ${count(kept.length, 'sidecar')} kept in the trash: ${first.path}: ${first.reason}.` : '')
      );
    });

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
    <div className="trash">
      <p className="muted trash-line" data-testid="trash-line">
        {trash.files
          ? `Trash: ${count(trash.files, 'deleted file')} (${formatBytes(trash.bytes)}), each kept ${trash.keep_days} days so that Undo can bring it back.`
          : `The trash is empty. Files deleted through the registry are kept there ${trash.keep_days} days, so that Undo can bring them back.`}{' '}
        {trash.files > 0 && (
          <button type="button" className="danger" disabled={busy} onClick={() => empty()}>
            Empty trash…
          </button>
        )}
      </p>
      {trash.batches.length > 0 && (
        <details className="trash-batches" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary>What is in it</summary>
          <ol aria-label="Deleted files, newest first">
            {trash.batches.slice(0, BATCHES_SHOWN).map((batch) => (
              <TrashBatchRow
                key={batch.name}
                batch={batch}
                busy={busy}
                onRestore={() => restore(batch)}
                onDelete={() => empty(batch)}
              />
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

function TrashBatchRow({
  batch,
  busy,
  onRestore,
  onDelete,
}: {
  batch: TrashBatch;
  busy: boolean;
  onRestore: () => void;
  onDelete: () => void;
}): React.JSX.Element {
  const names = useAnswer(
    () =>
      api
        .trashBatch(batch.name, NAMES_SHOWN)
        .then(
          ({ items, truncated }) =>
            items.map((i) => i.path).join(', ') +
            (truncated ? `, and ${batch.files - items.length} more` : ''),
        ),
    [batch.name, batch.files],
    (_err, kept) => kept,
  );
  return (
    <li data-testid="trash-batch">
      <span className="history-when">{when(batch.deleted_at)}</span>
      <span className="history-what">
        {batch.kind === 'orphaned_sidecars'
          ? count(batch.files, 'orphaned sidecar')
          : count(batch.files, 'file')}{' '}
        ({formatBytes(batch.bytes)}){names ? `: ${names}` : ''}
      </span>
      {(batch.change_id !== null || batch.kind === 'orphaned_sidecars') && (
        <button type="button" disabled={busy} onClick={onRestore}>
          Restore
        </button>
      )}
      <button type="button" className="danger" disabled={busy} onClick={onDelete}>
        Delete…
      </button>
    </li>
  );
}
