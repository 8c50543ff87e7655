/**
 * When the grid's tiles may ask for their previews (thumbnail or waveform). A tile mounted while
 * the grid scrolls waits until it has stayed SETTLE_MS and the grid is not flinging; then it is
 * let through with at most PER_TICK others per tick, those in view first. So a screen of tiles
 * landing at once (a page arriving, a jump) asks for its previews a few tiles per frame instead
 * of all in one frame, and one timer serves the whole grid instead of one per tile.
 */
import { createContext } from 'react';

const SETTLE_MS = 120;
const TICK_MS = 16;
/** Half a row of tiles (at 1920 px) a tick: a screen of them in about a third of a second. */
const PER_TICK = 6;

interface Waiting {
  index: number;
  since: number;
  release: () => void;
}

export class PreviewGate {
  /** Set by the grid on each render. */
  scrolling = false;
  /**
   * Until when the grid counts as flinging (faster than a tile can be looked at): nobody is let
   * through. Held a moment after the last fast step, so a long frame in a fling (which the grid
   * sees as the scroll stopping) lets nobody through either.
   */
  flyingUntil = 0;
  get flying(): boolean {
    return performance.now() < this.flyingUntil;
  }
  /** The indexes on screen (not the overscan). */
  visible: [number, number] = [0, -1];
  private waiting = new Set<Waiting>();
  private timer = 0;

  /** Calls `release` when the tile may ask; the returned function cancels (the tile unmounted). */
  wait(index: number, release: () => void): () => void {
    const entry = { index, since: performance.now(), release };
    this.waiting.add(entry);
    this.schedule();
    return () => {
      this.waiting.delete(entry);
      if (!this.waiting.size) this.stop();
    };
  }

  private schedule(): void {
    if (!this.timer) this.timer = window.setTimeout(this.tick, TICK_MS);
  }

  private stop(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
  }

  private tick = (): void => {
    this.timer = 0;
    const now = performance.now();
    if (now >= this.flyingUntil) {
      const [first, last] = this.visible;
      const due = [...this.waiting].filter((w) => now - w.since >= SETTLE_MS);
      const inView = (w: Waiting): number => (w.index >= first && w.index <= last ? 0 : 1);
      due.sort((a, b) => inView(a) - inView(b) || a.index - b.index);
      for (const w of due.slice(0, PER_TICK)) {
        this.waiting.delete(w);
        w.release();
      }
    }
    if (this.waiting.size) this.schedule();
  };
}

/** Outside a grid (the detail view) there is no gate: previews are asked for at once. */
export const PreviewGateContext = createContext<PreviewGate | undefined>(undefined);
