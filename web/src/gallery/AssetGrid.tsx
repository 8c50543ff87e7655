/**
 * The virtual grid: only the rows on screen (plus a few) exist in the DOM, so 100,000 assets
 * scroll as smoothly as 100. It is one listbox (multi-select) driven by mouse and keyboard.
 */
import { useVirtualizer, type Range, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AssetSummary } from '../api';
import { PreviewGate, PreviewGateContext } from './previewGate';
import { Tile } from './Tile';
import { TILE_SIZES, type TileSize } from './tile-size';

const GAP = 10;
/** Rows drawn beyond the view on the side it heads for (both sides at rest), and behind it. */
const OVERSCAN_AHEAD = 4;
const OVERSCAN_BEHIND = 1;
/** Scroll speed (px per ms) above which tiles mounted during a scroll keep waiting for their previews. */
const FLY_FROM = 4;
/** How long a fling holds them after its last fast step (a long frame is no stop). */
const FLY_HOLD_MS = 250;

export interface GridKeyAction {
  kind: 'move' | 'toggle' | 'open' | 'all' | 'clear' | 'play';
  to?: number;
  extend?: boolean;
}

export function AssetGrid({
  total,
  at,
  show,
  isSelected,
  focus,
  onPointer,
  onKey,
  onOpen,
  version,
  size,
}: {
  total: number;
  at: (index: number) => AssetSummary | undefined;
  show: (first: number, last: number, position?: () => number) => void;
  isSelected: (uid: string) => boolean;
  focus: number;
  onPointer: (index: number, e: React.MouseEvent) => void;
  onKey: (action: GridKeyAction) => void;
  onOpen: (index: number) => void;
  /** Changes whenever selection or data changes, so memoised tiles re-render. */
  version: string;
  size: TileSize;
}): React.JSX.Element {
  const scroller = useRef<HTMLDivElement>(null);
  const { minWidth: tileMin, rowHeight } = TILE_SIZES[size];
  const [columns, setColumns] = useState(4);
  const [tileWidth, setTileWidth] = useState<number>(tileMin);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = (): void => {
      // The scroller's side padding and the gaps between tiles are GAP each.
      const inner = el.clientWidth - 2 * GAP;
      const fit = Math.max(1, Math.floor((inner + GAP) / (tileMin + GAP)));
      setColumns(fit);
      // In steps of 20 px: a window resized by a pixel re-renders no tile.
      setTileWidth(Math.ceil((inner - (fit - 1) * GAP) / fit / 20) * 20);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [tileMin]);

  const rows = Math.ceil(total / columns);
  // While scrolling, rows behind the view are of no use: fewer rows to draw when a screen of
  // them lands at once (a page arriving, a jump), and fewer to paint each frame.
  const self = useRef<Virtualizer<HTMLDivElement, Element>>(null);
  const [rangeExtractor] = useState(() => (range: Range): number[] => {
    const direction = self.current?.scrollDirection;
    const before = direction === 'forward' ? OVERSCAN_BEHIND : OVERSCAN_AHEAD;
    const after = direction === 'backward' ? OVERSCAN_BEHIND : OVERSCAN_AHEAD;
    const start = Math.max(0, range.startIndex - before);
    const end = Math.min(range.count - 1, range.endIndex + after);
    return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
  });
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN_AHEAD,
    rangeExtractor,
  });
  self.current = virtualizer;
  // Rows of another height: the sizes the virtualizer holds are stale.
  useLayoutEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const items = virtualizer.getVirtualItems();
  // At fling speed a tile is on screen for a few frames: asking for its preview (and drawing it)
  // would cost more than the frame has. Measured between renders (each row change renders), and
  // told to the tiles' gate, not to the tiles: a change of speed re-renders no tile.
  const [gate] = useState(() => new PreviewGate());
  const motion = useRef({ offset: 0, at: 0 });
  {
    const m = motion.current;
    const offset = virtualizer.scrollOffset ?? 0;
    const now = performance.now();
    gate.scrolling = virtualizer.isScrolling;
    // Renders without a scroll step between them (a page landing, the scroll stopping) leave the
    // gate as it is: a fling is held for FLY_HOLD_MS after its last fast step.
    if (virtualizer.isScrolling && offset !== m.offset && now > m.at)
      gate.flyingUntil = Math.abs(offset - m.offset) / (now - m.at) > FLY_FROM ? now + FLY_HOLD_MS : 0;
    if (offset !== m.offset || !virtualizer.isScrolling) {
      m.offset = offset;
      m.at = now;
    }
    const height = virtualizer.scrollRect?.height ?? 0;
    gate.visible = [
      Math.floor(offset / rowHeight) * columns,
      Math.ceil((offset + height) / rowHeight) * columns - 1,
    ];
  }
  const firstRow = items[0]?.index ?? 0;
  const lastRow = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total > 0)
      show(
        firstRow * columns,
        Math.min(total - 1, (lastRow + 1) * columns - 1),
        () => scroller.current?.scrollTop ?? 0,
      );
  }, [firstRow, lastRow, columns, total, show, version]);

  // Keep the focused tile in view when the keyboard moves it.
  useEffect(() => {
    if (focus >= 0 && focus < total)
      virtualizer.scrollToIndex(Math.floor(focus / columns), { align: 'auto' });
  }, [focus, columns, total, virtualizer]);

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const current = Math.max(0, focus);
    const moves: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current - 1,
      ArrowDown: current + columns,
      ArrowUp: current - columns,
      PageDown: current + columns * 3,
      PageUp: current - columns * 3,
      Home: 0,
      End: total - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      // The first move only shows where the focus is.
      const to = focus < 0 ? 0 : Math.min(total - 1, Math.max(0, target));
      onKey({ kind: 'move', to, extend: e.shiftKey });
    } else if (e.key === ' ') {
      onKey({ kind: 'toggle' });
    } else if (e.key === 'Enter') {
      onKey({ kind: 'open' });
    } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
      onKey({ kind: 'all' });
    } else if (e.key === 'Escape') {
      onKey({ kind: 'clear' });
    } else if (e.key === 'p' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      onKey({ kind: 'play' });
    } else {
      return;
    }
    e.preventDefault();
  };

  return (
    <div
      ref={scroller}
      className="grid-scroller"
      role="listbox"
      aria-label="Assets"
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={focus >= 0 && at(focus) ? `tile-${focus}` : undefined}
      onKeyDown={onKeyDown}
      data-testid="asset-grid"
    >
      <PreviewGateContext.Provider value={gate}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((row) => {
            const start = row.index * columns;
            const count = Math.min(columns, total - start);
            return (
              <div
                key={row.key}
                className="grid-row"
                role="presentation"
                style={{
                  transform: `translateY(${row.start}px)`,
                  height: rowHeight,
                  gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                }}
              >
                {Array.from({ length: count }, (_, i) => {
                  const index = start + i;
                  const asset = at(index);
                  return (
                    <Tile
                      key={asset?.uid ?? `slot-${index}`}
                      asset={asset}
                      index={index}
                      selected={asset ? isSelected(asset.uid) : false}
                      focused={index === focus}
                      width={tileWidth}
                      onPointer={onPointer}
                      onOpen={onOpen}
                    />
                  );
                })}
              </div>
            );
          })}
        </div>
      </PreviewGateContext.Provider>
    </div>
  );
}
