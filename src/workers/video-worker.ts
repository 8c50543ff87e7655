/**
 * Worker side of a video's facts: its length and frame size, read from its container's headers
 * (MP4/MOV/M4V boxes, WebM/Matroska elements) by music-metadata, without decoding a frame and
 * without reading the whole file (a recording whose header gives no length has none).
 */
import { parseFile } from 'music-metadata';

export interface VideoTask {
  source: string;
}

export interface VideoResult {
  /** Seconds; 0 when the container does not say. */
  duration: number;
  /** The first video track's frame size in pixels; 0 when there is none. */
  width: number;
  height: number;
}

const positive = (value: number | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

export default async function run(task: VideoTask): Promise<VideoResult> {
  const { format } = await parseFile(task.source, { duration: false, skipCovers: true });
  if (!format.container) throw new Error('not a video container this reader knows');
  const video = format.trackInfo.find((track) => track.video?.pixelWidth && track.video.pixelHeight)?.video;
  const result = {
    duration: positive(format.duration),
    width: Math.round(positive(video?.pixelWidth)),
    height: Math.round(positive(video?.pixelHeight)),
  };
  if (!result.width && !result.duration)
    throw new Error(`no video track or length in its ${format.container} headers`);
  return result;
}
