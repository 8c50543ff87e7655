/** The Bulk Tag Editor's tag suggestions (web/src/gallery/tag-suggestions.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tagSuggestions, withTag } from '../../web/src/gallery/tag-suggestions.js';

const tags = [
  { value: 'background', count: 40 },
  { value: 'character', count: 120 },
  { value: 'characters-old', count: 3 },
  { value: 'main-character', count: 12 },
  { value: 'night', count: 55 },
  { value: 'ui', count: 9 },
];
const names = (text: string): string[] => tagSuggestions(text, tags).map((t) => t.value);

test('the tag being typed is completed: those starting with it, most used first, then those holding it', () => {
  assert.deepEqual(names('char'), ['character', 'characters-old', 'main-character']);
  assert.deepEqual(names('night, CHAR'), ['character', 'characters-old', 'main-character']);
  assert.deepEqual(names('ght'), ['night']);
  // Nothing typed after the last comma, or nothing matching: none.
  assert.deepEqual(names(''), []);
  assert.deepEqual(names('night, '), []);
  assert.deepEqual(names('zzz'), []);
  // A tag already in the list, or typed whole, is not offered again.
  assert.deepEqual(names('character, char'), ['characters-old', 'main-character']);
  assert.deepEqual(names('night'), []);
});

test('taking a suggestion replaces the entry being typed and leaves room for the next', () => {
  assert.equal(withTag('char', 'character'), 'character, ');
  assert.equal(withTag('night, char', 'character'), 'night, character, ');
  assert.equal(withTag('night,char', 'character'), 'night, character, ');
});
