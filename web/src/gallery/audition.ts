/**
 * Auditioning sounds from the grid: one player for the whole page, so starting a sound stops
 * the one before (a designer going through a folder of effects hears one at a time). Tiles read
 * what plays, and how far, from here.
 */
import { useSyncExternalStore } from 'react';
import type { AssetSummary } from '../api';
import { isAudioPath } from '../../../src/domain/media-facts.js';

/** The file a tile can play: a sound's (it has a waveform, or a sound's extension). */
export const playableFile = (asset: AssetSummary): string | undefined =>
  asset.urls?.waveform || isAudioPath(asset.path) ? asset.urls?.file : undefined;

interface Playing {
  uid: string;
  /** 0–1. */
  progress: number;
}

let player: HTMLAudioElement | undefined;
let playing: Playing | undefined;
const listeners = new Set<() => void>();

const changed = (next: Playing | undefined): void => {
  playing = next;
  for (const listener of listeners) listener();
};

function audio(): HTMLAudioElement {
  if (!player) {
    const el = new Audio();
    el.preload = 'auto';
    el.addEventListener('timeupdate', () => {
      if (playing) changed({ uid: playing.uid, progress: el.currentTime / (el.duration || 1) });
    });
    el.addEventListener('ended', () => changed(undefined));
    el.addEventListener('error', () => changed(undefined));
    player = el;
  }
  return player;
}

/** Stops what plays (another player, the detail view's, is starting). */
export function stopAudition(): void {
  if (!playing) return;
  player?.pause();
  changed(undefined);
}

/** Plays this asset's file from the start, or stops it if it is the one playing. */
export function toggleAudition(uid: string, fileUrl: string): void {
  const el = audio();
  if (playing?.uid === uid) {
    stopAudition();
    return;
  }
  el.src = fileUrl;
  changed({ uid, progress: 0 });
  // A browser may refuse (no user gesture, no output device): then nothing plays.
  el.play().catch(() => {
    if (playing?.uid === uid) changed(undefined);
  });
}

const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** How far this asset has played (0–1), or undefined when it is not the one playing. */
export function useAudition(uid: string): number | undefined {
  return useSyncExternalStore(subscribe, () => (playing?.uid === uid ? playing.progress : undefined));
}
