/**
 * What a designer reads off a file before opening it: an image's size in pixels, a sound's length
 * (and, in the detail view, its channels and rate), from the facts its preview recorded. Shown by
 * the studio's tiles and detail view and the CLI's lines; no Node imports (the studio bundles it).
 */

/** The preview fields these facts come from (a tile's listing asks for these only). */
export interface PreviewFacts {
  width?: unknown;
  height?: unknown;
  /** An animation's frames (an animated GIF or WebP, an Aseprite sprite). */
  frames?: unknown;
  duration?: unknown;
  channels?: unknown;
  sample_rate?: unknown;
  /** A font's family and style names, and how many glyphs it has. */
  family?: unknown;
  style?: unknown;
  glyphs?: unknown;
  /** The Blender version that saved a scene (a `.blend`). */
  blender_version?: unknown;
  /** A 3D model's triangles, vertices, materials, textures and animations. */
  triangles?: unknown;
  vertices?: unknown;
  materials?: unknown;
  textures?: unknown;
  animations?: unknown;
}

/** "1 material", "12,345 triangles". */
const counted = (value: unknown, one: string, many = `${one}s`): string | undefined => {
  const n = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  return n === undefined ? undefined : `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** "0.4 s", "12 s", "3:05", "1:02:09": short sounds keep a tenth, long ones read as a clock. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A picture's or a video's frame size, a length, and an animation's frame count, as shown. */
function sizeParts(preview: PreviewFacts | undefined): { frame?: string; length?: string; frames?: string } {
  const width = positive(preview?.width);
  const height = positive(preview?.height);
  const duration = positive(preview?.duration);
  const frames = positive(preview?.frames);
  return {
    ...(width && height ? { frame: `${width} × ${height}` } : {}),
    ...(duration !== undefined ? { length: formatDuration(duration) } : {}),
    ...(frames && frames > 1 ? { frames: `${frames} frames` } : {}),
  };
}

/** A video's length, then its frame; an animation's frame, its frames, then one loop's length. */
const framedParts = (
  { frame, length, frames }: ReturnType<typeof sizeParts>,
  px = '',
): Array<string | undefined> => (frames ? [`${frame}${px}`, frames, length] : [length, `${frame}${px}`]);

/**
 * "1920 × 1080" (an animation's: "64 × 64 · 8 frames · 0.8 s"), a sound's length, a font's
 * family, a 3D model's triangles, or the Blender that saved a scene; undefined before the preview
 * is made (or without one).
 */
export function mediaSize(preview: PreviewFacts | undefined): string | undefined {
  const parts = sizeParts(preview);
  if (parts.frame) return framedParts(parts).filter(Boolean).join(' · ');
  const blender = text(preview?.blender_version);
  return (
    parts.length ??
    text(preview?.family) ??
    counted(preview?.triangles, 'triangle') ??
    (blender && `Blender ${blender}`)
  );
}

const AUDIO_EXTENSIONS = new Set(['wav', 'mp3', 'ogg', 'oga', 'flac', 'opus', 'm4a', 'aac']);

/** A path's extension, lowercase ('' for none). */
export const extensionOf = (p: string): string => {
  const dot = p.lastIndexOf('.');
  return dot > p.lastIndexOf('/') ? p.slice(dot + 1).toLowerCase() : '';
};

/** Whether a path names a sound a browser plays (by its extension). */
export const isAudioPath = (path: string): boolean => AUDIO_EXTENSIONS.has(extensionOf(path));

// Cutscenes and openings; whether one plays depends on its codec (the detail view says so).
// (Matroska too: the server reads its facts like any video's, previews/kinds.ts.)
const VIDEO_EXTENSIONS = new Set(['webm', 'mp4', 'm4v', 'ogv', 'mov', 'mkv']);
const FONT_EXTENSIONS = new Set(['ttf', 'otf', 'woff', 'woff2']);
/** 3D models the server reads the facts of and the studio draws: glTF 2.0, FBX, OBJ and USD. */
export const MODEL_EXTENSIONS: ReadonlySet<string> = new Set([
  'glb',
  'gltf',
  'fbx',
  'obj',
  'usd',
  'usda',
  'usdc',
  'usdz',
]);

/** Whether a path names a video (by its extension). */
export const isVideoPath = (path: string): boolean => VIDEO_EXTENSIONS.has(extensionOf(path));
/** Whether a path names a font a browser loads (by its extension). */
export const isFontPath = (path: string): boolean => FONT_EXTENSIONS.has(extensionOf(path));
/** Whether a path names a 3D model the studio draws (glTF 2.0, FBX, OBJ or USD, by its extension). */
export const isModelPath = (path: string): boolean => MODEL_EXTENSIONS.has(extensionOf(path));
/** Whether a path names a Blender file (its preview a picture of its scene, by its extension). */
export const isBlenderPath = (path: string): boolean => extensionOf(path) === 'blend';

const CHANNELS: Record<number, string> = { 1: 'mono', 2: 'stereo' };

/** The detail view's line: the size, then a sound's channels and sample rate. */
export function mediaDetails(preview: PreviewFacts | undefined): string | undefined {
  const size = mediaSize(preview);
  if (!size) return undefined;
  const glyphs = positive(preview?.glyphs);
  if (text(preview?.family) === size)
    return [size, text(preview?.style), glyphs && `${glyphs.toLocaleString('en')} glyphs`]
      .filter(Boolean)
      .join(' · ');
  if (preview?.triangles !== undefined)
    return [
      size,
      counted(preview.vertices, 'vertex', 'vertices'),
      counted(preview.materials, 'material'),
      positive(preview.textures) && counted(preview.textures, 'texture'),
      positive(preview.animations) && counted(preview.animations, 'animation'),
    ]
      .filter(Boolean)
      .join(' · ');
  const channels = positive(preview?.channels);
  const rate = positive(preview?.sample_rate);
  const parts = sizeParts(preview);
  return [
    ...(parts.frame ? framedParts(parts, ' px') : [size]),
    channels && (CHANNELS[channels] ?? `${channels} channels`),
    rate && `${Number((rate / 1000).toFixed(2))} kHz`,
  ]
    .filter(Boolean)
    .join(' · ');
}
