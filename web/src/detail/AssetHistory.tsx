/**
 * The detail view's History: the changes that touched this asset (from any tab, script or the
 * CLI), newest first, each with what it did to this asset and its Undo (of the whole change), and
 * for a change of several assets "Undo here" (of this asset's part only).
 */
import { useState } from 'react';
import { describeStates } from '../../../src/domain/changes.js';
import { useAnswer } from '../use-answer';
import { api, type AssetChange } from '../api';
import { count } from '../gallery/CountProgress';
import { changeState, runUndo, undoActionOf, when, type StatusLine } from '../undo';

const SHOWN = 50;

export function AssetHistory({
  uid,
  tick,
  onStatus,
}: {
  uid: string;
  tick: number;
  onStatus: (line: StatusLine) => void;
}): React.JSX.Element | null {
  const items = useAnswer(
    () => api.assetChanges(uid).then((r) => r.items),
    [uid, tick],
    () => [],
  );
  const [busy, setBusy] = useState(false);
  if (!items?.length) return null;

  /** The whole change, or (`here`) only this asset's part of it. */
  const undo = (change: AssetChange, here = false): void => {
    setBusy(true);
    const action = undoActionOf(change);
    void runUndo(here ? { ...action, ids: [uid] } : action, onStatus).finally(() => setBusy(false));
  };

  return (
    <details data-testid="asset-history">
      <summary>
        History ({items.length}
        {items.length === SHOWN ? '+' : ''})
      </summary>
      <ol className="asset-history">
        {items.map((change) => (
          <li key={change.id}>
            <div className="asset-history-head">
              <span className="history-when">{when(change.created_at)}</span>
              <span className="history-what">
                {change.summary}
                {change.assets > 1 ? ` (${count(change.assets, 'asset')})` : ''}
              </span>
              {change.undoable ? (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => undo(change)}
                  title={
                    change.assets > 1
                      ? `Undoes the whole change, on ${count(change.assets, 'asset')}`
                      : undefined
                  }
                >
                  {undoActionOf(change).label}
                </button>
              ) : (
                <span className="muted">{changeState(change)}</span>
              )}
              {change.undoable && change.assets > 1 && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => undo(change, true)}
                  title="Takes back only what this change did to this asset; the others keep it"
                >
                  {undoActionOf(change).label} here
                </button>
              )}
            </div>
            <ul className="asset-history-keys">
              {describeStates(change.before, change.after).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </details>
  );
}
