/**
 * The gallery's keys in one place: "?" (or the ⌨ button) lists them, Escape closes the list.
 * The keys themselves are handled where they act (the grid, the search box).
 */
import { useEffect, useRef, useState } from 'react';
import { typingIn } from './Filters';

const KEYS: Array<[string, string]> = [
  ['/', 'Search'],
  ['← ↑ → ↓, Page Up/Down, Home, End', 'Move through the grid'],
  ['Shift + a move', 'Select a range'],
  ['Space', 'Select or unselect the focused asset'],
  ['Ctrl/⌘ + A', 'Select every asset of the filter'],
  ['Escape', 'Clear the selection (or close a dialog)'],
  ['Enter, double-click', 'Open the focused asset'],
  ['P', 'Play or stop the focused sound'],
  ['?', 'This list'],
];

export function KeyboardHelp(): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
      // Not over another dialog (the detail view), nor while typing.
      else if (e.key === '?' && !typingIn(e.target) && !document.querySelector('[role="dialog"]')) {
        e.preventDefault();
        setOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (open) dialog.current?.focus();
  }, [open]);
  return (
    <>
      <button
        type="button"
        className="keys-button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={() => setOpen(true)}
      >
        ⌨
      </button>
      {open && (
        <div className="overlay" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
          <div
            className="detail keys-help"
            role="dialog"
            aria-modal="true"
            aria-labelledby="keys-title"
            tabIndex={-1}
            ref={dialog}
          >
            <header>
              <h2 id="keys-title">Keyboard shortcuts</h2>
              <button type="button" onClick={() => setOpen(false)} aria-label="Close keyboard shortcuts">
                ✕
              </button>
            </header>
            <dl>
              {KEYS.map(([keys, what]) => (
                <div key={keys}>
                  <dt>
                    <kbd>{keys}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
      )}
    </>
  );
}
