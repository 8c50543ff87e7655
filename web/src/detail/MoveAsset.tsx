/** Moving or renaming one asset's file from its detail view: a new path under the assets root. */
import { useState } from 'react';
import { extensionOf, isModelPath } from '../../../src/domain/media-facts.js';
import { api, type Asset, type ResourcesMoved } from '../api';
import { CheckField } from '../CheckField';
import { EditorFooter } from './EditorFooter';

export function MoveAsset({
  asset,
  onMoved,
  onCancel,
}: {
  asset: Asset;
  onMoved: (moved: Asset, changeId: number | null, resources: ResourcesMoved | undefined) => void;
  onCancel: () => void;
}): React.JSX.Element {
  const [target, setTarget] = useState(asset.path);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const model = isModelPath(asset.path);
  const [leaveResources, setLeaveResources] = useState(false);
  const move = (e: React.FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    api.move(asset.uid, target.trim(), leaveResources).then(
      (r) => onMoved(r.asset, r.change_id, r.resources),
      (err: Error) => {
        setError(err.message);
        setBusy(false);
      },
    );
  };
  return (
    <form className="editor" onSubmit={move} aria-label="Move or rename">
      <label className="field">
        <span>New path (in the assets folder, same extension)</span>
        <input
          autoFocus
          value={target}
          onChange={(e) => setTarget(e.currentTarget.value)}
          // The name without its extension selected, as a file manager does for a rename.
          onFocus={(e) => {
            const ext = extensionOf(target);
            e.currentTarget.setSelectionRange(
              target.lastIndexOf('/') + 1,
              ext ? target.length - ext.length - 1 : target.length,
            );
          }}
        />
      </label>
      <p className="muted">
        The file moves with its sidecar; its id, metadata and previews stay. A file already at that path is
        never overwritten.
      </p>
      {model && (
        <CheckField checked={!leaveResources} onChange={(take) => setLeaveResources(!take)}>
          Take along the files it uses (buffers, textures) when it moves to another folder
        </CheckField>
      )}
      <EditorFooter
        label={busy ? 'Moving…' : 'Move'}
        busy={busy}
        disabled={!target.trim() || target.trim() === asset.path}
        error={error}
        onCancel={onCancel}
      />
    </form>
  );
}
