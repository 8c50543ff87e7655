/**
 * A line for the gallery's status bar from a view that closes as it finishes (the detail view
 * after a removal): the gallery stays mounted under it and shows the line.
 */
import { useEffect } from 'react';

const NOTICE = 'asset-registry-notice';

export function postNotice(text: string): void {
  window.dispatchEvent(new CustomEvent<string>(NOTICE, { detail: text }));
}

export function useNotices(show: (text: string) => void): void {
  useEffect(() => {
    const on = (e: Event): void => show((e as CustomEvent<string>).detail);
    window.addEventListener(NOTICE, on);
    return () => window.removeEventListener(NOTICE, on);
  }, [show]);
}
