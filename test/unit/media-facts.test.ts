/** The size or length a tile and the detail view show, from the facts a preview recorded. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assetLine, describeAsset } from '../../src/cli/format.js';
import { formatDuration, mediaDetails, mediaSize } from '../../src/domain/media-facts.js';

describe('media facts', () => {
  test('durations: tenths under 10 s, whole seconds under a minute, then a clock', () => {
    assert.equal(formatDuration(0.25), '0.3 s');
    assert.equal(formatDuration(4), '4 s');
    assert.equal(formatDuration(9.96), '10 s');
    assert.equal(formatDuration(12.4), '12 s');
    assert.equal(formatDuration(59.6), '1:00');
    assert.equal(formatDuration(185), '3:05');
    assert.equal(formatDuration(3729), '1:02:09');
  });

  test("an image's pixels, a sound's length, a video's both, a font's family; nothing without a made preview", () => {
    assert.equal(mediaSize({ width: 1920, height: 1080, kind: 'thumbnail' } as never), '1920 × 1080');
    assert.equal(mediaSize({ duration: 2.5, channels: 2 }), '2.5 s');
    assert.equal(mediaSize(undefined), undefined);
    assert.equal(mediaSize({}), undefined);
    // Facts a hand-edited sidecar may hold are not trusted blindly.
    assert.equal(mediaSize({ width: '1920', height: 1080 }), undefined);
    assert.equal(mediaSize({ duration: 0 }), undefined);
    // A video has both: its length, then its frame.
    assert.equal(mediaSize({ width: 1920, height: 1080, duration: 42.5 }), '43 s · 1920 × 1080');
    assert.equal(mediaDetails({ width: 160, height: 90, duration: 3 }), '3 s · 160 × 90 px');
    // An animation: its frame count (one frame is a still picture).
    assert.equal(mediaSize({ width: 64, height: 64, frames: 8 }), '64 × 64 · 8 frames');
    assert.equal(mediaDetails({ width: 64, height: 64, frames: 8 }), '64 × 64 px · 8 frames');
    assert.equal(mediaSize({ width: 64, height: 64, frames: 1 }), '64 × 64');
    assert.equal(
      mediaSize({ width: 32, height: 32, frames: 3, duration: 0.3 }),
      '32 × 32 · 3 frames · 0.3 s',
    );
    assert.equal(
      mediaDetails({ width: 32, height: 32, frames: 3, duration: 0.3 }),
      '32 × 32 px · 3 frames · 0.3 s',
    );
    // A 3D model: its triangles (the tile), with its vertices, materials and the rest (the detail view).
    const crate = { triangles: 12_345, vertices: 24_000, materials: 1, textures: 0, animations: 2 };
    assert.equal(mediaSize(crate), '12,345 triangles');
    assert.equal(mediaDetails(crate), '12,345 triangles · 24,000 vertices · 1 material · 2 animations');
    assert.equal(
      mediaDetails({ triangles: 1, vertices: 3, materials: 0, textures: 1 }),
      '1 triangle · 3 vertices · 0 materials · 1 texture',
    );
    // A Blender scene: the version that saved it, on the tile and in the detail view.
    assert.equal(mediaSize({ blender_version: '4.2' }), 'Blender 4.2');
    assert.equal(mediaDetails({ blender_version: '4.2' }), 'Blender 4.2');
    // A font: its family (the tile), with its style and glyph count (the detail view).
    assert.equal(mediaSize({ family: 'Press Start 2P', style: 'Regular', glyphs: 97 }), 'Press Start 2P');
    assert.equal(
      mediaDetails({ family: 'Press Start 2P', style: 'Regular', glyphs: 1234 }),
      'Press Start 2P · Regular · 1,234 glyphs',
    );
    assert.equal(mediaSize({ family: '  ' }), undefined);
  });

  test('the detail line adds px, then channels and rate for a sound', () => {
    assert.equal(mediaDetails({ width: 640, height: 360 }), '640 × 360 px');
    assert.equal(mediaDetails({ duration: 2, channels: 1, sample_rate: 8000 }), '2 s · mono · 8 kHz');
    assert.equal(
      mediaDetails({ duration: 200, channels: 2, sample_rate: 44100 }),
      '3:20 · stereo · 44.1 kHz',
    );
    assert.equal(mediaDetails({ duration: 1, channels: 6, sample_rate: 48000 }), '1 s · 6 channels · 48 kHz');
    assert.equal(mediaDetails({ channels: 2 }), undefined);
  });

  test("the CLI's lines show them too: the listing after the path, the description on a line", () => {
    const picture = {
      id: 'a1',
      type: 'backgrounds',
      path: 'backgrounds/sea.png',
      tags: ['sea'],
      preview: { kind: 'thumbnail', width: 1920, height: 1080 },
    };
    assert.equal(assetLine(picture), 'a1  backgrounds backgrounds/sea.png  (1920 × 1080)  [sea]');
    assert.match(describeAsset(picture), /\n {2}media: 1920 × 1080 px\n/);
    const sound = {
      ...picture,
      path: 'audio/sea.wav',
      preview: { duration: 61, channels: 2, sample_rate: 44100 },
    };
    assert.match(describeAsset(sound), /\n {2}media: 1:01 · stereo · 44\.1 kHz\n/);
    const { preview: _none, ...text } = { ...picture, path: 'scripts/a.txt' };
    assert.equal(assetLine(text), 'a1  backgrounds scripts/a.txt  [sea]');
    assert.doesNotMatch(describeAsset(text), /media:/);
  });
});
