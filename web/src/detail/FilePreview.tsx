/**
 * The detail view's large preview, by what the file is: a picture's thumbnail, a sound's player
 * over its waveform, a video's player, a font's sample text, or the first lines of a text file
 * (data, scripts, notes); anything else its type icon.
 */
import { useEffect, useRef, useState } from 'react';
import { api, formatBytes, type Asset } from '../api';
import {
  formatDuration,
  isAudioPath,
  isFontPath,
  isModelPath,
  isVideoPath,
} from '../../../src/domain/media-facts.js';
import { stopAudition } from '../gallery/audition';
import { frameOf, requestPoster } from '../gallery/poster';
import type { ModelStage } from '../gallery/model-view';
import { assetName, Preview } from '../gallery/Tile';
import { useWaveform, WaveformPicture } from '../gallery/WaveformPicture';
import { decodeTextHead, laidOutJson, type TextHead } from './text-head.js';
import { isJsonObject } from '../../../src/domain/json.js';

/** How much of a text file the detail view reads (a Range request): enough for any config. */
export const TEXT_HEAD_BYTES = 64 * 1024;

export const isAudioAsset = (asset: Asset): boolean =>
  Boolean(asset.urls.waveform) || isAudioPath(asset.path);

function AudioPlayer({ asset }: { asset: Asset }): React.JSX.Element {
  const waveform = useWaveform(asset.urls.waveform);
  const audio = useRef<HTMLAudioElement>(null);
  const [progress, setProgress] = useState(0);
  const seek = (e: React.MouseEvent<HTMLDivElement>): void => {
    const el = audio.current;
    if (!el || !Number.isFinite(el.duration)) return;
    const box = e.currentTarget.getBoundingClientRect();
    el.currentTime = ((e.clientX - box.left) / box.width) * el.duration;
  };
  return (
    <div className="player">
      {waveform ? (
        <div className="seek" onClick={seek} data-testid="detail-waveform">
          <WaveformPicture
            waveform={waveform}
            bars={240}
            progress={progress}
            label={`Waveform of ${assetName(asset)}`}
          />
        </div>
      ) : (
        <p className="muted">
          {asset.preview_status === 'failed'
            ? `No waveform: ${asset.preview_error ?? 'decoding failed'}`
            : 'Waveform pending…'}
        </p>
      )}
      <audio
        ref={audio}
        controls
        preload="metadata"
        src={asset.urls.file}
        // One sound at a time: a tile's stops when this one starts.
        onPlay={stopAudition}
        onTimeUpdate={(e) => setProgress(e.currentTarget.currentTime / (e.currentTarget.duration || 1))}
      />
    </div>
  );
}

/**
 * The browser's own player; its size and length once it has read them; and the frame shown kept
 * as the video's poster (its thumbnail in the gallery).
 */
function VideoPlayer({ asset }: { asset: Asset }): React.JSX.Element {
  const [facts, setFacts] = useState<string>();
  const [failed, setFailed] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const readFacts = (el: HTMLVideoElement): void => {
    const size = el.videoWidth ? `${el.videoWidth} × ${el.videoHeight} px` : '';
    // A recording's length may be unknown until it has played through (Infinity).
    const length = Number.isFinite(el.duration) ? formatDuration(el.duration) : '';
    setFacts([size, length].filter(Boolean).join(' · ') || undefined);
  };
  return (
    <div className="player">
      <video
        ref={video}
        controls
        preload="metadata"
        src={asset.urls.file}
        // Its poster frame (the gallery's thumbnail) until it plays.
        poster={asset.urls.thumbnails?.['512'] ?? asset.urls.thumbnail ?? undefined}
        aria-label={`Video ${assetName(asset)}`}
        onPlay={stopAudition}
        onLoadedMetadata={(e) => readFacts(e.currentTarget)}
        onDurationChange={(e) => readFacts(e.currentTarget)}
        onError={() => setFailed(true)}
      />
      {failed ? (
        <p className="muted" role="status">
          This browser cannot play this video (its format or codec): download it to open it in a player.
        </p>
      ) : (
        <>
          {facts && (
            <p className="muted" data-testid="video-facts">
              {facts}
            </p>
          )}
          {asset.preview_status === 'done' && (
            <p className="poster-line">
              <KeepAsPoster
                asset={asset}
                label="Use this frame as the poster"
                what="poster"
                take={() => {
                  if (!video.current) throw new Error('the video is gone');
                  return frameOf(video.current);
                }}
                said={(updated) => {
                  const at = (updated.preview as { poster?: { at?: number } } | undefined)?.poster?.at ?? 0;
                  return `This frame (${formatDuration(at)}) is the poster now.`;
                }}
              />
            </p>
          )}
        </>
      )}
    </div>
  );
}

/**
 * An animation plays, looping, with a button to hold it still on its first frame; it starts still
 * when the system asks for less motion.
 */
function AnimationPlayer({ asset }: { asset: Asset }): React.JSX.Element {
  const [playing, setPlaying] = useState(() => !matchMedia('(prefers-reduced-motion: reduce)').matches);
  const { frames, animation } = asset.preview ?? {};
  const played = isJsonObject(animation) ? animation.frames : undefined;
  return (
    <div className="player animation">
      <Preview asset={asset} size={512} box={400} playing={playing} />
      <p className="poster-line">
        <button type="button" aria-pressed={!playing} onClick={() => setPlaying(!playing)}>
          {playing ? 'Pause' : 'Play'}
        </button>{' '}
        {typeof frames === 'number' && typeof played === 'number' && played < frames && (
          <span className="muted">
            Plays its first {played} of {frames} frames (download the file for all of them).
          </span>
        )}
      </p>
    </div>
  );
}

/** A button keeping what a viewer shows (a video's frame, a view of a model) as the asset's thumbnail, and what came of it. */
function KeepAsPoster({
  asset,
  label,
  what,
  take,
  said,
}: {
  asset: Asset;
  label: string;
  what: 'poster' | 'thumbnail';
  take: () => Promise<{ frame: Blob; at: number }>;
  said: (updated: Asset) => string;
}): React.JSX.Element {
  const [poster, setPoster] = useState<{ busy?: boolean; text?: string; error?: boolean }>({});
  const keep = (): void => {
    setPoster({ busy: true });
    Promise.resolve()
      .then(take)
      .then(({ frame, at }) => api.setPoster(asset.uid, frame, at, asset.hash))
      .then(
        (updated) => setPoster({ text: said(updated) }),
        (err: Error) => setPoster({ text: `The ${what} was not set: ${err.message}`, error: true }),
      );
  };
  return (
    <>
      <button type="button" disabled={poster.busy} onClick={keep}>
        {label}
      </button>{' '}
      {poster.text && (
        <span role="status" className={poster.error ? 'error' : 'muted'}>
          {poster.text}
        </span>
      )}
    </>
  );
}

/**
 * A 3D model drawn in the browser (WebGL), turned by dragging, zoomed with the wheel, its
 * animations played; **Use this view as the thumbnail** keeps the view as its picture. A model
 * without a picture yet gets one from its default view.
 */
function ModelViewer({ asset }: { asset: Asset }): React.JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const stage = useRef<ModelStage | undefined>(undefined);
  const [shown, setShown] = useState<{
    state: 'loading' | 'ready' | 'failed';
    error?: string;
    clips?: string[];
  }>({ state: 'loading' });
  const named = asset.preview?.missing;
  const missing = Array.isArray(named) ? named.filter((uri): uri is string => typeof uri === 'string') : [];
  useEffect(() => {
    if (!asset.urls.thumbnail && asset.preview_status === 'done') requestPoster(asset.uid);
    const abort = new AbortController();
    import('../gallery/model-view')
      .then(async ({ loadModel, ModelStage }) => {
        const model = await loadModel(asset, abort.signal);
        if (abort.signal.aborted || !canvas.current) return;
        stage.current = new ModelStage(canvas.current, model);
        setShown({ state: 'ready', clips: stage.current.clips });
      })
      .catch((err: Error) => {
        if (!abort.signal.aborted) setShown({ state: 'failed', error: err.message });
      });
    return () => {
      abort.abort();
      stage.current?.dispose();
      stage.current = undefined;
    };
    // (Once: the viewer is keyed by the asset's id and bytes, so a new model is a new viewer.)
  }, []);
  return (
    <div className="player model">
      <canvas ref={canvas} className="model-stage" aria-label={`3D view of ${assetName(asset)}`} />
      {shown.state === 'loading' && <p className="muted">Loading the model…</p>}
      {shown.state === 'failed' && (
        <p className="error" role="status">
          This model could not be shown: {shown.error}
        </p>
      )}
      {missing.length > 0 && (
        <p className="error" data-testid="model-missing">
          Not found beside it: {missing.join(', ')}. It is shown without{' '}
          {missing.length === 1 ? 'it' : 'them'}.
        </p>
      )}
      {shown.state === 'ready' && (
        <p className="poster-line">
          {shown.clips && shown.clips.length > 0 && (
            <label>
              Animation{' '}
              <select defaultValue="0" onChange={(e) => stage.current?.play(Number(e.target.value))}>
                <option value="-1">None (at rest)</option>
                {shown.clips.map((name, i) => (
                  <option key={i} value={i}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          )}{' '}
          <KeepAsPoster
            asset={asset}
            label="Use this view as the thumbnail"
            what="thumbnail"
            take={async () => {
              if (!stage.current) throw new Error('the model is not shown');
              return { frame: await stage.current.picture(), at: 0 };
            }}
            said={() => 'This view is the thumbnail now.'}
          />
        </p>
      )}
    </div>
  );
}

const FONT_SAMPLE = 'The quick brown fox jumps over the lazy dog';
const FONT_SIZES = [40, 24, 16, 12] as const;

/** The font loaded into the page under a name of its own, and a sample text one can change. */
function FontSample({ asset }: { asset: Asset }): React.JSX.Element {
  const [family, setFamily] = useState<string>();
  const [error, setError] = useState<string>();
  const [sample, setSample] = useState(FONT_SAMPLE);
  useEffect(() => {
    setFamily(undefined);
    setError(undefined);
    // Named after its bytes: a file edited in place is loaded afresh.
    const face = new FontFace(
      `asset-font-${asset.hash.slice(0, 16)}`,
      `url(${JSON.stringify(asset.urls.file)})`,
    );
    let live = true;
    face.load().then(
      (loaded) => {
        document.fonts.add(loaded);
        if (live) setFamily(loaded.family);
      },
      (err: Error) => live && setError(`The browser could not load this font: ${err.message}`),
    );
    return () => {
      live = false;
      document.fonts.delete(face);
    };
  }, [asset.hash, asset.urls.file]);
  if (error)
    return (
      <p className="muted" role="status">
        {error}
      </p>
    );
  if (!family) return <p className="muted">Loading the font…</p>;
  return (
    <div className="font-sample" data-testid="font-sample">
      <input
        type="text"
        value={sample}
        aria-label="Sample text"
        placeholder="Type a sample text"
        onChange={(e) => setSample(e.target.value)}
      />
      {FONT_SIZES.map((px) => (
        <p key={px} style={{ fontFamily: `"${family}"`, fontSize: px }} title={`${px} px`}>
          {sample || FONT_SAMPLE}
        </p>
      ))}
      <p style={{ fontFamily: `"${family}"`, fontSize: 20 }}>
        ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 .,;:!?()
      </p>
    </div>
  );
}

type TextState =
  | { state: 'loading' }
  | { state: 'text'; head: TextHead; complete: boolean; laidOut: boolean }
  | { state: 'binary' }
  | { state: 'failed'; message: string };

/**
 * The first 64 KB read as text, in whatever encoding they are; a binary file gets its type icon.
 * A one-line JSON file is laid out.
 */
function TextPreview({ asset }: { asset: Asset }): React.JSX.Element {
  const [shown, setShown] = useState<TextState>({ state: 'loading' });
  useEffect(() => {
    if (asset.bytes === 0) {
      setShown({ state: 'text', head: { text: '', encoding: 'UTF-8' }, complete: true, laidOut: false });
      return undefined;
    }
    setShown({ state: 'loading' });
    const abort = new AbortController();
    api.fileHead(asset.urls.file, TEXT_HEAD_BYTES, abort.signal).then(
      (bytes) => {
        const complete = bytes.length >= asset.bytes;
        const head = decodeTextHead(bytes, complete);
        if (!head) return setShown({ state: 'binary' });
        const json =
          complete && asset.path.toLowerCase().endsWith('.json') ? laidOutJson(head.text) : undefined;
        setShown({
          state: 'text',
          head: json ? { ...head, text: json } : head,
          complete,
          laidOut: Boolean(json),
        });
      },
      (err: Error) => !abort.signal.aborted && setShown({ state: 'failed', message: err.message }),
    );
    return () => abort.abort();
  }, [asset.urls.file, asset.bytes, asset.hash, asset.path]);

  if (shown.state === 'loading') return <p className="muted">Reading the file…</p>;
  if (shown.state === 'binary') return <Preview asset={asset} size={512} />;
  if (shown.state === 'failed')
    return (
      <p className="error" role="alert">
        {shown.message}
      </p>
    );
  const { head, complete, laidOut } = shown;
  const lines = head.text ? head.text.split('\n').length - (head.text.endsWith('\n') ? 1 : 0) : 0;
  return (
    <figure className="text-preview">
      <pre tabIndex={0} aria-label={`Text of ${assetName(asset)}`} data-testid="text-preview">
        {head.text}
      </pre>
      <figcaption className="muted">
        {complete
          ? `${lines.toLocaleString()} ${lines === 1 ? 'line' : 'lines'}`
          : `The first ${formatBytes(TEXT_HEAD_BYTES)} of ${formatBytes(asset.bytes)}: download for the rest`}{' '}
        · {head.encoding}
        {laidOut ? ' · laid out (the file is one line)' : ''}
      </figcaption>
    </figure>
  );
}

/** The large preview the detail view shows for this asset. */
export function FilePreview({ asset }: { asset: Asset }): React.JSX.Element {
  if (isAudioAsset(asset)) return <AudioPlayer asset={asset} />;
  if (isVideoPath(asset.path)) return <VideoPlayer asset={asset} />;
  if (isModelPath(asset.path)) return <ModelViewer key={`${asset.uid}-${asset.hash}`} asset={asset} />;
  if (isFontPath(asset.path)) return <FontSample asset={asset} />;
  if (asset.urls.animation) return <AnimationPlayer key={asset.uid} asset={asset} />;
  // A picture (or a file whose preview is being made) shows its thumbnail or icon; a sprite or
  // an icon a whole multiple of its size (the preview box is at least ~400 px wide).
  if (asset.urls.thumbnail || asset.urls.thumbnails || asset.preview_status)
    return <Preview asset={asset} size={512} box={400} />;
  return <TextPreview asset={asset} />;
}
