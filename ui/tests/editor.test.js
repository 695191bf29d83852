import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headingLines, flattenNotes, wikiCompletions, minimalChange } from '../editor.js';

test('heading lines skip fenced code and need a space after the hashes', () => {
  const text = '# One\ntext\n```\n# not a heading\n```\n## Two\n#hashtag\n~~~sh\n# comment\n~~~\n### Three';
  assert.deepEqual(headingLines(text), [0, 5, 10]);
});

test('[[ completion: titles and file names, prefix matches first, inserts the file name', () => {
  const tree = [
    { kind: 'folder', name: 'net', path: 'net', children: [
      { kind: 'note', id: 'net/tcp-handshake.md', title: 'TCP handshake', tags: [], headings: [] },
      { kind: 'note', id: 'net/udp.md', title: 'UDP vs TCP', tags: [], headings: [] },
    ] },
    { kind: 'note', id: 'index.md', title: 'Index', tags: [], headings: [] },
  ];
  const notes = flattenNotes(tree);
  assert.equal(notes.length, 3);
  const got = wikiCompletions(notes, 'tcp');
  assert.deepEqual(got.map((c) => c.apply), ['tcp-handshake]]', 'udp]]']);
  assert.equal(got[0].detail, 'net/tcp-handshake.md');
  assert.equal(wikiCompletions(notes, '').length, 3);
  assert.deepEqual(wikiCompletions(notes, 'nothing'), []);
});

test('a merged text replaces only what differs, so the cursor keeps its place in the text', () => {
  assert.equal(minimalChange('same', 'same'), null);
  assert.deepEqual(minimalChange('a\nb\nc', 'X\na\nb\nc'), { from: 0, to: 0, insert: 'X\n' });
  assert.deepEqual(minimalChange('one two three', 'one 2 three'), { from: 4, to: 7, insert: '2' });
  assert.deepEqual(minimalChange('aaa', 'aa'), { from: 2, to: 3, insert: '' });
});
