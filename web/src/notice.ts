/**
 * A line for the gallery's status bar from a view that closes as it finishes (the detail view
 * after a removal, a tag renamed): the gallery stays mounted under it and shows the line, with
 * the Undo of the edit it reports when there is one.
 */
import { useEffect } from 'react';
import type { UndoAction } from './undo';

const NOTICE = 'asset-registry-notice';

interface Notice {
  text: string;
  undo?: UndoAction | undefined;
}

export function postNotice(text: string, undo?: UndoAction): void {
  window.dispatchEvent(new CustomEvent<Notice>(NOTICE, { detail: { text, undo } }));
}

export function useNotices(show: (text: string, error?: boolean, undo?: UndoAction) => void): void {
  useEffect(() => {
    const on = (e: Event): void => {
      const { text, undo } = (e as CustomEvent<Notice>).detail;
      show(text, false, undo);
    };
    window.addEventListener(NOTICE, on);
    return () => window.removeEventListener(NOTICE, on);
  }, [show]);
}
