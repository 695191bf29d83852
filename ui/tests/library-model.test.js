import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterAnnotations, groupByTopic } from '../library-model.js';

const notes = [
  { note: 'net/tcp.md', title: 'TCP', annotations: [
    { id: '1', color: 'yellow', comment: 'three steps', tags: ['exam'], quote: { exact: 'SYN ACK' } },
    { id: '2', color: 'red', comment: '', tags: [], quote: { exact: 'FIN segment' } },
  ] },
  { note: 'intro.md', title: 'Intro', annotations: [
    { id: '3', color: 'red', comment: 'Café', tags: [], quote: { exact: 'overview' } },
  ] },
];

test('filters by words, #tags and colour', () => {
  assert.deepEqual(filterAnnotations(notes, { text: 'syn' }).map((n) => n.annotations.map((a) => a.id)), [['1']]);
  assert.deepEqual(filterAnnotations(notes, { text: '#exam' }).flatMap((n) => n.annotations.map((a) => a.id)), ['1']);
  assert.deepEqual(filterAnnotations(notes, { color: 'red' }).flatMap((n) => n.annotations.map((a) => a.id)), ['2', '3']);
  assert.deepEqual(filterAnnotations(notes, { text: 'cafe' }).flatMap((n) => n.annotations.map((a) => a.id)), ['3']);
  assert.equal(filterAnnotations(notes, { text: 'nothing' }).length, 0);
});

test('groups by folder, top level first', () => {
  assert.deepEqual(groupByTopic(notes).map((t) => [t.topic, t.notes.map((n) => n.note)]), [
    ['', ['intro.md']],
    ['net', ['net/tcp.md']],
  ]);
});
