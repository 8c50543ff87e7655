/** One asset in full: its large preview (FilePreview), every field, provenance, and its editors. */
import { Fragment, useEffect, useRef, useState } from 'react';
import { useAnswer } from '../use-answer';
import { api, DEFAULT_QUERY, formatBytes, type Asset, type FacetCount, type Provenance } from '../api';
import { galleryHref } from '../gallery/query-url.js';
import { copyText } from '../gallery/clipboard';
import {
  isBlenderPath,
  isFontPath,
  isModelPath,
  isVideoPath,
  mediaDetails,
} from '../../../src/domain/media-facts.js';
import { assetName } from '../gallery/Tile';
import type { RegistryChanges } from '../gallery/Gallery';
import { Modal } from '../Modal';
import { postNotice } from '../notice';
import { StatusMessage, type StatusLine } from '../gallery/StatusMessage';
import { undoOffer } from '../undo';
import { navigate } from '../route';
import { MetadataEditor, RemoveAsset } from './MetadataEditor';
import { MoveAsset } from './MoveAsset';
import { FilePreview, isAudioAsset } from './FilePreview';
import { useNeighbours } from './neighbours';
import { SimilarPictures } from './SimilarPictures';
import { AssetHistory } from './AssetHistory';
import { Palette } from './Palette';
import { resourcesNote } from '../resources-note';

/** The path, each folder of it a link to the gallery showing that folder (and what is below it). */
function PathLinks({ path }: { path: string }): React.JSX.Element {
  const parts = path.split('/');
  return (
    <code className="path-links">
      {parts.map((part, i) => {
        if (i === parts.length - 1) return <Fragment key={i}>{part}</Fragment>;
        const folder = parts.slice(0, i + 1).join('/');
        return (
          <Fragment key={i}>
            <a href={galleryHref({ ...DEFAULT_QUERY, folder })} title={`Show the assets in ${folder}/`}>
              {part}
            </a>
            /
          </Fragment>
        );
      })}
    </code>
  );
}

/** Copies listed in the detail view; more are counted, and found with the hash. */
const COPIES_SHOWN = 20;

/**
 * The other assets holding the same bytes, each a link to its own detail view, the first
 * registered marked (the one "Extra copies" in the gallery leaves out).
 */
function SameBytes({ asset, tick }: { asset: Asset; tick: number }): React.JSX.Element | null {
  const copies = useAnswer(() => api.sameBytes(asset.hash, COPIES_SHOWN + 1), [asset.hash, tick]);
  if (!copies || copies.total < 2) return null;
  const others = copies.items.filter((c) => c.uid !== asset.uid).slice(0, COPIES_SHOWN);
  const first = copies.items[0]?.uid;
  const more = copies.total - 1 - others.length;
  return (
    <details open data-testid="same-bytes">
      <summary>
        Same bytes at {copies.total - 1} other {copies.total === 2 ? 'path' : 'paths'}
      </summary>
      {first === asset.uid && <p className="muted">This one was registered first.</p>}
      <ul className="copies">
        {others.map((c) => (
          <li key={c.uid}>
            <button type="button" className="link" onClick={() => navigate({ view: 'asset', id: c.uid })}>
              {c.path}
            </button>
            {c.uid === first && <span className="muted"> (registered first)</span>}
          </li>
        ))}
      </ul>
      {more > 0 && <p className="muted">…and {more.toLocaleString()} more.</p>}
    </details>
  );
}

export function DetailView({ id, changes }: { id: string; changes: RegistryChanges }): React.JSX.Element {
  const [asset, setAsset] = useState<Asset>();
  const [provenance, setProvenance] = useState<Provenance[]>([]);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<StatusLine>();
  const [panel, setPanel] = useState<'none' | 'edit' | 'move' | 'remove'>('none');
  const [licenses, setLicenses] = useState<string[]>([]);
  const [tagsInUse, setTagsInUse] = useState<FacetCount[]>([]);
  // Bumped to read the asset afresh without waiting for its event (after a refused save).
  const [reloads, setReloads] = useState(0);
  // Escape closes an open editor first, then the dialog.
  const panelOpen = useRef(false);
  panelOpen.current = panel !== 'none';
  const neighbours = useNeighbours(id);
  const neighboursNow = useRef(neighbours);
  neighboursNow.current = neighbours;
  /** Another asset in the same dialog; Back still leaves for the gallery. */
  const flip = (to: string | undefined): void => {
    if (!to || panelOpen.current) return;
    setStatus(undefined);
    navigate({ view: 'asset', id: to }, true);
  };

  useEffect(() => {
    // Only the latest read lands: a slower answer about the asset shown before (read again for
    // an event just as the view flipped to the next one) must not replace the one now asked for.
    let live = true;
    api.get(id).then(
      (r) => {
        if (!live) return;
        setAsset(r.asset);
        setError(undefined);
      },
      (err: Error) => live && setError(err.message),
    );
    api.provenance(id).then(
      (r) => live && setProvenance(r.items),
      () => live && setProvenance([]),
    );
    return () => {
      live = false;
    };
  }, [id, changes.tick, reloads]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        // Not while typing, nor from a player (its arrows seek), nor with a modifier.
        const target = e.target as HTMLElement | null;
        const busy = target?.closest('input, textarea, select, audio, video, [contenteditable="true"]');
        if (busy || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
        flip(e.key === 'ArrowLeft' ? neighboursNow.current?.previous : neighboursNow.current?.next);
        return;
      }
      if (e.key !== 'Escape') return;
      if (panelOpen.current) setPanel('none');
      else navigate({ view: 'gallery' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const edit = (): void => {
    setStatus(undefined);
    setPanel('edit');
    api.facets().then(
      (f) => {
        setLicenses(f.licenses.map((l) => l.label ?? l.value));
        setTagsInUse(f.tags);
      },
      () => setLicenses([]),
    );
  };

  const isAudio = asset ? isAudioAsset(asset) : false;
  const details = mediaDetails(asset?.preview);
  const factsLabel = isAudio
    ? 'Length'
    : asset && isFontPath(asset.path)
      ? 'Font'
      : asset && isVideoPath(asset.path)
        ? 'Video'
        : asset && isModelPath(asset.path)
          ? 'Geometry'
          : asset && isBlenderPath(asset.path)
            ? 'Saved with'
            : 'Dimensions';
  const media: Array<[string, React.ReactNode]> = details ? [[factsLabel, details]] : [];
  if (asset?.colors) media.push(['Colors', <Palette key="c" colors={asset.colors} />]);
  const fields: Array<[string, React.ReactNode]> = asset
    ? [
        ['ID', <code key="id">{asset.uid}</code>],
        ['Type', asset.type],
        ['Path', <PathLinks key="p" path={asset.path} />],
        ['Size', `${formatBytes(asset.bytes)} (${asset.bytes} bytes)`],
        ...media,
        ['Tags', asset.tags.length ? asset.tags.join(', ') : '(none)'],
        ['License', asset.license ?? '(none)'],
        ['Origin', asset.origin ?? '(none)'],
        ['Version', String(asset.version)],
        ['Created', asset.created_at],
        ['Updated', asset.updated_at],
        [
          'SHA-256',
          <code key="h" className="hash">
            {asset.hash}
          </code>,
        ],
        ['Sidecar', <code key="s">{asset.sidecar}</code>],
        [
          'Preview',
          <Fragment key="p">
            {asset.preview_status
              ? `${asset.preview_status}${asset.preview_error ? `: ${asset.preview_error}` : ''}`
              : 'none'}
            {asset.preview_status === 'failed' && (
              <button
                type="button"
                className="inline-action"
                title="Make the preview again (after a busy moment, or a decoder that was missing)"
                onClick={() =>
                  void api.retryPreviews([asset.id]).then(
                    () => setStatus({ text: 'The preview is being made again.' }),
                    (err: Error) => setStatus({ text: `Could not retry: ${err.message}`, error: true }),
                  )
                }
              >
                Try again
              </button>
            )}
          </Fragment>,
        ],
      ]
    : [];

  return (
    <Modal
      className="detail"
      titleId="detail-title"
      title={asset ? assetName(asset) : 'Asset'}
      closeLabel="Close details"
      onClose={() => navigate({ view: 'gallery' })}
    >
      {neighbours && neighbours.total > 1 && (
        <nav className="detail-nav" aria-label="Other assets">
          <button
            type="button"
            onClick={() => flip(neighbours.previous)}
            disabled={!neighbours.previous || panel !== 'none'}
            title="Previous asset (←)"
          >
            ‹ Previous
          </button>
          <span className="muted" data-testid="detail-position">
            {(neighbours.at + 1).toLocaleString()} of {neighbours.total.toLocaleString()}
          </span>
          <button
            type="button"
            onClick={() => flip(neighbours.next)}
            disabled={!neighbours.next || panel !== 'none'}
            title="Next asset (→)"
          >
            Next ›
          </button>
        </nav>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {asset && (
        <div className="detail-body">
          <div className="detail-preview" data-testid="detail-preview">
            <FilePreview asset={asset} />
          </div>
          <div className="detail-info">
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  void copyText(asset.uid).then(
                    () => setStatus({ text: 'ID copied.' }),
                    () => setStatus({ text: 'Copy failed; select the ID and copy it by hand.', error: true }),
                  )
                }
              >
                Copy ID
              </button>
              <a className="button" href={asset.urls.file} download>
                Download
              </a>
              <button type="button" onClick={edit} disabled={panel !== 'none'}>
                Edit
              </button>
              <button type="button" onClick={() => setPanel('move')} disabled={panel !== 'none'}>
                Move…
              </button>
              <button type="button" onClick={() => setPanel('remove')} disabled={panel !== 'none'}>
                Remove…
              </button>
              {status && <StatusMessage message={status} onMessage={setStatus} testId="detail-status" />}
            </div>
            {panel === 'edit' && (
              <MetadataEditor
                asset={asset}
                licenses={licenses}
                tagsInUse={tagsInUse}
                onCancel={() => setPanel('none')}
                onStale={() => setReloads((n) => n + 1)}
                onSaved={(saved, changeId) => {
                  setAsset(saved);
                  setPanel('none');
                  setStatus({ text: 'Saved.', undo: undoOffer(changeId) });
                }}
              />
            )}
            {panel === 'move' && (
              <MoveAsset
                asset={asset}
                onCancel={() => setPanel('none')}
                onMoved={(moved, changeId, resources) => {
                  setAsset(moved);
                  setPanel('none');
                  setStatus({
                    text: `Moved to ${moved.path}.${resourcesNote(resources)}`,
                    undo: undoOffer(changeId),
                  });
                }}
              />
            )}
            {panel === 'remove' && (
              <RemoveAsset
                asset={asset}
                onCancel={() => setPanel('none')}
                onRemoved={(message, changeId) => {
                  postNotice(message, undoOffer(changeId));
                  navigate({ view: 'gallery' });
                }}
              />
            )}
            <dl className="fields">
              {fields.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
            <SameBytes asset={asset} tick={changes.tick} />
            <SimilarPictures asset={asset} tick={changes.tick} />
            <AssetHistory uid={asset.uid} tick={changes.tick} onStatus={setStatus} />
            <details open>
              <summary>Metadata</summary>
              <pre>{JSON.stringify(asset.metadata, null, 2)}</pre>
            </details>
            <details>
              <summary>Provenance ({provenance.length})</summary>
              <ol className="provenance">
                {provenance.map((p) => (
                  <li key={p.id}>
                    <strong>{p.source}</strong> · {p.created_at}
                    {p.user_id ? ` · ${p.user_id}` : ''}
                    {p.workflow_hash ? ` · workflow ${p.workflow_hash}` : ''}
                    {Object.keys(p.inputs).length > 0 && <pre>{JSON.stringify(p.inputs, null, 2)}</pre>}
                  </li>
                ))}
              </ol>
            </details>
          </div>
        </div>
      )}
    </Modal>
  );
}
