// Markdown colouring for long notes in the editor: only the lines on screen, line by line.
// CodeMirror's Markdown language re-parses the note up to the cursor at every key press; on a
// 500 KB note that is 35 ms a key in WebKitGTK (measured by the window benchmark), so a long
// note is coloured by this instead: the same classes (ui/styles.css, cm-md-*), for headings,
// quotes, list markers, fenced and inline code, strong and emphasis, links and [[links]].
// What it gives up: nesting (a list inside a quote is coloured as a quote) and Enter
// continuing a list, which need the whole parse.
// Usage: extensions.push(longNoteColouring(lib)); lineSpans(line, inFence) is pure (tested);
// rememberedLineSpans() gives the same answers, remembered.

/** Notes longer than this (UTF-16 units) get line colouring instead of the full parse. */
export const LONG_NOTE = 100_000;

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^(\s{0,3}#{1,6})(\s|$)/;
const QUOTE = /^\s{0,3}>/;
const LIST = /^(\s*)([-+*]|\d{1,9}[.)])(\s+\[[ xX]\])?(?=\s)/;
// Each pattern's first group is what comes before the span (no lookbehind: older Safari, the
// macOS webview, lacks it).
const INLINE = [
  [/()`[^`\n]+`/g, 'cm-md-code'],
  [/()(\*\*|__)(?=\S)(?:.*?\S)\2/g, 'cm-md-strong'],
  [/(^|[^*_\w])([*_])(?![*_\s])(?:[^*_\n]*?[^*_\s])?\2(?![*_\w])/g, 'cm-md-emphasis'],
  [/()\[\[[^\]\n]+\]\]/g, 'cm-md-link'],
];
const LINK = /(!?\[[^\]\n]*\])(\([^)\s]*(?:\s+"[^"\n]*")?\))/g;

/** The fence a line opens or closes (its first character and length), or null. */
function fenceOf(line) {
  const m = FENCE.exec(line);
  return m ? { char: m[1][0], len: m[1].length } : null;
}

/**
 * Colouring of one line: `{ spans: [{ from, to, cls }], fence }`, offsets within the line,
 * sorted by start (outer spans first). `fence` is the fenced block the line is in (null when
 * outside one) and what the next line is in.
 */
export function lineSpans(line, fence = null) {
  const f = fenceOf(line);
  if (fence) {
    const closes = f && f.char === fence.char && f.len >= fence.len && !line.slice(line.indexOf(fence.char) + f.len).trim();
    return { spans: line ? [{ from: 0, to: line.length, cls: 'cm-md-code' }] : [], fence: closes ? null : fence };
  }
  if (f) return { spans: [{ from: 0, to: line.length, cls: 'cm-md-code' }], fence: f };
  const spans = [];
  const heading = HEADING.exec(line);
  if (heading) {
    spans.push({ from: 0, to: line.length, cls: 'cm-md-heading' });
    spans.push({ from: heading[1].search(/#/), to: heading[1].length, cls: 'cm-md-mark' });
  } else if (QUOTE.test(line)) {
    spans.push({ from: 0, to: line.length, cls: 'cm-md-quote' });
  } else {
    const list = LIST.exec(line);
    if (list) spans.push({ from: list[1].length, to: list[0].length, cls: 'cm-md-list' });
  }
  const code = [];
  for (const [re, cls] of INLINE) {
    re.lastIndex = 0;
    for (let m; (m = re.exec(line));) {
      const span = { from: m.index + m[1].length, to: m.index + m[0].length, cls };
      // Nothing is coloured inside inline code but the code itself.
      if (cls !== 'cm-md-code' && code.some((c) => c.from < span.to && span.from < c.to)) continue;
      if (cls === 'cm-md-code') code.push(span);
      spans.push(span);
    }
  }
  LINK.lastIndex = 0;
  for (let m; (m = LINK.exec(line));) {
    const at = m.index;
    if (code.some((c) => c.from < at + m[0].length && at < c.to)) continue;
    spans.push({ from: at, to: at + m[1].length, cls: 'cm-md-link' });
    spans.push({ from: at + m[1].length, to: at + m[0].length, cls: 'cm-md-url' });
  }
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  return { spans, fence: null };
}

/** `lineSpans`, remembered by the line's text and the fence it is in: a key press changes one
 *  line on screen, and the others are not matched against the patterns again (on the 1 MB note
 *  a key's script p95 went from 10–12 to 9 ms, release app). Forgets all once it holds `limit` lines. */
export function rememberedLineSpans(limit = 2000) {
  const seen = new Map();
  return (text, fence = null) => {
    // Lines hold no newline, so a key with one never equals a plain line's text.
    const key = fence ? `${fence.char}${fence.len}\n${text}` : text;
    let out = seen.get(key);
    if (!out) {
      out = lineSpans(text, fence);
      if (seen.size >= limit) seen.clear();
      seen.set(key, out);
    }
    return out;
  };
}

/** Whether the lines before position `pos` leave it inside a fenced block (and which). */
function fenceBefore(doc, pos) {
  let fence = null;
  const last = doc.lineAt(pos).number - 1;
  if (last < 1) return null;
  const lines = doc.iterLines(1, last + 1);
  for (let r = lines.next(); !r.done; r = lines.next()) {
    if (r.lineBreak) continue;
    const line = r.value;
    // Only fence lines change the state: skip the rest without a regex.
    const c = line.trimStart()[0];
    if (c !== '`' && c !== '~' && !fence) continue;
    fence = lineSpans(line, fence).fence;
  }
  return fence;
}

/** The CodeMirror extension: decorations for the visible lines, rebuilt when they change. */
export function longNoteColouring(lib) {
  const { ViewPlugin, Decoration, RangeSetBuilder } = lib;
  const marks = new Map();
  const mark = (cls) => {
    let m = marks.get(cls);
    if (!m) marks.set(cls, (m = Decoration.mark({ class: cls })));
    return m;
  };
  return ViewPlugin.fromClass(class {
    constructor(view) {
      this.fenceCache = null; // { from, fence }: the fence state at a visible range's start
      this.spans = rememberedLineSpans();
      this.decorations = this.build(view);
    }

    update(u) {
      if (!u.docChanged && !u.viewportChanged) return;
      // An edit above the cached point may open or close a fence: count again from the top.
      if (this.fenceCache && u.docChanged) {
        const from = this.fenceCache.from;
        if (u.changes.touchesRange(0, from)) this.fenceCache = null;
        else this.fenceCache = { from: u.changes.mapPos(from), fence: this.fenceCache.fence };
      }
      this.decorations = this.build(u.view);
    }

    fenceAt(doc, from) {
      if (this.fenceCache?.from !== from) this.fenceCache = { from, fence: fenceBefore(doc, from) };
      return this.fenceCache.fence;
    }

    build(view) {
      const builder = new RangeSetBuilder();
      const { doc } = view.state;
      let first = true;
      for (const { from, to } of view.visibleRanges) {
        let pos = doc.lineAt(from).from;
        let fence = first ? this.fenceAt(doc, pos) : fenceBefore(doc, pos);
        first = false;
        while (pos <= to) {
          const line = doc.lineAt(pos);
          const out = this.spans(line.text, fence);
          fence = out.fence;
          for (const s of out.spans) if (s.from < s.to) builder.add(line.from + s.from, line.from + s.to, mark(s.cls));
          pos = line.to + 1;
        }
      }
      return builder.finish();
    }
  }, { decorations: (v) => v.decorations });
}
