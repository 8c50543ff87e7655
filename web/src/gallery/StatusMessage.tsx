/**
 * The status bar's message: what the last action did (or why it failed), with the Undo of the
 * edit it reports (Ctrl/⌘-Z does the same); after an undo, its Redo.
 */
import { useEffect, useRef } from 'react';
import { runUndo, type StatusLine, type UndoAction } from '../undo';
import { galleryShortcut } from './Filters';

export type { StatusLine } from '../undo';

export function StatusMessage({
  message,
  onMessage,
  testId = 'gallery-message',
}: {
  message: StatusLine;
  onMessage: (message: StatusLine) => void;
  testId?: string;
}): React.JSX.Element {
  const running = useRef(false);
  const run = (action: UndoAction): void => {
    if (running.current) return;
    running.current = true;
    void runUndo(action, onMessage).finally(() => (running.current = false));
  };
  const runRef = useRef(run);
  runRef.current = run;

  const action = message.undo;
  useEffect(() => {
    if (!action) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.altKey || !galleryShortcut(e)) return;
      // Ctrl-Z undoes what the line offers to undo; Ctrl-Shift-Z redoes what it offers to redo.
      if (e.shiftKey !== (action.label === 'Redo')) return;
      e.preventDefault();
      runRef.current(action);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [action]);

  return (
    <>
      <span
        className={message.error ? 'error' : 'ok'}
        data-testid={testId}
        role={message.error ? 'alert' : 'status'}
      >
        {message.text}
      </span>
      {action && (
        <button
          type="button"
          className="link-button"
          onClick={() => run(action)}
          title={`${action.label} (Ctrl/⌘+${action.label === 'Redo' ? 'Shift+' : ''}Z)`}
        >
          {action.label}
        </button>
      )}
    </>
  );
}
