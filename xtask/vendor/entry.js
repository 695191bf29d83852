// What Margin's editor takes from CodeMirror 6: bundled by `cargo xtask vendor` into
// ui/vendor/codemirror.js, one ES module with no further imports.
export { EditorState, StateEffect, StateField, RangeSetBuilder, Transaction, EditorSelection } from "@codemirror/state";
export { EditorView, keymap, Decoration, drawSelection, highlightActiveLine, dropCursor, lineNumbers, ViewPlugin, tooltips } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { searchKeymap, highlightSelectionMatches, openSearchPanel } from "@codemirror/search";
export { markdown, markdownLanguage } from "@codemirror/lang-markdown";
export { syntaxHighlighting, HighlightStyle, indentOnInput, bracketMatching } from "@codemirror/language";
export { autocompletion, completionKeymap } from "@codemirror/autocomplete";
export { tags } from "@lezer/highlight";
export { StyleModule } from "style-mod";
