/** Above the grid while it shows the pictures that look like one: which one, and the way back. */
import { useEffect, useState } from 'react';
import { api } from '../api';
import { navigate } from '../route';

export function SimilarHint({ id, onClear }: { id: string; onClear: () => void }): React.JSX.Element {
  const [path, setPath] = useState<string>();
  useEffect(() => {
    api.get(id).then(
      (r) => setPath(r.asset.path),
      () => setPath(undefined),
    );
  }, [id]);
  return (
    <p className="hint" data-testid="similar-hint">
      Pictures that look like{' '}
      <button type="button" className="link" onClick={() => navigate({ view: 'asset', id })}>
        {path ?? id}
      </button>{' '}
      (itself included): resized, re-encoded or retouched copies. To keep one, select the others and{' '}
      <strong>Remove from registry</strong>.{' '}
      <button type="button" onClick={onClear}>
        Show every asset
      </button>
    </p>
  );
}
