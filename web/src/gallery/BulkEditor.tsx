/**
 * Bulk Tag Editor (reference §8): add tags, remove tags, apply or clear a licence, in one call.
 * The server runs it as a job; its progress shows here (tens of thousands of assets take a while).
 */
import { useState } from 'react';
import { splitList } from '../../../src/domain/lists.js';
import { api, followJob, type BulkJob, type Facets } from '../api';
import { CheckField } from '../CheckField';
import { undoOffer, type UndoAction } from '../undo';
import { CountProgress } from './CountProgress';
import { TagListInput } from './TagListInput';

export function BulkEditor({
  selected,
  facets,
  onMessage,
}: {
  selected: string[];
  /** The registry's tags and licences, suggested as they are typed. */
  facets: Facets | undefined;
  onMessage: (text: string, error?: boolean, undo?: UndoAction) => void;
}): React.JSX.Element {
  const [add, setAdd] = useState('');
  const [remove, setRemove] = useState('');
  const [license, setLicense] = useState('');
  const [clear, setClear] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<BulkJob['progress']>();

  const apply = (e: React.FormEvent): void => {
    e.preventDefault();
    if (!selected.length) return onMessage('Select one or more assets to edit tags.', true);
    const addTags = splitList(add);
    const removeTags = splitList(remove);
    const licence = license.trim();
    if (!addTags.length && !removeTags.length && !licence && !clear)
      return onMessage('No bulk edits specified.', true);
    setBusy(true);
    setProgress({ done: 0, total: selected.length });
    api
      .bulk({
        ids: selected,
        ...(addTags.length ? { add_tags: addTags } : {}),
        ...(removeTags.length ? { remove_tags: removeTags } : {}),
        ...(clear ? { clear_license: true } : licence ? { license: licence } : {}),
      })
      .then(({ job_id }) => followJob<BulkJob>(job_id, (job) => setProgress(job.progress)))
      .then((job) => {
        if (job.status === 'failed') throw new Error(job.error ?? 'the bulk edit failed');
        return job.summary?.change_id;
      })
      .then(
        (changeId) => {
          setAdd('');
          setRemove('');
          if (!clear) setLicense('');
          setClear(false);
          onMessage(`Updated ${selected.length} assets.`, false, undoOffer(changeId));
        },
        (err: Error) => onMessage(`Failed to apply edits: ${err.message}`, true),
      )
      .finally(() => {
        setBusy(false);
        setProgress(undefined);
      });
  };

  return (
    <form className="bulk" onSubmit={apply} aria-labelledby="bulk-title">
      <h3 id="bulk-title">Bulk Tag Editor</h3>
      <label className="field" htmlFor="bulk-add">
        <span>Add tags</span>
        <TagListInput
          id="bulk-add"
          placeholder="tag1, tag2, …"
          value={add}
          onChange={setAdd}
          tags={facets?.tags ?? []}
        />
      </label>
      <label className="field" htmlFor="bulk-remove">
        <span>Remove tags</span>
        <TagListInput
          id="bulk-remove"
          placeholder="tag_to_remove, …"
          value={remove}
          onChange={setRemove}
          tags={facets?.tags ?? []}
        />
      </label>
      <label className="field" htmlFor="bulk-license">
        <span>License</span>
        <input
          id="bulk-license"
          placeholder="Leave blank to skip"
          value={license}
          disabled={clear}
          list="bulk-licenses"
          autoComplete="off"
          onChange={(e) => setLicense(e.currentTarget.value)}
        />
        <datalist id="bulk-licenses">
          {(facets?.licenses ?? []).map((l) => (
            <option key={l.value} value={l.label ?? l.value} />
          ))}
        </datalist>
      </label>
      <CheckField checked={clear} onChange={setClear}>
        Clear license
      </CheckField>
      <button type="submit" disabled={busy}>
        {busy ? 'Applying…' : `Apply to ${selected.length} selected`}
      </button>
      {progress && <CountProgress verb="Updating" done={progress.done} total={progress.total} />}
    </form>
  );
}
