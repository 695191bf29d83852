import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineSpans, rememberedLineSpans } from '../editor-long.js';

const classes = (line, fence = null) => lineSpans(line, fence).spans.map((s) => [line.slice(s.from, s.to), s.cls]);

test('a heading line is coloured whole, its hashes as marks', () => {
  assert.deepEqual(classes('## Load balancing'), [['## Load balancing', 'cm-md-heading'], ['##', 'cm-md-mark']]);
  assert.deepEqual(classes('#hashtag'), []);
});

test('list markers, quotes and task boxes', () => {
  assert.deepEqual(classes('  - item'), [['-', 'cm-md-list']]);
  assert.deepEqual(classes('12. item'), [['12.', 'cm-md-list']]);
  assert.deepEqual(classes('- [x] done'), [['- [x]', 'cm-md-list']]);
  assert.deepEqual(classes('> quoted *words*'), [['> quoted *words*', 'cm-md-quote'], ['*words*', 'cm-md-emphasis']]);
});

test('inline code, strong, emphasis, links and wiki links', () => {
  assert.deepEqual(classes('run `ls -la` now'), [['`ls -la`', 'cm-md-code']]);
  assert.deepEqual(classes('a **bold** b'), [['**bold**', 'cm-md-strong']]);
  assert.deepEqual(classes('an *em* and _em_'), [['*em*', 'cm-md-emphasis'], ['_em_', 'cm-md-emphasis']]);
  assert.deepEqual(classes('snake_case_name stays'), []);
  assert.deepEqual(classes('see [the ring](hash.md "t")'), [['[the ring]', 'cm-md-link'], ['(hash.md "t")', 'cm-md-url']]);
  assert.deepEqual(classes('see [[Hashing]]'), [['[[Hashing]]', 'cm-md-link']]);
});

test('nothing but the code is coloured inside inline code', () => {
  assert.deepEqual(classes('`**not bold** [no](link)`'), [['`**not bold** [no](link)`', 'cm-md-code']]);
});

test('fenced blocks carry from line to line and close on a matching fence', () => {
  let state = lineSpans('```rust', null);
  assert.deepEqual(state.spans, [{ from: 0, to: 7, cls: 'cm-md-code' }]);
  state = lineSpans('# not a heading', state.fence);
  assert.deepEqual(state.spans.map((s) => s.cls), ['cm-md-code']);
  assert.ok(state.fence);
  state = lineSpans('~~~', state.fence); // another kind of fence does not close it
  assert.ok(state.fence);
  state = lineSpans('```', state.fence);
  assert.equal(state.fence, null);
  assert.deepEqual(classes('# a heading again'), [['# a heading again', 'cm-md-heading'], ['#', 'cm-md-mark']]);
});

test('spans come sorted by start, outer first', () => {
  const { spans } = lineSpans('# Title with `code` and **bold**');
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1].from <= spans[i].from);
  assert.equal(spans[0].cls, 'cm-md-heading');
});

test('remembered line colouring answers as lineSpans does, inside and outside fences', () => {
  const lines = ['## Title', '```rust', 'fn main() {}', '```', '- [ ] task with `code`', '', '> quote', '~~~', 'fn main() {}'];
  const remembered = rememberedLineSpans(3); // small: it forgets and fills again on the way
  for (let round = 0; round < 3; round++) {
    let plain = null;
    let kept = null;
    for (const line of lines) {
      const want = lineSpans(line, plain);
      const got = remembered(line, kept);
      assert.deepEqual(got, want, `${JSON.stringify(line)} in ${JSON.stringify(plain)}`);
      plain = want.fence;
      kept = got.fence;
    }
  }
  // The same text inside and outside a fence is coloured differently: both remembered apart.
  const fence = lineSpans('```').fence;
  assert.deepEqual(remembered('# not a heading', fence), lineSpans('# not a heading', fence));
  assert.deepEqual(remembered('# not a heading'), lineSpans('# not a heading'));
  assert.notDeepEqual(remembered('# not a heading', fence), remembered('# not a heading'));
});
