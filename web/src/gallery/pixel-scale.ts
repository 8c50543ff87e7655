/**
 * Small pictures (sprites, icons) in a tile: drawn a whole number of times their own size, so each
 * of their pixels stays a crisp square, instead of a dot in the middle of the tile.
 */

/** What is known of a picture's size: its preview's facts. */
type Sized = { preview?: { width?: unknown; height?: unknown } };

/** A picture's width and height from its preview's facts ([0, 0] when unknown). */
export const pictureSize = (asset: Sized): [number, number] => {
  const { width, height } = asset.preview ?? {};
  return typeof width === 'number' && typeof height === 'number' ? [width, height] : [0, 0];
};

/**
 * How many times its own size a picture is drawn in a box `width` px wide (a tile's thumbnail
 * area is 12 px narrower): at most 8, or a 32nd of the box in a wider one (the detail view), so a
 * picture of a pixel or two does not become one big square; 1 for pictures that fill the box
 * already, or whose size is unknown.
 */
export function pixelScale(asset: Sized, width: number | undefined): number {
  const [w, h] = pictureSize(asset);
  if (!width || !w || !h) return 1;
  const most = Math.max(8, Math.floor(width / 32));
  return Math.max(1, Math.min(most, Math.floor((width - 12) / Math.max(w, h))));
}
