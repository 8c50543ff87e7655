/**
 * Editing one asset: the fields designers change most (title, tags, licence, origin, notes) as a
 * form, or the whole metadata as JSON for any other key. The form sends only what changed (a
 * merge, where an emptied field removes its key); the JSON editor replaces the metadata whole.
 * Switching between the two carries what was typed across (once the JSON has been edited, the
 * form's Save replaces the whole metadata too). The registry writes the sidecar; other tabs follow
 * through the live registry hooks.
 */
import { useState } from 'react';
import { splitList } from '../../../src/domain/lists.js';
import { SYSTEM_META_KEYS } from '../../../src/domain/metadata.js';
import { api, ApiError, type Asset, type FacetCount } from '../api';
import { CheckField } from '../CheckField';
import { TagListInput } from '../gallery/TagListInput';
import { EditorFooter } from './EditorFooter';

/** The keys the form edits; each is a string in the metadata when present (tags: a list). */
const TEXT_KEYS = ['title', 'license', 'origin', 'notes'] as const;
type TextKey = (typeof TEXT_KEYS)[number];

const LABELS: Record<TextKey, string> = {
  title: 'Title',
  license: 'License',
  origin: 'Origin',
  notes: 'Notes',
};

const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');
const tagsOf = (value: unknown): string =>
  Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string').join(', ') : textOf(value);
const textsOf = (meta: Record<string, unknown>): Record<TextKey, string> =>
  Object.fromEntries(TEXT_KEYS.map((key) => [key, textOf(meta[key])])) as Record<TextKey, string>;

/**
 * Keys the registry keeps itself: its previews, and the version it moves on every change. The
 * JSON editor leaves them out; a replace that leaves them out keeps them (one that names them
 * sets them, for a user who types them in on purpose).
 */
const REGISTRY_KEYS: ReadonlySet<string> = new Set([...SYSTEM_META_KEYS, 'version']);
const userKeys = (meta: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(meta).filter(([key]) => !REGISTRY_KEYS.has(key)));

/** A key the form cannot show as text (a number, an object): left to the JSON editor. */
const notText = (value: unknown): boolean =>
  value !== undefined && value !== null && typeof value !== 'string';

/** One text key of the form; a value that is not text shows as JSON, locked. */
function TextField({
  name,
  value,
  text,
  disabled,
  onChange,
}: {
  name: TextKey;
  value: unknown;
  text: string;
  disabled: boolean;
  onChange: (value: string) => void;
}): React.JSX.Element {
  const id = `edit-${name}`;
  const locked = notText(value);
  const common = {
    id,
    value: locked ? JSON.stringify(value) : text,
    disabled: locked || disabled,
    title: locked ? 'Not text: change it with "Edit as JSON".' : undefined,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onChange(e.currentTarget.value),
  };
  return (
    <label className="field" htmlFor={id}>
      <span>{LABELS[name]}</span>
      {name === 'notes' ? (
        <textarea rows={3} {...common} />
      ) : (
        <input {...common} list={name === 'license' ? 'edit-licenses' : undefined} />
      )}
    </label>
  );
}

export function MetadataEditor({
  asset,
  licenses,
  tagsInUse,
  onSaved,
  onStale,
  onCancel,
}: {
  asset: Asset;
  /** Licences in use, offered as suggestions. */
  licenses: string[];
  /** Tags in use (with their counts), suggested as they are typed. */
  tagsInUse: FacetCount[];
  /** `changeId`: the change the save recorded, to undo it (null when nothing changed). */
  onSaved: (asset: Asset, changeId: number | null) => void;
  /** A save was refused as begun on an old version: the asset should be read afresh. */
  onStale: () => void;
  onCancel: () => void;
}): React.JSX.Element {
  const [mode, setMode] = useState<'form' | 'json'>('form');
  // The version the edit starts from: a save applies only if nobody changed the asset since (the
  // dialog's asset follows live changes; the edit must not silently move onto them).
  const [version] = useState(asset.version);
  // What the form edits: the asset's metadata, or what the JSON editor held when switched back.
  const [base, setBase] = useState(() => userKeys(asset.metadata));
  const [replacing, setReplacing] = useState(false);
  const [text, setText] = useState(() => textsOf(base));
  const [tags, setTags] = useState(asset.tags.join(', '));
  const [json, setJson] = useState(() => JSON.stringify(base, null, 2));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  /** What the form changes in `base`: null removes a key. */
  const formChanges = (): Record<string, unknown> => {
    const changes: Record<string, unknown> = {};
    for (const key of TEXT_KEYS) {
      if (notText(base[key])) continue;
      const value = key === 'notes' ? text[key] : text[key].trim();
      if (value !== textOf(base[key])) changes[key] = value === '' ? null : value;
    }
    const newTags = [...new Set(splitList(tags))];
    if (JSON.stringify(newTags) !== JSON.stringify(splitList(tagsOf(base.tags)))) changes.tags = newTags;
    return changes;
  };
  const withFormChanges = (): Record<string, unknown> => {
    const next: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(formChanges())) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    return next;
  };
  /** The JSON editor's text as an object, or why it is not one. */
  const parseJson = (): Record<string, unknown> | string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      return `The metadata is not valid JSON: ${(err as Error).message}`;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return 'The metadata must be a JSON object: { "key": value, … }.';
    }
    return parsed as Record<string, unknown>;
  };
  const switchMode = (): void => {
    setError(undefined);
    if (mode === 'form') {
      setJson(JSON.stringify(withFormChanges(), null, 2));
      setMode('json');
      return;
    }
    const parsed = parseJson();
    if (typeof parsed === 'string') return setError(parsed);
    setBase(parsed);
    setText(textsOf(parsed));
    setTags(tagsOf(parsed.tags));
    setReplacing(true);
    setMode('form');
  };

  const save = (metadata: unknown, how: 'merge' | 'replace'): void => {
    setBusy(true);
    setError(undefined);
    api.update(asset.uid, metadata, how, version).then(
      (r) => onSaved(r.asset, r.change_id),
      (err: Error) => {
        const stale = err instanceof ApiError && err.code === 'version_conflict';
        // Edit again starts from the current metadata even if the live stream is late.
        if (stale) onStale();
        setError(
          stale
            ? 'Not saved: this asset was changed elsewhere since you began editing. Copy what you typed ' +
                'if you need it, then Cancel and Edit again to start from the current metadata.'
            : err.message,
        );
        setBusy(false);
      },
    );
  };

  const submitForm = (e: React.FormEvent): void => {
    e.preventDefault();
    if (replacing) return save(withFormChanges(), 'replace');
    const changes = formChanges();
    if (!Object.keys(changes).length) return onCancel();
    save(changes, 'merge');
  };

  const submitJson = (e: React.FormEvent): void => {
    e.preventDefault();
    const parsed = parseJson();
    if (typeof parsed === 'string') return setError(parsed);
    save(parsed, 'replace');
  };

  const buttons = (
    <div className="actions">
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button type="button" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <button type="button" className="link" onClick={switchMode} disabled={busy}>
        {mode === 'form' ? 'Edit as JSON' : 'Edit as form'}
      </button>
    </div>
  );

  return (
    <section className="editor" aria-label="Edit metadata">
      {mode === 'form' ? (
        <form onSubmit={submitForm}>
          {(['title', 'tags', 'license', 'origin', 'notes'] as const).map((key) =>
            key === 'tags' ? (
              <label className="field" htmlFor="edit-tags" key={key}>
                <span>Tags (comma-separated)</span>
                <TagListInput
                  id="edit-tags"
                  value={tags}
                  disabled={busy}
                  onChange={setTags}
                  tags={tagsInUse}
                />
              </label>
            ) : (
              <TextField
                key={key}
                name={key}
                value={base[key]}
                text={text[key]}
                disabled={busy}
                onChange={(value) => setText({ ...text, [key]: value })}
              />
            ),
          )}
          <datalist id="edit-licenses">
            {licenses.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
          {buttons}
        </form>
      ) : (
        <form onSubmit={submitJson}>
          <label className="field" htmlFor="edit-json">
            <span>Metadata (JSON; replaces it whole)</span>
            <textarea
              id="edit-json"
              className="code"
              rows={14}
              spellCheck={false}
              value={json}
              disabled={busy}
              aria-describedby="edit-json-help"
              onChange={(e) => setJson(e.currentTarget.value)}
            />
          </label>
          <p id="edit-json-help" className="muted">
            The version and the previews are the registry&apos;s own: they are kept as they are.
          </p>
          {buttons}
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** Removing one asset: from the registry only (the file stays), or its file too. */
export function RemoveAsset({
  asset,
  onRemoved,
  onCancel,
}: {
  asset: Asset;
  /** `changeId`: the change recorded, to undo the removal (a deleted file comes back from the trash). */
  onRemoved: (message: string, changeId: number | null) => void;
  onCancel: () => void;
}): React.JSX.Element {
  const [deleteFile, setDeleteFile] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const remove = (e: React.FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    api.remove(asset.uid, deleteFile).then(
      (r) =>
        onRemoved(
          r.file_deleted
            ? `Removed ${asset.path} and ${r.trashed ? 'moved its file to the trash' : 'deleted its file'}.`
            : `Removed ${asset.path} from the registry; the file is still on disk${
                r.file_kept_reason ? ` (${r.file_kept_reason})` : ''
              }.`,
          r.change_id,
        ),
      (err: Error) => {
        setError(err.message);
        setBusy(false);
      },
    );
  };
  return (
    <form className="editor danger" onSubmit={remove} aria-label="Remove asset">
      <p>
        Remove <code>{asset.path}</code> from the registry? Its sidecar and previews go with it.
      </p>
      <CheckField checked={deleteFile} onChange={setDeleteFile}>
        Also delete the file from disk
      </CheckField>
      <p className="muted">
        {deleteFile
          ? 'The file goes to the trash, so Undo brings it back until the trash is emptied.'
          : 'The file stays in the assets folder, so a rebuild will register it again.'}
      </p>
      <EditorFooter
        label={busy ? 'Removing…' : deleteFile ? 'Remove and delete the file' : 'Remove from registry'}
        busy={busy}
        danger
        error={error}
        onCancel={onCancel}
      />
    </form>
  );
}
