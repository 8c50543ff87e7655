/**
 * The preview queue beside the maintainer's tools: while previews are being made (after a rebuild,
 * an upload), how many of how many and the time left; the pictures of an older registry still being
 * read; the previews that failed, each a link to its asset, with Retry; and the 3D models that lack
 * files they name, each a link with what it lacks.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type PreviewQueue } from '../api';
import { hrefFor } from '../route';
import { count } from './CountProgress';
import { nextWave, timeLeft, waveProgress, type SeenWave } from './preview-wave';

/** Registry events reload the queue at most this often (a rebuild sends thousands). */
const EVENTS_EVERY_MS = 1000;
/** While work is under way the queue is read this often, events or not. */
const BUSY_EVERY_MS = 2000;

export function PreviewStatus({
  tick,
  onMessage,
}: {
  /** The registry's change counter: the queue is read again when it moves. */
  tick: number;
  onMessage: (text: string, error?: boolean) => void;
}): React.JSX.Element | null {
  const [queue, setQueue] = useState<PreviewQueue>();
  const [now, setNow] = useState(() => Date.now());
  const [reload, setReload] = useState(0);
  const [retrying, setRetrying] = useState(false);
  const wave = useRef<SeenWave | undefined>(undefined);
  const loadedAt = useRef(0);
  // Answers are taken in the order asked: a slow one never replaces a newer one.
  const asked = useRef(0);
  const taken = useRef(0);

  useEffect(() => {
    let mounted = true;
    const timer = window.setTimeout(
      () => {
        loadedAt.current = Date.now();
        const mine = ++asked.current;
        api.previews().then(
          (next) => {
            if (!mounted || mine < taken.current) return;
            taken.current = mine;
            const at = Date.now();
            wave.current = nextWave(wave.current, next.counts, at);
            setNow(at);
            setQueue(next);
          },
          () => undefined, // (the next change or poll asks again; the header shows a lost server)
        );
      },
      Math.max(0, loadedAt.current + EVENTS_EVERY_MS - Date.now()),
    );
    return () => {
      mounted = false;
      window.clearTimeout(timer);
    };
  }, [tick, reload]);

  const busy = queue !== undefined && (wave.current !== undefined || queue.pictures_to_read > 0);
  useEffect(() => {
    if (!busy) return;
    const timer = window.setTimeout(() => setReload((n) => n + 1), BUSY_EVERY_MS);
    return () => window.clearTimeout(timer);
  }, [busy, queue]);

  if (!queue) return null;
  const progress = wave.current && waveProgress(wave.current, queue.counts, queue.wave, now);
  const failed = queue.counts.failed;

  const retry = (): void => {
    setRetrying(true);
    api
      .retryFailedPreviews()
      .then(
        ({ queued }) => {
          onMessage(`Queued ${count(queued, 'preview')} again.`);
          setReload((n) => n + 1);
        },
        (err: Error) => onMessage(`Retry failed: ${err.message}`, true),
      )
      .finally(() => setRetrying(false));
  };

  return (
    <>
      {progress && (
        <div className="job" role="status" aria-live="polite" data-testid="preview-progress">
          <progress max={progress.total || 1} value={progress.finished} aria-label="Preview progress" />{' '}
          Making previews: {progress.finished.toLocaleString()} of {progress.total.toLocaleString()}
          {progress.secondsLeft !== undefined && `, ${timeLeft(progress.secondsLeft)}`}
        </div>
      )}
      {queue.pictures_to_read > 0 && (
        <div className="job" role="status" data-testid="pictures-to-read">
          Reading the colours and look of {count(queue.pictures_to_read, 'picture')} previewed by an earlier
          version…
        </div>
      )}
      {failed > 0 && (
        <details className="report preview-failures" data-testid="preview-failures">
          <summary>{count(failed, 'preview')} failed</summary>
          <ul>
            {queue.failed.map((f) => (
              <li key={`${f.project_id}/${f.uid}`}>
                {f.path === null ? (
                  <span>{f.uid} (removed)</span>
                ) : f.project_id === queue.project_id ? (
                  <a href={hrefFor({ view: 'asset', id: f.uid })}>{f.path}</a>
                ) : (
                  <span>
                    {f.path} (project {f.project_id})
                  </span>
                )}
                : {f.error ?? 'no reason given'}
              </li>
            ))}
          </ul>
          {failed > queue.failed.length && (
            <p className="muted">The latest {queue.failed.length} are listed.</p>
          )}
          <button
            type="button"
            onClick={retry}
            disabled={retrying}
            title="Make these previews again (after fixing the files, or when the server was busy)"
          >
            Retry failed
          </button>
        </details>
      )}
      {queue.missing_files.total > 0 && (
        <details className="report preview-failures" data-testid="models-missing-files">
          <summary>{count(queue.missing_files.total, 'model')} missing files they name</summary>
          <ul>
            {queue.missing_files.items.map((m) => (
              <li key={m.uid}>
                <a href={hrefFor({ view: 'asset', id: m.uid })}>{m.path}</a>: {m.missing.join(', ')}
              </li>
            ))}
          </ul>
          {queue.missing_files.total > queue.missing_files.items.length && (
            <p className="muted">The first {queue.missing_files.items.length} are listed.</p>
          )}
          <p className="muted">
            Put each file back beside its model and rebuild (the live folder finds it as it lands), or move
            the model to its files.
          </p>
        </details>
      )}
    </>
  );
}
