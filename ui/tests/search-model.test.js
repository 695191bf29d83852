// Pure UI logic, run by `node --test ui/tests` (part of `cargo xtask test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markRanges, groupHits, codePointToIndex, step } from '../search-model.js';
import { nextVisible, filterNotes } from '../tree-model.js';

test('markRanges marks code-point ranges, emoji included', () => {
  const parts = markRanges('a 🦀 crab and crab', [[4, 8], [13, 17]]);
  assert.deepEqual(parts, [
    { text: 'a 🦀 ', mark: false },
    { text: 'crab', mark: true },
    { text: ' and ', mark: false },
    { text: 'crab', mark: true },
  ]);
});

test('markRanges ignores ranges out of bounds or overlapping', () => {
  assert.deepEqual(markRanges('abc', [[1, 9], [0, 2], [5, 6]]), [
    { text: 'ab', mark: true },
    { text: 'c', mark: true },
  ]);
  assert.deepEqual(markRanges('', [[0, 1]]), []);
});

test('groupHits keeps note order and counts the rest', () => {
  const hits = [
    { note: 'a.md', title: 'A', anchor: '1' },
    { note: 'a.md', title: 'A', anchor: '2' },
    { note: 'b.md', title: 'B', anchor: '' },
    { note: 'a.md', title: 'A', anchor: '3' },
    { note: 'a.md', title: 'A', anchor: '4' },
  ];
  const groups = groupHits(hits, 2);
  assert.deepEqual(groups.map((g) => [g.note, g.hits.length, g.more]), [['a.md', 2, 2], ['b.md', 1, 0]]);
});

test('codePointToIndex counts surrogate pairs as one', () => {
  assert.equal(codePointToIndex('🦀x', 1), 2);
  assert.equal(codePointToIndex('ab', 5), 2);
});

test('step wraps around', () => {
  assert.equal(step(0, -1, 3), 2);
  assert.equal(step(2, 1, 3), 0);
  assert.equal(step(-1, 1, 0), -1);
});

test('filterNotes matches every word of titles and ids, best first', () => {
  const notes = [
    { id: 'net/tcp.md', title: 'TCP handshake' },
    { id: 'net/udp.md', title: 'UDP' },
    { id: 'web/http.md', title: 'HTTP and handshakes' },
  ];
  assert.deepEqual(filterNotes(notes, 'hand').map((n) => n.id), ['net/tcp.md', 'web/http.md']);
  assert.deepEqual(filterNotes(notes, 'net hand').map((n) => n.id), ['net/tcp.md']);
  assert.deepEqual(filterNotes(notes, 'ÜDP').map((n) => n.id), ['net/udp.md']);
  assert.equal(filterNotes(notes, '').length, 3);
});

test('nextVisible moves within bounds', () => {
  assert.equal(nextVisible(0, 1, 3), 1);
  assert.equal(nextVisible(2, 1, 3), 2);
  assert.equal(nextVisible(0, -1, 3), 0);
  assert.equal(nextVisible(-1, 1, 0), -1);
});
