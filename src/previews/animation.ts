/**
 * How much of an animation is played back in its preview: an animated WebP (`<uid>_anim.webp`)
 * made by the thumbnail worker from an animated GIF or WebP or an Aseprite sprite, its frames
 * fitted in the largest thumbnail's box. Long or large animations play their first frames only,
 * so decoding one stays within a bounded number of pixels.
 */

/** The frames an animation's preview plays, 8-bit RGBA one below the other. */
export interface PlayedFrames {
  data: Uint8Array;
  /** Each played frame's delay as played (ms). */
  delays: number[];
  /** Seconds one loop of all the animation's frames lasts (played or not). */
  duration: number;
}

/** Frames played at most. */
const MAX_ANIMATION_FRAMES = 500;

/** Source pixels (all frames played, before resizing) decoded at most: 100 frames of 1000 × 1000. */
const ANIMATION_PIXEL_BUDGET = 100_000_000;

/** How many of an animation's `total` frames of `width` × `height` its preview plays. */
export function framesToPlay(total: number, width: number, height: number): number {
  const byPixels = Math.floor(ANIMATION_PIXEL_BUDGET / Math.max(1, width * height));
  return Math.max(1, Math.min(total, MAX_ANIMATION_FRAMES, byPixels));
}

/**
 * A frame's delay as browsers play it: GIFs saying 0 or 10 ms are shown for 100 ms by every
 * browser (animations made for them rely on it), so they are stored so.
 */
const frameDelay = (ms: number | undefined): number => (ms === undefined || ms < 20 ? 100 : ms);

/** The first `count` frames' delays as played (100 ms where the file says none). */
export const playedDelays = (delays: readonly number[], count: number): number[] =>
  Array.from({ length: count }, (_, i) => frameDelay(delays[i]));

/** Seconds one loop of `frames` frames with these delays lasts, to a hundredth. */
export const loopSeconds = (delays: readonly number[], frames: number): number =>
  Math.round(playedDelays(delays, frames).reduce((sum, ms) => sum + ms, 0) / 10) / 100;
