import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headingLines } from '../editor.js';

test('heading lines skip fenced code and need a space after the hashes', () => {
  const text = '# One\ntext\n```\n# not a heading\n```\n## Two\n#hashtag\n~~~sh\n# comment\n~~~\n### Three';
  assert.deepEqual(headingLines(text), [0, 5, 10]);
});
