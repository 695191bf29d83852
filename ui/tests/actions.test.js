import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActions, keyAction } from '../actions.js';

const key = (k, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

test('maps shortcuts with Ctrl or Cmd, and nothing else', () => {
  assert.equal(keyAction(key('k', { ctrlKey: true })), 'search');
  assert.equal(keyAction(key('P', { metaKey: true })), 'search');
  assert.equal(keyAction(key('A', { ctrlKey: true, shiftKey: true })), 'annotations');
  assert.equal(keyAction(key('L', { ctrlKey: true, shiftKey: true })), 'toggle-theme');
  assert.equal(keyAction(key('+', { ctrlKey: true, shiftKey: true })), 'zoom-in');
  assert.equal(keyAction(key('0', { ctrlKey: true })), 'zoom-reset');
  assert.equal(keyAction(key('k')), null);
  assert.equal(keyAction(key('k', { ctrlKey: true, altKey: true })), null);
  // Ctrl+Alt with =, - or 0 (by key position: Alt may change the character) zooms the interface.
  assert.equal(keyAction({ ...key('=', { ctrlKey: true, altKey: true }), code: 'Equal' }), 'interface-zoom-in');
  assert.equal(keyAction({ ...key('–', { ctrlKey: true, altKey: true }), code: 'Minus' }), 'interface-zoom-out');
  assert.equal(keyAction({ ...key('0', { metaKey: true, altKey: true }), code: 'Digit0' }), 'interface-zoom-reset');
  assert.equal(keyAction(key('a', { ctrlKey: true })), null, 'Ctrl+A stays select-all');
  assert.equal(keyAction(key('F1')), 'shortcuts');
  assert.equal(keyAction(key('F1', { ctrlKey: true })), null);
  assert.equal(keyAction(key('M', { ctrlKey: true, shiftKey: true })), 'move-note');
  assert.equal(keyAction(key('F2')), 'rename-note');
  assert.equal(keyAction(key('Delete', { ctrlKey: true })), 'delete-note');
});

test('one press seen by the menu and the page runs once; repeated presses all run', () => {
  let t = 0;
  let zooms = 0;
  const actions = createActions({ 'zoom-in': () => zooms++ }, { now: () => t });
  actions.run('zoom-in', 'menu');
  t += 5;
  actions.run('zoom-in', 'key');
  assert.equal(zooms, 1);
  t += 50;
  actions.run('zoom-in', 'key');
  t += 50;
  actions.run('zoom-in', 'key');
  assert.equal(zooms, 3, 'presses from one route are never merged');
  t += 1000;
  actions.run('zoom-in', 'menu');
  assert.equal(zooms, 4);
  // Fast presses that each reach both routes: every press runs once.
  for (let i = 0; i < 3; i++) {
    t += 100;
    actions.run('zoom-in', 'menu');
    t += 2;
    actions.run('zoom-in', 'key');
  }
  assert.equal(zooms, 7);
  assert.equal(actions.run('no-such-action', 'menu'), false);
  assert.equal(actions.run(null, 'key'), false);
});

test('writing keys: edit, save, new, rename, delete', () => {
  assert.equal(keyAction(key('e', { ctrlKey: true })), 'edit');
  assert.equal(keyAction(key('E', { metaKey: true })), 'edit');
  assert.equal(keyAction(key('s', { ctrlKey: true })), 'save');
  assert.equal(keyAction(key('n', { ctrlKey: true })), 'new-note');
  assert.equal(keyAction(key('N', { ctrlKey: true, shiftKey: true })), 'new-folder');
  assert.equal(keyAction(key('F2')), 'rename-note');
  assert.equal(keyAction(key('Delete', { ctrlKey: true })), 'delete-note');
  assert.equal(keyAction(key('Delete')), null, 'Delete alone stays a key of text fields');
  assert.equal(keyAction(key('e')), null);
});
