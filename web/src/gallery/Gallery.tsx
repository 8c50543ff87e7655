/**
 * The Asset Gallery dock: filters and sort, the virtual grid with multi-select, the bulk editor,
 * Copy Debug JSON, upload and maintenance, and the status line. It reloads on registry events
 * (from any process) while keeping the scroll position and the selection.
 */
import { lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, DEFAULT_QUERY, formatBytes, type AssetQuery, type Facets, type RebuildProgress } from '../api';
import { count } from './CountProgress';
import { navigate, parseRoute, rememberGalleryHref } from '../route';
import { AssetGrid, type GridKeyAction } from './AssetGrid';
import { TileSizeChoice, useTileSize } from './tile-size';
import { KeyboardHelp } from './KeyboardHelp';
import { playableFile, toggleAudition } from './audition';
import { copyText } from './clipboard';
import { Filters, galleryShortcut } from './Filters';
import { FolderSelect, useSubfolders } from './FolderSelect';
import { SimilarHint } from './SimilarHint';
import { galleryHref, queryFromHref } from './query-url';
import { usePagedAssets } from './usePagedAssets';
import { useNotices } from '../notice';
import type { UndoAction } from '../undo';
import { StatusMessage, type StatusLine } from './StatusMessage';
import { LazyPart } from '../StudioErrorBoundary';

// Loaded next to the first page rather than ahead of it: the tiles are what the first screen is for.
const BulkEditor = lazy(() => import('./BulkEditor').then((m) => ({ default: m.BulkEditor })));
const RemoveSelected = lazy(() => import('./RemoveSelected').then((m) => ({ default: m.RemoveSelected })));
const MoveSelected = lazy(() => import('./MoveSelected').then((m) => ({ default: m.MoveSelected })));
const Maintenance = lazy(() => import('./Maintenance').then((m) => ({ default: m.Maintenance })));
const History = lazy(() => import('./History').then((m) => ({ default: m.History })));

/**
 * Focuses an element once it is there: the Bulk Tag Editor is loaded next to the first page and
 * drawn once something is selected, so T pressed right after a first selection can come before it.
 */
function focusWhenThere(id: string, until = performance.now() + 5000): void {
  const element = document.getElementById(id);
  if (element) element.focus();
  else if (performance.now() < until) requestAnimationFrame(() => focusWhenThere(id, until));
}

export interface RegistryChanges {
  tick: number;
  removed: string[];
}

const SEARCH_DEBOUNCE_MS = 200;
const FACETS_EVERY_MS = 2000;

/** Has the browser download `href` as a file named `name` (as a link with `download` would). */
function saveLink(href: string, name: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

export function Gallery({
  changes,
  rebuild,
}: {
  changes: RegistryChanges;
  rebuild: RebuildProgress | undefined;
}): React.JSX.Element {
  const [query, setQuery] = useState<AssetQuery>(() => queryFromHref(window.location.hash));
  const [search, setSearch] = useState(query.q);
  const [facets, setFacets] = useState<Facets | undefined>(api.facetsNow);
  const [selected, setSelected] = useState<string[]>([]);
  const [tileSize, setTileSize] = useTileSize();
  const [anchor, setAnchor] = useState(-1);
  const [focus, setFocus] = useState(-1);
  const [message, setMessage] = useState<StatusLine>();
  const [historyOpen, setHistoryOpen] = useState(false);
  const [debugJson, setDebugJson] = useState<string>();
  const paged = usePagedAssets(query, changes.tick);
  const subfolders = useSubfolders(query.folder, changes.tick);
  const total = paged.total ?? 0;
  const selectedSet = useMemo(() => new Set(selected), [selected]);

  // Debounced search: one request when typing pauses.
  useEffect(() => {
    const timer = window.setTimeout(
      () => setQuery((q) => (q.q === search ? q : { ...q, q: search })),
      SEARCH_DEBOUNCE_MS,
    );
    return () => window.clearTimeout(timer);
  }, [search]);

  // The URL follows the filters (replaced, not pushed: Back leaves the gallery rather than
  // stepping through every filter tried), and the filters follow a URL changed by hand or by Back.
  useEffect(() => {
    const href = galleryHref(query);
    rememberGalleryHref(href);
    const here = window.location.hash || '#/';
    if (parseRoute(here).view === 'gallery' && here !== href) window.history.replaceState(null, '', href);
  }, [query]);
  useEffect(() => {
    const onHashChange = (): void => {
      if (parseRoute(window.location.hash).view !== 'gallery') return;
      const next = queryFromHref(window.location.hash);
      if (galleryHref(next) === galleryHref(queryRef.current)) return;
      setQuery(next);
      setSearch(next.q);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  // Filter counts follow changes, at most every 2 s (a rebuild sends thousands of events).
  // Prefetched counts (taken above) count as a load just made.
  const facetsAt = useRef(facets ? Date.now() : 0);
  const firstFacets = useRef(facets !== undefined);
  useEffect(() => {
    if (firstFacets.current) {
      firstFacets.current = false;
      return;
    }
    const load = (): void => {
      facetsAt.current = Date.now();
      api
        .facets()
        .then(setFacets, (err: Error) =>
          setMessage({ text: `Failed to load assets: ${err.message}`, error: true }),
        );
    };
    const wait = facetsAt.current + FACETS_EVERY_MS - Date.now();
    if (wait <= 0) return load();
    const timer = window.setTimeout(load, wait);
    return () => window.clearTimeout(timer);
  }, [changes.tick]);

  // Assets removed elsewhere leave the selection.
  useEffect(() => {
    if (!changes.removed.length) return;
    const gone = new Set(changes.removed);
    setSelected((s) => (s.some((id) => gone.has(id)) ? s.filter((id) => !gone.has(id)) : s));
  }, [changes]);

  const onQuery = useCallback((patch: Partial<AssetQuery>) => {
    setQuery((q) => ({ ...q, ...patch }));
    setFocus(-1);
    setAnchor(-1);
  }, []);

  const say = useCallback(
    (text: string, error?: boolean, undo?: UndoAction) =>
      setMessage({ text, ...(error ? { error } : {}), ...(undo ? { undo } : {}) }),
    [],
  );
  useNotices(say);

  // H opens the History, as ? opens the list of keys; T goes to the Bulk Tag Editor's Add tags
  // (select with the keyboard, T, type with suggestions, Enter).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.key !== 'h' && e.key !== 't') || e.ctrlKey || e.metaKey || e.altKey || !galleryShortcut(e))
        return;
      e.preventDefault();
      if (e.key === 'h') setHistoryOpen(true);
      else focusWhenThere('bulk-add');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  /** Uids for index range [a, b] of the current result: from loaded pages, else from the ids route. */
  const queryRef = useRef(query);
  queryRef.current = query;
  const uidsBetween = useCallback(
    async (a: number, b: number): Promise<string[]> => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const out: string[] = [];
      for (let i = from; i <= to; i++) {
        const asset = paged.at(i);
        if (!asset) {
          const { ids } = await api.ids(queryRef.current);
          return ids.slice(from, to + 1);
        }
        out.push(asset.uid);
      }
      return out;
    },
    [paged],
  );

  const selectAll = useCallback(() => {
    api.ids(queryRef.current).then(
      ({ ids, truncated }) => {
        setSelected(ids);
        if (truncated) say(`Selected the first ${ids.length} assets of this filter.`);
      },
      (err: Error) => say(err.message, true),
    );
  }, [say]);

  const pointer = useRef({ anchor, selected });
  pointer.current = { anchor, selected };
  const onPointer = useCallback(
    (index: number, e: React.MouseEvent) => {
      const asset = paged.at(index);
      if (!asset) return;
      setFocus(index);
      const { anchor: from, selected: current } = pointer.current;
      if (e.shiftKey && from >= 0) {
        void uidsBetween(from, index).then((range) => {
          const keep = e.ctrlKey || e.metaKey ? current.filter((id) => !range.includes(id)) : [];
          setSelected([...keep, ...range]);
        });
        return;
      }
      setAnchor(index);
      if (e.ctrlKey || e.metaKey) {
        setSelected(
          current.includes(asset.uid) ? current.filter((id) => id !== asset.uid) : [...current, asset.uid],
        );
      } else {
        setSelected([asset.uid]);
      }
    },
    [paged, uidsBetween],
  );

  const open = useCallback(
    (index: number) => {
      const asset = paged.at(index);
      if (asset) navigate({ view: 'asset', id: asset.uid });
    },
    [paged],
  );

  const onKey = useCallback(
    (action: GridKeyAction) => {
      const { anchor: from, selected: current } = pointer.current;
      const at = Math.max(0, focus);
      switch (action.kind) {
        case 'move': {
          const to = action.to ?? at;
          setFocus(to);
          if (action.extend) {
            const start = from >= 0 ? from : at;
            setAnchor(start);
            void uidsBetween(start, to).then(setSelected);
          } else {
            setAnchor(to);
          }
          break;
        }
        case 'toggle': {
          const asset = paged.at(at);
          if (!asset) break;
          setFocus(at);
          setAnchor(at);
          setSelected(
            current.includes(asset.uid) ? current.filter((id) => id !== asset.uid) : [...current, asset.uid],
          );
          break;
        }
        case 'open':
          open(at);
          break;
        case 'all':
          selectAll();
          break;
        case 'clear':
          setSelected([]);
          break;
        case 'play': {
          const asset = paged.at(at);
          const file = asset && playableFile(asset);
          if (asset && file) toggleAudition(asset.uid, file);
          break;
        }
      }
    },
    [focus, paged, uidsBetween, open, selectAll],
  );

  /**
   * The selection as one zip: the server prepares a link and the browser downloads it as any file
   * (to disk, with its own progress), so a selection of gigabytes never sits in the page.
   */
  const downloadZip = (): void => {
    if (!selected.length) return say('Select assets to download.', true);
    say(`Preparing a zip of ${count(selected.length, 'asset')}…`);
    api.exportZip(selected).then(
      (zip) => {
        saveLink(zip.url, zip.name);
        const left = zip.missing.length + zip.unknown.length;
        say(
          `Downloading ${zip.name}: ${count(zip.files, 'file')} (${formatBytes(zip.bytes)}) with their sidecars.` +
            (left ? ` ${count(left, 'asset')} left out: not on disk any more (run Rebuild).` : ''),
        );
      },
      (err: Error) => say(`Download failed: ${err.message}`, true),
    );
  };

  /** The credits sheet of what the filters show (not only the selection): licence, path, title, origin. */
  const downloadCredits = (): void => {
    api.creditsCsv(query).then(
      (sheet) => {
        const name = `credits-${new Date().toISOString().slice(0, 10)}.csv`;
        const href = URL.createObjectURL(sheet);
        saveLink(href, name);
        window.setTimeout(() => URL.revokeObjectURL(href), 60_000);
        say(`Downloading the credits of ${count(total, 'asset')}, by licence, as ${name}.`);
      },
      (err: Error) => say(`Credits failed: ${err.message}`, true),
    );
  };

  const copyDebugJson = (): void => {
    if (!selected.length) return say('Select assets to copy debug JSON.', true);
    const chunks: string[][] = [];
    for (let i = 0; i < selected.length; i += 5000) chunks.push(selected.slice(i, i + 5000));
    Promise.all(chunks.map((ids) => api.lookup(ids)))
      .then(async (results) => {
        const items = results.flatMap((r) => r.items);
        if (!items.length) return say('No asset data available for debug copy.', true);
        const text = JSON.stringify(items, null, 2);
        try {
          await copyText(text);
          say(`Copied debug JSON for ${items.length} assets to clipboard.`);
        } catch {
          // No clipboard at all: show the JSON so it can be copied by hand.
          setDebugJson(text);
          say(
            `The clipboard is unavailable; the debug JSON for ${items.length} assets is shown below to copy.`,
          );
        }
      })
      .catch((err: Error) => say(`Copy failed: ${err.message}`, true));
  };

  const version = `${selected.length}:${changes.tick}:${focus}`;
  const isSelected = useCallback((uid: string) => selectedSet.has(uid), [selectedSet]);

  return (
    <section className="gallery" aria-labelledby="gallery-title">
      <div className="gallery-head">
        <h2 id="gallery-title">Asset Gallery</h2>
        <LazyPart>
          <Maintenance rebuild={rebuild} tick={changes.tick} onMessage={say} />
        </LazyPart>
        <button
          type="button"
          onClick={() => setHistoryOpen(true)}
          title="The edits made (tags, licenses, renames, moves, removals, single edits), each with its Undo (H)"
        >
          History
        </button>
        {historyOpen && (
          <LazyPart>
            <History tick={changes.tick} onClose={() => setHistoryOpen(false)} />
          </LazyPart>
        )}
      </div>
      <Filters search={search} onSearch={setSearch} query={query} onQuery={onQuery} facets={facets} />
      {query.duplicates === 'extra' && (
        <p className="hint" data-testid="copies-hint">
          Each of these holds the same bytes as an asset registered before it, which is not listed. To keep
          one of each: <strong>Select all</strong>, then <strong>Remove from registry</strong> with{' '}
          <em>Also delete the files from disk</em> ticked (kept on disk, a rebuild registers them again).
        </p>
      )}
      {query.duplicates === 'similar' && (
        <p className="hint" data-testid="lookalikes-hint">
          Pictures that look nearly the same as another here (resized, re-encoded or retouched copies), the
          same bytes included. Open one to see its look-alikes side by side, and{' '}
          <strong>Show them in the gallery</strong> to keep one of each.
        </p>
      )}
      {query.similarTo && <SimilarHint id={query.similarTo} onClear={() => onQuery({ similarTo: '' })} />}
      <div className="gallery-body">
        <div className="grid-area">
          <div className="selection-bar">
            <button type="button" onClick={selectAll} disabled={!total}>
              Select all
            </button>
            <button type="button" onClick={() => setSelected([])} disabled={!selected.length}>
              Clear selection
            </button>
            <button type="button" onClick={copyDebugJson}>
              Copy Debug JSON
            </button>
            <button
              type="button"
              onClick={downloadZip}
              disabled={!selected.length}
              title="Download the selected files, with their sidecars, as one zip (folders kept)"
            >
              Download .zip
            </button>
            <button
              type="button"
              onClick={downloadCredits}
              disabled={!total}
              title="A sheet of the assets the filters show, by licence (licence, path, title, origin), for your credits or a licence check"
            >
              Credits .csv
            </button>
            <button
              type="button"
              onClick={() => selected[0] && navigate({ view: 'asset', id: selected[0] })}
              disabled={selected.length !== 1}
            >
              Details
            </button>
            <FolderSelect
              folder={query.folder}
              below={subfolders}
              onChange={(folder) => onQuery({ folder })}
            />
            <TileSizeChoice size={tileSize} onChange={setTileSize} />
            <KeyboardHelp />
          </div>
          {paged.error && (
            <p className="error" role="alert">
              Failed to load assets: {paged.error}
            </p>
          )}
          {paged.total === 0 ? (
            <div className="empty-state" data-testid="gallery-empty">
              {facets?.total ? (
                <>
                  <h3>No assets match these filters</h3>
                  <button type="button" onClick={() => (setSearch(''), setQuery(DEFAULT_QUERY))}>
                    Clear filters
                  </button>
                </>
              ) : (
                <>
                  <h3>No assets yet</h3>
                  <p>
                    Drop files here, use <strong>Upload</strong>, run{' '}
                    <code>asset-registry register &lt;file&gt;</code>, or <strong>Rebuild</strong> to index
                    the files already in the assets folder.
                  </p>
                </>
              )}
            </div>
          ) : (
            <AssetGrid
              total={total}
              at={paged.at}
              show={paged.show}
              isSelected={isSelected}
              focus={focus}
              onPointer={onPointer}
              onKey={onKey}
              onOpen={open}
              version={version}
              size={tileSize}
            />
          )}
        </div>
        <aside className="side">
          <LazyPart>
            <BulkEditor selected={selected} facets={facets} onMessage={say} />
            <MoveSelected
              selected={selected}
              folders={query.folder ? [query.folder, ...subfolders.folders] : subfolders.folders}
              onMessage={say}
            />
            <RemoveSelected
              selected={selected}
              onMessage={say}
              onRemoved={(gone) => {
                const removed = new Set(gone);
                setSelected((current) => current.filter((id) => !removed.has(id)));
              }}
            />
          </LazyPart>
        </aside>
      </div>
      <footer className="status-bar">
        <span data-testid="status-line" role="status">
          {paged.total === undefined
            ? 'Loading assets…'
            : `Showing ${total} of ${facets?.total ?? total} assets. Selected ${selected.length}.`}
        </span>
        {message && <StatusMessage message={message} onMessage={setMessage} />}
      </footer>
      {debugJson !== undefined && (
        <div className="debug-json">
          <label htmlFor="debug-json-text">Debug JSON</label>
          <textarea
            id="debug-json-text"
            readOnly
            value={debugJson}
            rows={10}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => setDebugJson(undefined)}>
            Close
          </button>
        </div>
      )}
    </section>
  );
}
