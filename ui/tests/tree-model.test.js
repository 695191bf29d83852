import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterNotes, flattenFolders, movedId } from '../tree-model.js';

const tree = [
  { kind: 'folder', name: 'net', path: 'net', children: [
    { kind: 'folder', name: 'tcp', path: 'net/tcp', children: [] },
    { kind: 'note', id: 'net/dns.md', title: 'DNS' },
  ] },
  { kind: 'note', id: 'index.md', title: 'Index' },
];

test('every folder is a place to move to, the top one first', () => {
  assert.deepEqual(flattenFolders(tree), ['', 'net', 'net/tcp']);
});

test('a moved note keeps its file name', () => {
  assert.equal(movedId('net/dns.md', 'net/tcp'), 'net/tcp/dns.md');
  assert.equal(movedId('net/dns.md', ''), 'dns.md');
  assert.equal(movedId('index.md', '/net/'), 'net/index.md');
});

test('the tree filter finds titles before paths', () => {
  const notes = [{ id: 'dns/tcp.md', title: 'Other' }, { id: 'x.md', title: 'TCP' }];
  assert.deepEqual(filterNotes(notes, 'tcp').map((n) => n.id), ['x.md', 'dns/tcp.md']);
});
