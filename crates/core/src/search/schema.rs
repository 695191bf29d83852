//! The index schema, built once, with its `Field` handles kept together, and the text analyzer
//! shared by indexing, query parsing and highlighting (so all three agree on what a word is).
//!
//! The analyzer splits on anything that is not a letter or digit (and Chinese, Japanese and
//! Korean runs into overlapping bigrams, see [`super::words`]), lower-cases and folds accents
//! (`Café` → `cafe`), and does not stem. Stemming was weighed on the bundled notes: the forms it
//! would join there (`handshake`/`handshakes`, `server`/`servers`) are already joined by typo
//! tolerance and prefixes, while it breaks typing a prefix (`connecti` finds nothing once
//! `connection` is indexed as `connect`) and makes marked ranges differ from the typed words.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STORED,
    STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, TokenStream,
};
use tantivy::Index;

/// Bumped whenever the schema or the analyzer changes; an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

/// Name of the word analyzer.
pub const WORDS: &str = "margin_words";
/// Name of the whole-value, lower-cased analyzer (tags).
pub const KEYWORD: &str = "margin_keyword";

/// The fields of a section document.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Note id, exact (`STRING | STORED`): deletes and grouping use it.
    pub note: Field,
    /// Heading anchor of the section.
    pub anchor: Field,
    /// `A › B` heading path.
    pub heading: Field,
    /// Note title.
    pub title: Field,
    /// Section text.
    pub body: Field,
    /// Tags, whole and lower-cased.
    pub tags: Field,
    /// Every folder the note is in (`a`, `a/b`), lower-cased, for `in:`.
    pub folders: Field,
    /// Highlighted quotes and comments of the section's annotations.
    pub annotations: Field,
    /// `yes` when the section has annotations (`is:annotated`).
    pub annotated: Field,
    /// Colours of the section's annotations (`color:`).
    pub colors: Field,
    /// Position of the section in its note.
    pub ord: Field,
    /// A fingerprint of everything the section's document holds (indexed and fast): a save of
    /// a long note re-indexes only the sections whose key changed.
    pub key: Field,
}

impl Fields {
    /// Builds the schema and its handles.
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let words = |stored: bool| {
            let opts = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            if stored {
                opts.set_stored()
            } else {
                opts
            }
        };
        let fields = Fields {
            note: b.add_text_field("note", STRING | STORED),
            anchor: b.add_text_field("anchor", STORED),
            heading: b.add_text_field("heading", words(true)),
            title: b.add_text_field("title", words(true)),
            body: b.add_text_field("body", words(true)),
            tags: b.add_text_field(
                "tags",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(KEYWORD)
                        .set_index_option(IndexRecordOption::WithFreqs),
                ),
            ),
            folders: b.add_text_field("folders", STRING),
            annotations: b.add_text_field("annotations", words(true)),
            annotated: b.add_text_field("annotated", STRING),
            colors: b.add_text_field("colors", STRING),
            ord: b.add_u64_field("ord", NumericOptions::default().set_stored()),
            key: b.add_u64_field("key", NumericOptions::default().set_indexed().set_fast()),
        };
        (b.build(), fields)
    }
}

fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(super::words::WordTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers Margin's analyzers on an index.
pub fn register(index: &Index) {
    index.tokenizers().register(WORDS, words_analyzer());
    index.tokenizers().register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The words of `text` as the index sees them.
pub fn analyze(text: &str) -> Vec<String> {
    let mut analyzer = words_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The words of `text` with their byte ranges in `text`.
pub fn analyze_with_offsets(text: &str) -> Vec<(usize, usize, String)> {
    let mut analyzer = words_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push((t.offset_from, t.offset_to, t.text.clone()));
    }
    out
}
