/**
 * The gallery's keys in one place: "?" (or the ⌨ button) lists them, Escape closes the list.
 * The keys themselves are handled where they act (the grid, the search box).
 */
import { useEffect, useState } from 'react';
import { Modal } from '../Modal';
import { galleryShortcut } from './Filters';

const KEYS: Array<[string, string]> = [
  ['/', 'Search'],
  ['← ↑ → ↓, Page Up/Down, Home, End', 'Move through the grid'],
  ['Shift + a move', 'Select a range'],
  ['Space', 'Select or unselect the focused asset'],
  ['Ctrl/⌘ + A', 'Select every asset of the filter'],
  ['Escape', 'Clear the selection (or close a dialog)'],
  ['Enter, double-click', 'Open the focused asset'],
  ['P', 'Play or stop the focused sound'],
  ['Ctrl/⌘ + Z, Ctrl/⌘ + Shift + Z', 'Undo the edit the status line reports; redo it'],
  ['H', 'History: every edit, each with its Undo'],
  ['T', 'Tag the selection: to the Bulk Tag Editor (Enter applies)'],
  ['← →, in an asset’s details', 'The previous or next asset of the gallery'],
  ['?', 'This list'],
];

export function KeyboardHelp(): React.JSX.Element {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
      else if (e.key === '?' && galleryShortcut(e)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
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
        <Modal
          className="detail keys-help"
          titleId="keys-title"
          title="Keyboard shortcuts"
          closeLabel="Close keyboard shortcuts"
          onClose={() => setOpen(false)}
        >
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
        </Modal>
      )}
    </>
  );
}
