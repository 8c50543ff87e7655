/** One asset in the grid: its thumbnail, waveform or type icon, and its name. */
import { createContext, memo, useContext, useEffect, useState, type RefObject } from 'react';
import type { AssetSummary } from '../api';
import { useWaveform, WaveformPicture } from './WaveformPicture';

export const assetName = (asset: AssetSummary): string => {
  const title = asset.metadata?.title;
  return typeof title === 'string' && title.trim() ? title : (asset.path.split('/').pop() ?? asset.path);
};

/** The reference gallery's tooltip lines. */
const tooltip = (asset: AssetSummary): string =>
  [
    `UID: ${asset.uid}`,
    `Type: ${asset.type}`,
    `Path: ${asset.path}`,
    `Tags: ${asset.tags.length ? asset.tags.join(', ') : '(none)'}`,
    `License: ${asset.license ?? '(none)'}`,
  ].join('\n');

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

export const extensionOf = (p: string): string => {
  const dot = p.lastIndexOf('.');
  return dot > p.lastIndexOf('/') ? p.slice(dot + 1).toLowerCase() : '';
};

/**
 * Whether the grid is scrolling, read by a tile when it mounts (a ref, so a scroll starting or
 * stopping re-renders no tile). Outside a grid (the detail view) it is never scrolling.
 */
export const GridScrolling = createContext<RefObject<boolean>>({ current: false });
/** A tile mounted during a scroll asks for its thumbnail once it has stayed this long. */
const SETTLE_MS = 120;

export function Preview({ asset, size }: { asset: AssetSummary; size: 256 | 512 }): React.JSX.Element {
  // Preview URLs exist as soon as the preview is planned; they are fetched once it is made.
  const pending = asset.preview_status === 'queued' || asset.preview_status === 'running';
  const ready = !pending && asset.preview_status !== 'failed';
  const [broken, setBroken] = useState(false);
  // Tiles that only fly past during a fling never request their thumbnail (nor handle its answer).
  const scrolling = useContext(GridScrolling);
  const [settled, setSettled] = useState(() => !scrolling.current);
  useEffect(() => {
    if (settled) return;
    const timer = window.setTimeout(() => setSettled(true), SETTLE_MS);
    return () => window.clearTimeout(timer);
  }, [settled]);
  const waveform = useWaveform(ready ? asset.urls?.waveform : undefined);
  const thumb =
    ready && settled ? (asset.urls?.thumbnails?.[String(size)] ?? asset.urls?.thumbnail) : undefined;
  if (thumb && !broken) {
    return (
      <img
        src={thumb}
        alt={`Preview of ${assetName(asset)}`}
        loading="lazy"
        fetchPriority="low"
        decoding="async"
        draggable={false}
        onError={() => setBroken(true)}
      />
    );
  }
  if (waveform) return <WaveformPicture waveform={waveform} label={`Waveform of ${assetName(asset)}`} />;
  return (
    <span className="type-icon" aria-hidden="true">
      <span className="glyph">{ICONS[asset.type] ?? '■'}</span>
      <span className="ext">{pending ? 'preview…' : extensionOf(asset.path) || asset.type}</span>
    </span>
  );
}

export const Tile = memo(function Tile({
  asset,
  index,
  selected,
  focused,
  flying,
  onPointer,
  onOpen,
}: {
  asset: AssetSummary | undefined;
  index: number;
  selected: boolean;
  focused: boolean;
  /** The grid is flinging past: name and type only; the preview comes when it slows down. */
  flying: boolean;
  onPointer: (index: number, e: React.MouseEvent) => void;
  onOpen: (index: number) => void;
}): React.JSX.Element {
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
      <div className="thumb">
        {!flying && <Preview asset={asset} size={256} />}
        {asset.preview_status === 'failed' && <span className="badge error">no preview</span>}
      </div>
      <div className="caption">
        <span className="name">{assetName(asset)}</span>
        <span className="sub">
          {asset.type}
          {asset.license ? ` · ${asset.license}` : ''}
        </span>
      </div>
    </div>
  );
});
