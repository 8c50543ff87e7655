/**
 * A dialog over the page: a dimmed backdrop (a click on it closes), a titled header with a close
 * button, focus moved into it when it opens. Escape is left to the caller (the detail view closes
 * an open editor first).
 */
import { useEffect, useRef } from 'react';

export function Modal({
  className,
  titleId,
  title,
  closeLabel,
  onClose,
  children,
}: {
  className: string;
  titleId: string;
  title: React.ReactNode;
  closeLabel: string;
  onClose: () => void;
  children: React.ReactNode;
}): React.JSX.Element {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);
  return (
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={className}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        ref={dialog}
      >
        <header>
          <h2 id={titleId}>{title}</h2>
          <button type="button" onClick={onClose} aria-label={closeLabel}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
