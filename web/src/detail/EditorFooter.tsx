/** The end of a detail-view editor: its submit and Cancel buttons (both off while busy), then what went wrong. */
export function EditorFooter({
  label,
  busy,
  disabled = false,
  danger = false,
  error,
  onCancel,
}: {
  /** The submit button's text (while busy too: "Moving…"). */
  label: string;
  busy: boolean;
  disabled?: boolean;
  danger?: boolean;
  error: string | undefined;
  onCancel: () => void;
}): React.JSX.Element {
  return (
    <>
      <div className="actions">
        <button type="submit" className={danger ? 'danger' : undefined} disabled={busy || disabled}>
          {label}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
