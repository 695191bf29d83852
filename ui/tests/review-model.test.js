import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeOfKey, interval, summary } from '../review-model.js';

test('1–4 grade as in Anki, other keys do not', () => {
  assert.deepEqual(['1', '2', '3', '4'].map(gradeOfKey), ['again', 'hard', 'good', 'easy']);
  assert.equal(gradeOfKey('5'), null);
  assert.equal(gradeOfKey(' '), null);
});

test('intervals read as a person says them', () => {
  assert.equal(interval(10 / 1440), 'in 10 min');
  assert.equal(interval(0.0001), 'in 1 min');
  assert.equal(interval(0.5), 'in 12 h');
  assert.equal(interval(1), 'in 1 day');
  assert.equal(interval(3.4), 'in 3 days');
  assert.equal(interval(75), 'in 2.5 months');
  assert.equal(interval(800), 'in 2.2 years');
});

test('the summary counts cards, time and the share not forgotten', () => {
  const s = summary([
    { grade: 'good', tookMs: 4000 },
    { grade: 'again', tookMs: 9000 },
    { grade: 'easy', tookMs: 2000 },
    { grade: 'hard', tookMs: 50000 },
  ]);
  assert.equal(s.cards, 4);
  assert.equal(s.time, '1 min 5 s');
  assert.equal(s.retention, 75);
  assert.equal(s.again, 1);
  assert.equal(s.text, '4 cards in 1 min 5 s · 75 % remembered · 1 again');
  assert.equal(summary([]).text, 'No cards reviewed.');
  assert.equal(summary([]).retention, null);
});
