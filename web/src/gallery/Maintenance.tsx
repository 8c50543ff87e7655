/**
 * Upload (files or a whole folder, by button or drag-and-drop anywhere on the page, with progress) and the maintainer's
 * Rebuild and sidecar check/repair, with progress from the event stream and the job route, and the
 * preview queue's progress and failures.
 */
import { useEffect, useRef, useState } from 'react';
import { dropEntries, droppedFiles, pickedFiles, type UploadFile } from './dropped-files';
import {
  api,
  followJob,
  formatBytes,
  importZip,
  upload,
  type EnforceJob,
  type EnforceMode,
  type RebuildJob,
  type RebuildProgress,
} from '../api';
import { undoOffer, type UndoAction } from '../undo';
import { count } from './CountProgress';
import { PreviewStatus } from './PreviewStatus';

interface UploadItem {
  name: string;
  size: number;
  progress: number;
  /** What is under way once the upload is in (an import's unpacking and registering). */
  status?: string;
  error?: string;
  done?: boolean;
}

const summaryLine = (summary: Record<string, unknown>): string =>
  ['processed', 'skipped', 'removed', 'orphaned_sidecars', 'missing_thumbnails']
    .map((k) => `${k.replace('_', ' ')}: ${typeof summary[k] === 'number' ? summary[k] : 0}`)
    .join(', ');

/** A running rebuild's count and words (in the stale phase, the assets whose files are gone it removes). */
const liveStatus = (live: RebuildJob['progress']): { done: number; total: number; text: string } => {
  const gone = { done: live.stale_done ?? 0, total: live.stale_total ?? 0 };
  return live.phase === 'stale' && gone.total
    ? {
        ...gone,
        text: `Removing assets whose files are gone: ${gone.done.toLocaleString()} of ${gone.total.toLocaleString()}`,
      }
    : {
        done: live.files_done,
        total: live.files_total || 1,
        text: `${live.phase}: ${live.files_done}/${live.files_total} files, ${formatBytes(live.bytes_done)} of ${formatBytes(live.bytes_total)}`,
      };
};

/** A rebuild's problems as its summary lists them (the first 20). */
const problemsOf = (summary: Record<string, unknown>): Array<{ path?: unknown; error?: unknown }> =>
  Array.isArray(summary.problems) ? (summary.problems as Array<{ path?: unknown; error?: unknown }>) : [];

/** Each listed problem as `path: error`. */
const problemLines = (summary: Record<string, unknown>): string[] =>
  problemsOf(summary).map(
    (p) => `${typeof p.path === 'string' && p.path ? `${p.path}: ` : ''}${String(p.error)}`,
  );

const firstProblem = (summary: Record<string, unknown>): string => {
  const [first] = problemsOf(summary);
  return typeof first?.error === 'string' ? first.error : 'see the rebuild summary';
};

/** A report shown under the buttons: a sidecar check's, or a rebuild's problems. */
interface Report {
  title: string;
  text: string;
}

/** The report of a rebuild that met problems: each listed, and how many more there were. */
function rebuildReport(summary: Record<string, unknown>): Report | undefined {
  const lines = problemLines(summary);
  if (!lines.length) return undefined;
  const total = typeof summary.problems_total === 'number' ? summary.problems_total : lines.length;
  const more =
    total > lines.length
      ? `\n… and ${total - lines.length} more (\`asset-registry rebuild --verbose\` lists them all)`
      : '';
  return { title: 'Rebuild problems', text: lines.join('\n') + more };
}

/**
 * Problems that leave the registry out of line with the files (a file skipped, a sidecar or a
 * folder not read): files kept missing on request are not among them.
 */
const problemsLeft = (summary: Record<string, unknown>): number =>
  typeof summary.problems_total === 'number' && typeof summary.missing_files === 'number'
    ? summary.problems_total - summary.missing_files
    : 0;

export function Maintenance({
  rebuild,
  tick,
  onMessage,
}: {
  rebuild: RebuildProgress | undefined;
  /** The registry's change counter (the preview queue's status follows it). */
  tick: number;
  onMessage: (text: string, error?: boolean, undo?: UndoAction) => void;
}): React.JSX.Element {
  const [uploads, setUploads] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [jobId, setJobId] = useState<string>();
  const [job, setJob] = useState<RebuildJob>();
  const [report, setReport] = useState<Report>();
  /** The orphaned sidecars the last sidecar report found (offered to be moved to the trash). */
  const [orphans, setOrphans] = useState(0);
  const [checking, setChecking] = useState<EnforceJob['progress']>();
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const zipInput = useRef<HTMLInputElement>(null);

  const send = async (files: UploadFile[]): Promise<void> => {
    if (!files.length) return onMessage('Nothing to upload (hidden files and OS junk are left out).', true);
    const start = uploads.length;
    setUploads((u) => [
      ...u,
      ...files.map(({ file, folder }) => ({
        name: folder ? `${folder}/${file.name}` : file.name,
        size: file.size,
        progress: 0,
      })),
    ]);
    const patch = (i: number, p: Partial<UploadItem>): void =>
      setUploads((u) => u.map((item, j) => (j === start + i ? { ...item, ...p } : item)));
    let ok = 0;
    // One session per drop: its files are one change, which Undo takes back.
    const session = crypto.randomUUID();
    let changeId: number | null = null;
    for (const [i, { file, folder }] of files.entries()) {
      try {
        const uploaded = await upload(file, (progress) => patch(i, { progress }), folder, session);
        changeId = uploaded.change_id ?? changeId;
        patch(i, { progress: 1, done: true });
        ok++;
      } catch (err) {
        patch(i, { error: (err as Error).message });
      }
    }
    onMessage(`Uploaded ${ok} of ${files.length} files.`, ok < files.length, undoOffer(changeId));
  };

  /** A zip of assets (an export, a pack) unpacked and registered, its progress in the uploads list. */
  const importPack = async (file: File): Promise<void> => {
    const at = uploads.length;
    setUploads((u) => [...u, { name: `${file.name} (import)`, size: file.size, progress: 0 }]);
    const patch = (p: Partial<UploadItem>): void =>
      setUploads((u) => u.map((item, j) => (j === at ? { ...item, ...p } : item)));
    try {
      const report = await importZip(
        file,
        (progress) => patch({ progress }),
        ({ phase, files_done: done, files_total: total }) =>
          patch({
            progress: total ? done / total : 0,
            status: `${phase === 'unpacking' ? 'Unpacking' : 'Registering'} ${done.toLocaleString()} of ${total.toLocaleString()} files`,
          }),
      );
      patch({ progress: 1, done: true, status: undefined });
      const there = report.existing.length;
      onMessage(
        `Imported ${report.imported.length} assets from ${file.name}` +
          (there ? `; ${there} already there, left as they were` : '') +
          (report.skipped.length ? `; ${report.skipped.length} hidden or system files left out` : '') +
          '.',
        false,
        undoOffer(report.change_id),
      );
    } catch (err) {
      patch({ error: (err as Error).message });
      onMessage(`Import failed: ${(err as Error).message}`, true);
    }
  };

  // The whole page is a drop target while the gallery is open.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent): boolean => Boolean(e.dataTransfer?.types.includes('Files'));
    const enter = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = (): void => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const over = (e: DragEvent): void => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      if (!e.dataTransfer) return;
      // Folders come as entries to walk; a browser without entries gives plain files.
      const entries = dropEntries(e.dataTransfer);
      const plain = [...e.dataTransfer.files].map((file) => ({ file, folder: '' }));
      (entries ? droppedFiles(entries) : Promise.resolve(plain)).then(
        (files) => void send(files),
        (err: Error) => onMessage(`Could not read what was dropped: ${err.message}`, true),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  });

  // Follow our rebuild job until it ends (events give live progress; the route gives the end state).
  useEffect(() => {
    if (!jobId) return;
    const following = new AbortController();
    followJob<RebuildJob>(jobId, setJob, { everyMs: 1000, signal: following.signal }).then(
      (ended) => {
        const summary = ended.status === 'done' ? ended.summary : undefined;
        if (!summary) return onMessage(`Rebuild failed: ${ended.error ?? 'unknown error'}`, true);
        setReport(rebuildReport(summary));
        // (Nothing removed: the first problem says why and what to check.)
        if (summary.root_empty === true)
          return onMessage(`Rebuild done, nothing removed: ${firstProblem(summary)}`, true);
        const left = problemsLeft(summary);
        onMessage(
          left > 0
            ? `Rebuild done with ${count(left, 'problem')}: ${summaryLine(summary)}; they are listed below.`
            : `Rebuild done: ${summaryLine(summary)}.`,
          left > 0,
          undoOffer(typeof summary.removal_change_id === 'number' ? summary.removal_change_id : null),
        );
      },
      (err: Error) => following.signal.aborted || onMessage(err.message, true),
    );
    return () => following.abort();
  }, [jobId, onMessage]);

  const startRebuild = (): void => {
    setReport(undefined);
    api.rebuild().then(
      (r) => setJobId(r.job_id),
      (err: Error) => onMessage(`Rebuild could not start: ${err.message}`, true),
    );
  };

  const enforce = (mode: EnforceMode): void => {
    if (
      mode === 'rewrite' &&
      !window.confirm(
        'Rewrite from the registry every sidecar that is unreadable or disagrees with it? ' +
          'Edits made by hand in those files are lost.',
      )
    )
      return;
    setReport(undefined);
    setOrphans(0);
    setChecking({ checked: 0, total: 0 });
    api
      .enforce(mode)
      .then(({ job_id }) => followJob<EnforceJob>(job_id, (j) => setChecking(j.progress)))
      .then((ended) => {
        if (ended.status === 'failed') throw new Error(ended.error ?? 'the check failed');
        return ended.summary;
      })
      .then(
        (r) => {
          setReport({ title: 'Sidecar report', text: JSON.stringify(r, null, 2) });
          setOrphans(Array.isArray(r?.orphaned_sidecars) ? r.orphaned_sidecars.length : 0);
          const moved = Array.isArray(r?.removed_orphans) ? r.removed_orphans.length : 0;
          onMessage(
            {
              check: 'Sidecar check done; the report is below.',
              repair: 'Sidecars repaired; the report is below.',
              rewrite: 'Sidecars rewritten from the registry; the report is below.',
              orphans: `${moved} orphaned sidecar${moved === 1 ? '' : 's'} moved to ${typeof r?.orphans_trash === 'string' ? `${r.orphans_trash} (Restore in History's trash puts them back)` : 'nowhere (deleted: the trash is off)'}; the report is below.`,
            }[mode],
          );
        },
        (err: Error) => onMessage(`Sidecar check failed: ${err.message}`, true),
      )
      .finally(() => setChecking(undefined));
  };

  const live =
    rebuild && rebuild.job_id === jobId
      ? rebuild
      : job?.status === 'running'
        ? { ...job.progress, status: 'running' }
        : undefined;
  const running = job?.status === 'running' || live?.status === 'running';
  const rebuildLine = running && live ? liveStatus(live) : undefined;

  return (
    <div className="maintenance">
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to upload"
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])].map((file) => ({ file, folder: '' }));
          e.currentTarget.value = '';
          if (files.length) void send(files);
        }}
      />
      <input
        ref={folderInput}
        type="file"
        hidden
        aria-label="Folder to upload"
        // A whole folder, its structure kept (not in React's typings: set as an attribute).
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          const files = pickedFiles(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          void send(files);
        }}
      />
      <button type="button" onClick={() => input.current?.click()}>
        Upload…
      </button>
      <button type="button" onClick={() => folderInput.current?.click()}>
        Upload folder…
      </button>
      <input
        ref={zipInput}
        type="file"
        hidden
        accept=".zip,application/zip"
        aria-label="Zip of assets to import"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void importPack(file);
        }}
      />
      <button
        type="button"
        onClick={() => zipInput.current?.click()}
        title="Unpack a zip of assets (a Download .zip from another project, a pack) with its sidecars and register it"
      >
        Import .zip…
      </button>
      <button type="button" onClick={startRebuild} disabled={running}>
        {running ? 'Rebuilding…' : 'Rebuild'}
      </button>
      <button type="button" onClick={() => enforce('check')} disabled={checking !== undefined}>
        Check sidecars
      </button>
      <button type="button" onClick={() => enforce('repair')} disabled={checking !== undefined}>
        Repair sidecars
      </button>
      <button
        type="button"
        onClick={() => enforce('rewrite')}
        disabled={checking !== undefined}
        title="Also rewrite unreadable or disagreeing sidecars from the registry (asks first)"
      >
        Rewrite sidecars…
      </button>
      {rebuildLine && (
        <div className="job" role="status" aria-live="polite">
          <progress max={rebuildLine.total} value={rebuildLine.done} aria-label="Rebuild progress" />{' '}
          {rebuildLine.text}
        </div>
      )}
      <PreviewStatus tick={tick} onMessage={onMessage} />
      {checking && (
        <div className="job" role="status" aria-live="polite">
          <progress max={checking.total || 1} value={checking.checked} aria-label="Sidecar check progress" />{' '}
          Checking sidecars: {checking.checked.toLocaleString()} of {checking.total.toLocaleString()} assets
        </div>
      )}
      {uploads.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {uploads.map((u, i) => (
            <li key={i} className={u.error ? 'error' : undefined}>
              <span>
                {u.name} ({formatBytes(u.size)})
              </span>
              {u.error ? (
                <span>{u.error}</span>
              ) : (
                <>
                  <progress
                    max={1}
                    value={u.progress}
                    aria-label={u.status ? `${u.status}: ${u.name}` : `Upload of ${u.name}`}
                  />
                  {u.status && <span className="muted">{u.status}</span>}
                </>
              )}
            </li>
          ))}
          <li>
            <button type="button" onClick={() => setUploads((u) => u.filter((x) => !x.done && !x.error))}>
              Clear finished
            </button>
          </li>
        </ul>
      )}
      {report && (
        <details className="report" open>
          <summary>{report.title}</summary>
          {orphans > 0 && (
            <button
              type="button"
              onClick={() => enforce('orphans')}
              disabled={checking !== undefined}
              title="Sidecars beside no file (and named by no asset): the trash keeps them, and History's trash puts them back"
            >
              Move {orphans} orphaned sidecar{orphans === 1 ? '' : 's'} to the trash
            </button>
          )}
          <pre>{report.text}</pre>
        </details>
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop files to upload them into the registry
        </div>
      )}
    </div>
  );
}
