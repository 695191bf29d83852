import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zoomStep, ZOOM_STEPS } from '../layout.js';

test('the interface zoom steps as browsers do, within 50–300 %', () => {
  assert.equal(zoomStep(1, 1), 1.1);
  assert.equal(zoomStep(1, -1), 0.9);
  assert.equal(zoomStep(1.75, 1), 2);
  assert.equal(zoomStep(2, 0), 1);
  assert.equal(zoomStep(3, 1), 3);
  assert.equal(zoomStep(0.5, -1), 0.5);
  // A remembered value between steps goes to the next step from the nearest.
  assert.equal(zoomStep(1.3, 1), 1.5);
  assert.deepEqual([ZOOM_STEPS[0], ZOOM_STEPS.at(-1)], [0.5, 3]);
});
