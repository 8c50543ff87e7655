/**
 * Which files get which preview, and where previews live. Images get two thumbnails (256 and
 * 512 px, fitting a square); audio gets a waveform JSON. File names are the product document's:
 * `<id>_<size>.<ext>` and `<id>.waveform.json` under the thumbs root.
 */
import path from 'node:path';
import type { JsonObject } from '../domain/json.js';
import { MODEL_EXTENSIONS } from '../domain/media-facts.js';

export const THUMB_SIZES = [256, 512] as const;
export type ThumbSize = (typeof THUMB_SIZES)[number];

export type AudioCodec = 'wav' | 'mp3' | 'vorbis' | 'flac' | 'opus';

// libvips reads most; BMP, TGA, DDS, EXR, PSD and Aseprite are decoded in JavaScript first (previews/decode-image.ts);
// Krita and OpenRaster documents are previewed from the flattened PNG inside them, Clip Studio
// documents from their canvas preview.
const IMAGE_EXTS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.gif',
  '.bmp',
  '.tif',
  '.tiff',
  '.avif',
  '.svg',
  '.tga',
  '.dds',
  '.exr',
  '.psd',
  '.kra',
  '.ora',
  '.clip',
  '.ase',
  '.aseprite',
]);
// Blender scenes: the picture Blender stores in the file for file browsers (previews/blend.ts), a
// picture of the scene rather than of the file's own pixels, as a font's card.
const SCENE_EXTS = new Set(['.blend']);
// Drawn as a specimen card from their outlines (previews/font-specimen.ts, in the thumbnail worker).
const FONT_EXTS = new Set(['.ttf', '.otf', '.woff', '.woff2', '.ttc']);
// Cutscenes and openings: MP4, MOV and M4V (ISO boxes), WebM and Matroska.
const VIDEO_EXTS = new Set(['.mp4', '.m4v', '.mov', '.webm', '.mkv']);
// 3D models in glTF 2.0, FBX, OBJ and USD (previews/gltf.ts, fbx.ts, obj.ts, usd.ts): their facts
// read here, their picture drawn by the studio.
const MODEL_EXTS = new Set([...MODEL_EXTENSIONS].map((ext) => `.${ext}`));
const AUDIO_EXTS: Record<string, AudioCodec> = {
  '.wav': 'wav',
  '.wave': 'wav',
  '.mp3': 'mp3',
  '.ogg': 'vorbis',
  '.oga': 'vorbis',
  '.flac': 'flac',
  '.opus': 'opus',
};

/**
 * Pictures and fonts (a specimen card, previews/font-specimen.ts) get thumbnails; sounds a
 * waveform; videos their facts (length and frame size: no frame is decoded here; the studio
 * sends a poster frame, AssetRegistry.setPoster); 3D models theirs (triangles, materials…), the
 * studio sending a picture of the model drawn in the browser as their poster.
 */
export type PreviewKind = 'thumbnail' | 'waveform' | 'video' | 'model';

/** The kinds whose thumbnail is a poster the studio sends (a video's frame, a model's picture). */
export const takesPoster = (kind: PreviewKind | undefined): kind is 'video' | 'model' =>
  kind === 'video' || kind === 'model';

/** Every extension (lowercase, with the dot) that gets a preview: lets SQL skip other files. */
export const PREVIEW_EXTENSIONS: readonly string[] = [
  ...IMAGE_EXTS,
  ...SCENE_EXTS,
  ...FONT_EXTS,
  ...Object.keys(AUDIO_EXTS),
  ...VIDEO_EXTS,
  ...MODEL_EXTS,
];

export function previewKind(relPath: string): PreviewKind | undefined {
  const ext = path.extname(relPath).toLowerCase();
  if (IMAGE_EXTS.has(ext) || SCENE_EXTS.has(ext) || FONT_EXTS.has(ext)) return 'thumbnail';
  if (ext in AUDIO_EXTS) return 'waveform';
  if (VIDEO_EXTS.has(ext)) return 'video';
  if (MODEL_EXTS.has(ext)) return 'model';
  return undefined;
}

/** Whether a file at this path gets a preview job (a thumbnail, a waveform, or a video's or model's facts). */
export const hasPreview = (relPath: string): boolean => previewKind(relPath) !== undefined;

/** Whether a path names a picture (a thumbnail of its own pixels: sizes, fingerprints), not a font. */
export const isPicturePath = (relPath: string): boolean =>
  IMAGE_EXTS.has(path.extname(relPath).toLowerCase());

/** Whether a path names a font (its thumbnail is a specimen). */
export const isFontFile = (relPath: string): boolean => FONT_EXTS.has(path.extname(relPath).toLowerCase());

export const audioCodec = (relPath: string): AudioCodec | undefined =>
  AUDIO_EXTS[path.extname(relPath).toLowerCase()];

/**
 * Thumbnail format: PNG for lossless sources (PNG, GIF's first frame, BMP, TIFF, SVG, TGA, PSD,
 * Krita, OpenRaster) so edges and transparency survive; JPEG for JPEG photos; WebP for WebP and
 * AVIF sources (both may carry alpha, and every browser shows WebP).
 */
export function thumbnailExt(relPath: string): '.png' | '.jpg' | '.webp' {
  const ext = path.extname(relPath).toLowerCase();
  // (A video's thumbnail is its poster frame, a photo: see AssetRegistry.setPoster.)
  if (ext === '.jpg' || ext === '.jpeg' || VIDEO_EXTS.has(ext)) return '.jpg';
  if (ext === '.webp' || ext === '.avif') return '.webp';
  return '.png';
}

export const thumbnailName = (uid: string, size: ThumbSize, relPath: string): string =>
  `${uid}_${size}${thumbnailExt(relPath)}`;

/** Where a thumbnail job writes each size: size → `<thumbs root>/<uid>_<size><ext>`. */
export function thumbnailOutputs(thumbsRoot: string, uid: string, relPath: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const size of THUMB_SIZES)
    outputs[String(size)] = path.join(thumbsRoot, thumbnailName(uid, size, relPath));
  return outputs;
}
export const waveformName = (uid: string): string => `${uid}.waveform.json`;

/** An animation's played preview (previews/animation.ts): `<uid>_anim.webp`. */
export const animationName = (uid: string): string => `${uid}_anim.webp`;

/** Formats whose pages may be an animation's frames (a multi-page TIFF's pages are no frames). */
export const ANIMATED_EXTS: ReadonlySet<string> = new Set(['.gif', '.webp', '.ase', '.aseprite']);
export const mayBeAnimated = (relPath: string): boolean =>
  ANIMATED_EXTS.has(path.extname(relPath).toLowerCase());

/** Every file a preview of this asset may have written (for clean-up). */
export function previewFileNames(uid: string): string[] {
  const names = [waveformName(uid), animationName(uid)];
  for (const size of THUMB_SIZES)
    for (const ext of ['.png', '.jpg', '.webp']) names.push(`${uid}_${size}${ext}`);
  return names;
}

/** The thumbnail files' stored paths by size, and the 256 px one (a picture's, a font card's, a video's poster). */
export function plannedThumbnails(
  uid: string,
  relPath: string,
  display: (name: string) => string,
): { thumbnails: JsonObject; thumb: string } {
  const thumbnails: JsonObject = {};
  for (const size of THUMB_SIZES) thumbnails[String(size)] = display(thumbnailName(uid, size, relPath));
  return { thumbnails, thumb: thumbnails['256'] as string };
}

/**
 * The preview entries of the payload (reference §4): for images `meta.preview = {kind, paths,
 * default}` and `meta.thumbnails`; for audio `meta.preview = {kind: "waveform", path}`. `display`
 * turns a file name into the stored path string (`cache/thumbs/<name>`).
 */
export function plannedPreview(
  uid: string,
  relPath: string,
  display: (name: string) => string,
): { preview: JsonObject; thumbnails?: JsonObject; thumb: string | null } | undefined {
  const kind = previewKind(relPath);
  if (kind === 'thumbnail') {
    const { thumbnails, thumb } = plannedThumbnails(uid, relPath, display);
    return { preview: { kind, paths: { ...thumbnails }, default: thumb }, thumbnails, thumb };
  }
  if (kind === 'waveform') {
    const thumb = display(waveformName(uid));
    return { preview: { kind, path: thumb }, thumb };
  }
  if (takesPoster(kind)) return { preview: { kind }, thumb: null };
  return undefined;
}
