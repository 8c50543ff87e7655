/** One asset in the grid: its thumbnail, waveform or type icon, and its name. */
import { memo, useContext, useEffect, useState } from 'react';
import type { AssetSummary } from '../api';
import { playableFile, toggleAudition, useAudition } from './audition';
import { pictureSize, pixelScale } from './pixel-scale';
import {
  extensionOf,
  isAudioPath,
  isFontPath,
  isModelPath,
  isVideoPath,
  mediaSize,
} from '../../../src/domain/media-facts.js';
import { requestPoster } from './poster';
import { PreviewGateContext } from './previewGate';
import { useWaveform, WaveformPicture } from './WaveformPicture';

export const assetName = (asset: AssetSummary): string => {
  const title = asset.metadata?.title;
  return typeof title === 'string' && title.trim() ? title : (asset.path.split('/').pop() ?? asset.path);
};

/** The reference gallery's tooltip lines, and the size or length (a small tile's caption cuts it). */
const tooltip = (asset: AssetSummary): string => {
  const size = mediaSize(asset.preview);
  return [
    `UID: ${asset.uid}`,
    `Type: ${asset.type}`,
    `Path: ${asset.path}`,
    ...(size ? [`${size.includes('×') ? 'Size' : 'Length'}: ${size}`] : []),
    `Tags: ${asset.tags.length ? asset.tags.join(', ') : '(none)'}`,
    `License: ${asset.license ?? '(none)'}`,
  ].join('\n');
};

const ICONS: Record<string, string> = {
  audio: '♪',
  music: '♪',
  sfx: '♪',
  voice: '♪',
  images: '▣',
  portraits: '▣',
  backgrounds: '▣',
  models: '◆',
  scripts: '{ }',
  data: '{ }',
  documents: '¶',
};

/** The icon of a tile without a preview: its type's, else its kind's by extension. */
function glyphOf(asset: AssetSummary): string {
  const byType = ICONS[asset.type];
  if (byType) return byType;
  if (isAudioPath(asset.path)) return '♪';
  if (isVideoPath(asset.path)) return '▷';
  if (isFontPath(asset.path)) return 'Aa';
  if (isModelPath(asset.path)) return '⬡';
  return '■';
}

export function Preview({
  asset,
  size,
  width,
  box = width,
  progress,
  deferred = false,
  playing = false,
}: {
  asset: AssetSummary;
  size: 256 | 512;
  /**
   * The width it is drawn at (CSS px), when it varies: the browser then picks among the
   * thumbnail sizes for it and the screen's pixel density (a large tile on a sharp screen: 512).
   */
  width?: number;
  /** The width of the box it is drawn in (CSS px; `width` by default): how much a small picture is enlarged. */
  box?: number;
  /** How much of the sound has played (0–1), while it plays. */
  progress?: number;
  /** Not yet: the type icon only, nothing asked for (a grid tile waiting at the gate). */
  deferred?: boolean;
  /** An animation plays its frames (its played preview) rather than showing its first. */
  playing?: boolean;
}): React.JSX.Element {
  // Preview URLs exist as soon as the preview is planned; they are fetched once it is made.
  const pending = asset.preview_status === 'queued' || asset.preview_status === 'running';
  const ready = !pending && asset.preview_status !== 'failed' && !deferred;
  const [broken, setBroken] = useState(false);
  const waveform = useWaveform(ready ? asset.urls?.waveform : undefined);
  const thumb = ready ? (asset.urls?.thumbnails?.[String(size)] ?? asset.urls?.thumbnail) : undefined;
  // A video without a poster frame, a model without a picture: this browser draws one (gallery/poster.ts).
  const wantsPoster =
    ready &&
    !thumb &&
    asset.preview_status === 'done' &&
    (isVideoPath(asset.path) || isModelPath(asset.path));
  useEffect(() => {
    if (wantsPoster) requestPoster(asset.uid);
  }, [wantsPoster, asset.uid]);
  const choices = Object.entries(asset.urls?.thumbnails ?? {});
  const scale = pixelScale(asset, box);
  // Several sizes and a known width: the browser chooses (not for a small picture: both sizes
  // are the picture itself, whose true width the `w` descriptors would misstate).
  const animation = playing ? asset.urls?.animation : undefined;
  const choose = Boolean(width) && choices.length > 1 && scale === 1 && !animation;
  if (thumb && !broken) {
    const classes = [asset.colors?.transparent && 'cut-out', scale > 1 && 'pixel-art'].filter(Boolean);
    return (
      <img
        src={animation ?? thumb}
        srcSet={choose ? choices.map(([px, url]) => `${url} ${px}w`).join(', ') : undefined}
        sizes={choose ? `${width}px` : undefined}
        alt={`Preview of ${assetName(asset)}`}
        // A picture with transparent parts over a checkerboard, as image editors show it.
        className={classes.length ? classes.join(' ') : undefined}
        style={
          scale > 1
            ? { width: pictureSize(asset)[0] * scale, height: pictureSize(asset)[1] * scale }
            : undefined
        }
        loading="lazy"
        fetchPriority="low"
        decoding="async"
        draggable={false}
        onError={() => setBroken(true)}
      />
    );
  }
  if (waveform)
    return (
      <WaveformPicture waveform={waveform} progress={progress} label={`Waveform of ${assetName(asset)}`} />
    );
  return (
    <span className="type-icon" aria-hidden="true">
      <span className="glyph">{glyphOf(asset)}</span>
      <span className="ext">{pending ? 'preview…' : extensionOf(asset.path) || asset.type}</span>
    </span>
  );
}

export const Tile = memo(function Tile({
  asset,
  index,
  selected,
  focused,
  width,
  onPointer,
  onOpen,
}: {
  asset: AssetSummary | undefined;
  index: number;
  selected: boolean;
  focused: boolean;
  /** The tile's width (CSS px), for the choice of thumbnail size. */
  width: number;
  onPointer: (index: number, e: React.MouseEvent) => void;
  onOpen: (index: number) => void;
}): React.JSX.Element {
  // A tile mounted during a scroll waits at the gate before asking for its preview, so tiles that
  // only pass by never ask (nor handle the answer): until then it draws its type icon, or, mounted
  // during a fling, no preview at all (a tile on screen for a few frames is not worth its icon).
  const gate = useContext(PreviewGateContext);
  const [arrival] = useState(() => (gate?.flying ? 'flying' : gate?.scrolling ? 'scrolling' : 'still'));
  const [waiting, setWaiting] = useState(arrival !== 'still');
  const [pointerOver, setPointerOver] = useState(false);
  const loaded = asset !== undefined;
  const played = useAudition(asset?.uid ?? '');
  useEffect(() => {
    if (!waiting || !gate || !loaded) return;
    return gate.wait(index, () => setWaiting(false));
  }, [waiting, gate, index, loaded]);
  if (!asset) {
    return (
      <div
        className="tile placeholder"
        role="option"
        aria-selected={false}
        aria-busy="true"
        id={`tile-${index}`}
      />
    );
  }
  const fileUrl = playableFile(asset);
  return (
    <div
      className={`tile${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
      role="option"
      id={`tile-${index}`}
      aria-selected={selected}
      data-uid={asset.uid}
      title={tooltip(asset)}
      onClick={(e) => onPointer(index, e)}
      onDoubleClick={() => onOpen(index)}
    >
      <div
        className="thumb"
        onMouseEnter={() => setPointerOver(true)}
        onMouseLeave={() => setPointerOver(false)}
      >
        {!(waiting && arrival === 'flying') && (
          <Preview
            asset={asset}
            size={256}
            width={width}
            progress={played}
            deferred={waiting}
            playing={pointerOver}
          />
        )}
        {asset.urls?.animation && (
          <span className="badge anim-mark" title="An animation: it plays while the pointer is over it">
            ↻
          </span>
        )}
        {asset.preview_status === 'failed' && <span className="badge error">no preview</span>}
        {(asset.urls?.thumbnail ?? asset.urls?.thumbnails) && isVideoPath(asset.path) && (
          <span className="badge video-mark" aria-hidden="true">
            ▷
          </span>
        )}
        {fileUrl && (
          <button
            type="button"
            className="audition"
            // The grid is one stop in the tab order; the keyboard plays with P (AssetGrid).
            tabIndex={-1}
            aria-label={`${played === undefined ? 'Play' : 'Stop'} ${assetName(asset)}`}
            aria-pressed={played !== undefined}
            // Playing is not choosing: the selection and the detail view stay as they are.
            onClick={(e) => {
              e.stopPropagation();
              toggleAudition(asset.uid, fileUrl);
            }}
            onDoubleClick={(e) => e.stopPropagation()}
          >
            {played === undefined ? '▶' : '■'}
          </button>
        )}
        {asset.copies > 1 && (
          <span
            className="badge copy-count"
            title={`Same bytes at ${asset.copies - 1} other ${asset.copies === 2 ? 'path' : 'paths'}`}
          >
            ×{asset.copies}
          </span>
        )}
      </div>
      <div className="caption">
        <span className="name">{assetName(asset)}</span>
        <span className="sub">
          {[asset.type, mediaSize(asset.preview), asset.license].filter(Boolean).join(' · ')}
        </span>
      </div>
    </div>
  );
});
