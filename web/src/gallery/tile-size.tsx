/**
 * How large the grid's tiles are: small to see many at once, large to tell similar pictures
 * apart. Remembered in this browser (not in the URL: it is how one person looks, not what).
 */
import { useCallback, useState } from 'react';

export const TILE_SIZES = {
  small: { label: 'S', name: 'Small tiles', minWidth: 120, rowHeight: 164 },
  medium: { label: 'M', name: 'Medium tiles', minWidth: 168, rowHeight: 214 },
  large: { label: 'L', name: 'Large tiles', minWidth: 260, rowHeight: 318 },
} as const;

export type TileSize = keyof typeof TILE_SIZES;

const STORAGE_KEY = 'asset-registry-tile-size';

const isTileSize = (value: unknown): value is TileSize => typeof value === 'string' && value in TILE_SIZES;

function stored(): TileSize {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isTileSize(value) ? value : 'medium';
  } catch {
    // Storage refused (a privacy setting): the default, every time.
    return 'medium';
  }
}

export function useTileSize(): [TileSize, (size: TileSize) => void] {
  const [size, setSize] = useState(stored);
  const choose = useCallback((next: TileSize) => {
    setSize(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* kept for this page only */
    }
  }, []);
  return [size, choose];
}

/** The three sizes as a group of toggle buttons. */
export function TileSizeChoice({
  size,
  onChange,
}: {
  size: TileSize;
  onChange: (size: TileSize) => void;
}): React.JSX.Element {
  return (
    <div className="tile-size" role="group" aria-label="Tile size">
      {(Object.keys(TILE_SIZES) as TileSize[]).map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={size === key}
          aria-label={TILE_SIZES[key].name}
          title={TILE_SIZES[key].name}
          onClick={() => onChange(key)}
        >
          {TILE_SIZES[key].label}
        </button>
      ))}
    </div>
  );
}
