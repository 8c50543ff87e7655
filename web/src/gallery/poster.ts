/**
 * Poster frames for videos, and pictures of 3D models. The server has no video decoder (that
 * would take ffmpeg) nor a 3D renderer; the browser has both. A video tile without a poster asks
 * for one here: the video is loaded in a hidden element, a frame a second in (or a tenth of a
 * short clip) is drawn on a canvas at most 512 px wide and sent to the server (PUT
 * /api/assets/{id}/poster), which makes the thumbnails from it for every client. A model is drawn
 * from a three-quarter view (gallery/model-view.ts, loaded then). One at a time, each tried once
 * per page load: a format this browser cannot play keeps its icon.
 */
import { api } from '../api';
import { isModelPath } from '../../../src/domain/media-facts.js';

/** The largest side of a frame sent: the largest thumbnail's. */
const FRAME_SIDE = 512;
/** A video that has not given a frame by then is given up (a stalled download, a codec that never decodes). */
const GIVE_UP_MS = 20_000;

const tried = new Set<string>();
let queue: Promise<void> = Promise.resolve();

/** Asks for a poster of this video once (queued behind the others); the registry's event redraws the tile. */
export function requestPoster(uid: string): void {
  if (tried.has(uid)) return;
  tried.add(uid);
  queue = queue.then(() => makePoster(uid).catch(() => undefined));
}

async function makePoster(uid: string): Promise<void> {
  const { asset } = await api.get(uid);
  if (asset.urls.thumbnail || asset.preview_status !== 'done') return;
  if (isModelPath(asset.path)) {
    const { modelPicture } = await import('./model-view');
    await api.setPoster(uid, await modelPicture(asset), 0, asset.hash);
    return;
  }
  const { frame, at } = await grabFrame(asset.urls.file);
  await api.setPoster(uid, frame, at, asset.hash);
}

/** Where a poster is taken: a second in, or a tenth of a clip shorter than ten seconds. */
export const posterTime = (duration: number): number =>
  Number.isFinite(duration) && duration > 0 ? Math.min(1, duration / 10) : 0;

/** A frame of the video at `src`, `at` seconds in (posterTime when not given), as a JPEG. */
export function grabFrame(src: string, at?: number): Promise<{ frame: Blob; at: number }> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  return new Promise<{ frame: Blob; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame in time')), GIVE_UP_MS);
    const done = (): void => {
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load(); // (lets the browser drop the download)
    };
    video.onerror = () => {
      done();
      reject(new Error('this browser cannot play the video'));
    };
    let seekTo = 0;
    video.onloadeddata = () => {
      seekTo = at ?? posterTime(video.duration);
      // At 0 already: no seek, so no "seeked" to wait for.
      if (seekTo === 0 || video.currentTime === seekTo) draw();
      else video.currentTime = seekTo;
    };
    video.onseeked = () => draw();
    const draw = (): void => {
      frameOf(video).then(
        (taken) => {
          done();
          resolve(taken);
        },
        (err: Error) => {
          done();
          reject(err);
        },
      );
    };
    video.src = src;
  });
}

/** The frame a video element shows now, at most 512 px wide or high, as a JPEG, and its time. */
export function frameOf(video: HTMLVideoElement): Promise<{ frame: Blob; at: number }> {
  const at = Math.round(video.currentTime * 1000) / 1000;
  const scale = Math.min(1, FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
  canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
  canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve({ frame: blob, at }) : reject(new Error('the frame could not be encoded'))),
      'image/jpeg',
      0.85,
    ),
  );
}
