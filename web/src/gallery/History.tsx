/**
 * The History dialog: the edits made to the registry (bulk edits, tag renames, single edits, and
 * undos), newest first, from every tab, script and CLI, each with its Undo (an undo's: Redo);
 * under it, the trash that keeps deleted files for those undos.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Change } from '../api';
import { Modal } from '../Modal';
import { postNotice } from '../notice';
import { changeState, undoActionOf, undoChange, when } from '../undo';
import { count } from './CountProgress';
import { TrashLine } from './TrashLine';

/** Changes shown at first, and added by each "Show older" (the server keeps the newest 200: CHANGES_KEPT). */
const PAGE = 50;
const KEPT = 200;

export function History({
  tick,
  onClose,
}: {
  /** Moves with every registry event: the list follows edits made elsewhere while it is open. */
  tick: number;
  onClose: () => void;
}): React.JSX.Element {
  const [changes, setChanges] = useState<Change[]>();
  const [shown, setShown] = useState(PAGE);
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState<{ id: number; done: number; total: number }>();

  const load = useCallback(() => {
    api.changes(shown).then(
      ({ items }) => setChanges(items),
      (err: Error) => setError(err.message),
    );
  }, [shown]);
  useEffect(load, [load, tick]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const undo = (change: Change): void => {
    setError(undefined);
    setRunning({ id: change.id, done: 0, total: change.assets });
    undoChange(change.id, (done, total) => setRunning({ id: change.id, done, total }))
      .then(
        ({ text, back }) => postNotice(text, back),
        (err: Error) => setError(`Undo failed: ${err.message}`),
      )
      .finally(() => {
        setRunning(undefined);
        load();
      });
  };

  return (
    <Modal
      className="detail history"
      titleId="history-title"
      title="History"
      closeLabel="Close"
      onClose={onClose}
    >
      <p className="muted">
        Edits made here, in other tabs, by scripts and the CLI, newest first (the last {KEPT} are kept). Undo
        puts back what an edit changed, except on assets edited since.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!changes ? (
        <p className="muted">Loading…</p>
      ) : !changes.length ? (
        <p className="muted" data-testid="history-empty">
          No edits yet. Tag, license, rename or edit assets, and each edit shows here.
        </p>
      ) : (
        <ol className="history-list" aria-label="Edits, newest first">
          {changes.map((change) => (
            <li key={change.id} data-testid="history-item">
              <span className="history-when">{when(change.created_at)}</span>
              <span className="history-what">{change.summary}</span>
              <span className="history-count">{count(change.assets, 'asset')}</span>
              {running?.id === change.id ? (
                <span role="status">
                  {change.kind === 'undo' ? 'Redoing' : 'Undoing'} {running.done} of {running.total}…
                </span>
              ) : change.undoable ? (
                <button
                  type="button"
                  disabled={Boolean(running)}
                  onClick={() => undo(change)}
                  aria-label={`${undoActionOf(change).label}: ${change.summary}`}
                >
                  {undoActionOf(change).label}
                </button>
              ) : (
                <span className="muted">{changeState(change)}</span>
              )}
            </li>
          ))}
        </ol>
      )}
      {changes && changes.length === shown && shown < KEPT && (
        <button
          type="button"
          className="history-more"
          onClick={() => setShown((n) => Math.min(KEPT, n + PAGE))}
        >
          Show older
        </button>
      )}
      <TrashLine tick={tick} />
    </Modal>
  );
}
