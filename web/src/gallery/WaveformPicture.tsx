/** A waveform drawn from the registry's waveform JSON (points in [0,1]), as an SVG. */
import { useEffect, useState } from 'react';
import { api, type Waveform } from '../api';

const cache = new Map<string, Promise<Waveform | undefined>>();
/** A waveform is asked for this long after its picture mounts: not in the first screen's first frames. */
const FETCH_DELAY_MS = 120;

/** Waveforms are content-addressed (the URL carries the hash), so one fetch per URL is enough. */
export function loadWaveform(url: string): Promise<Waveform | undefined> {
  let promise = cache.get(url);
  if (!promise) {
    promise = api.waveform(url).catch(() => undefined);
    cache.set(url, promise);
    if (cache.size > 2000) cache.delete(cache.keys().next().value as string);
  }
  return promise;
}

export function useWaveform(url: string | undefined): Waveform | undefined {
  const [waveform, setWaveform] = useState<Waveform>();
  useEffect(() => {
    let live = true;
    // A grid tile mounted during a scroll passes its URL only once the gate lets it (Tile.tsx).
    const timer = url
      ? window.setTimeout(() => void loadWaveform(url).then((w) => live && setWaveform(w)), FETCH_DELAY_MS)
      : undefined;
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [url]);
  return waveform;
}

/** Mirrored bars, downsampled to `bars` columns (the max of each group, so peaks survive). */
export function WaveformPicture({
  waveform,
  bars = 96,
  progress,
  label,
}: {
  waveform: Waveform;
  bars?: number;
  /** 0–1: how much has played (drawn in the accent colour). */
  progress?: number;
  label: string;
}): React.JSX.Element {
  const points = waveform.points;
  const n = Math.max(1, Math.min(bars, points.length));
  const heights: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * points.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * points.length) / n));
    let peak = 0;
    for (let j = from; j < to; j++) peak = Math.max(peak, points[j] ?? 0);
    heights.push(peak);
  }
  return (
    <svg
      className={progress === undefined ? 'waveform' : 'waveform playing'}
      viewBox={`0 0 ${n} 100`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {heights.map((h, i) => {
        const bar = Math.max(1, h * 96);
        const played = progress !== undefined && i / n < progress;
        return (
          <rect
            key={i}
            x={i + 0.15}
            width={0.7}
            y={50 - bar / 2}
            height={bar}
            className={played ? 'played' : undefined}
          />
        );
      })}
    </svg>
  );
}
