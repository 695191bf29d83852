//! What a word is, for the index, the query and the marks alike: a run of letters and digits;
//! in Chinese, Japanese and Korean text, where words are not separated by spaces, every two
//! neighbouring characters (overlapping bigrams, as Lucene's `CJKAnalyzer` does).
//!
//! Bigrams need no dictionary and find any word inside a run (`压缩` in `使用tar压缩文件`: the
//! query's bigrams, one after another, as a phrase). A dictionary segmenter (jieba-rs, lindera)
//! was weighed: 5–50 MB of dictionaries for one language each, slower indexing, and a word it
//! splits differently from the writer's is not found at all, where bigrams always are.
//! Hand-written because tantivy's tokenizers treat a run of Han characters as one word.

use std::iter::Peekable;
use std::str::CharIndices;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Han, kana and Hangul: scripts written without spaces between words (Korean has spaces,
/// but its compounds are long; bigrams find their parts, as in Lucene).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x2E80..=0x2FDF    // CJK radicals
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3100..=0x31FF    // Bopomofo, Hangul compatibility Jamo, Katakana extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xA960..=0xA97F    // Hangul Jamo extended A
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x3134F  // CJK extensions B–G
    )
}

/// Splits text into words: letter/digit runs, and CJK runs into overlapping bigrams (a lone
/// CJK character is a word of its own).
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The words of one text.
pub struct WordStream<'a> {
    text: &'a str,
    chars: Peekable<CharIndices<'a>>,
    token: &'a mut Token,
    /// Inside a CJK run: the last character read (its offset), and whether a bigram ending
    /// at it was given already.
    run: Option<(usize, char, bool)>,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            chars: text.char_indices().peekable(),
            token: &mut self.token,
            run: None,
        }
    }
}

impl WordStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((start, first, given)) = self.run {
                match self.chars.peek().copied() {
                    Some((at, c)) if is_cjk(c) => {
                        self.chars.next();
                        self.run = Some((at, c, true));
                        return self.emit(start, at + c.len_utf8());
                    }
                    _ => {
                        self.run = None;
                        if !given {
                            return self.emit(start, start + first.len_utf8());
                        }
                    }
                }
            }
            let Some((at, c)) = self.chars.next() else {
                return false;
            };
            if !c.is_alphanumeric() {
                continue;
            }
            if is_cjk(c) {
                self.run = Some((at, c, false));
                continue;
            }
            let mut end = at + c.len_utf8();
            while let Some(&(next, d)) = self.chars.peek() {
                if !d.is_alphanumeric() || is_cjk(d) {
                    break;
                }
                self.chars.next();
                end = next + d.len_utf8();
            }
            return self.emit(at, end);
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.0).collect()
    }

    #[test]
    fn latin_words_split_on_anything_not_a_letter_or_digit() {
        assert_eq!(
            words("Hello, tax-payer 42!"),
            vec![
                ("Hello".into(), 0, 5, 0),
                ("tax".into(), 7, 10, 1),
                ("payer".into(), 11, 16, 2),
                ("42".into(), 17, 19, 3),
            ]
        );
        assert_eq!(texts("Café naïve"), vec!["Café", "naïve"]);
    }

    #[test]
    fn cjk_runs_become_overlapping_bigrams_with_byte_offsets() {
        let text = "使用 tar 压缩文件";
        let got = words(text);
        let names: Vec<&str> = got.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(names, vec!["使用", "tar", "压缩", "缩文", "文件"]);
        for (word, from, to, _) in &got {
            assert_eq!(&text[*from..*to], word);
        }
        let positions: Vec<usize> = got.iter().map(|w| w.3).collect();
        assert_eq!(
            positions,
            vec![0, 1, 2, 3, 4],
            "bigrams of a run are consecutive"
        );
    }

    #[test]
    fn scripts_switch_without_spaces_and_lone_characters_stay() {
        assert_eq!(texts("tar压缩"), vec!["tar", "压缩"]);
        assert_eq!(texts("用tar"), vec!["用", "tar"]);
        assert_eq!(texts("压,缩"), vec!["压", "缩"]);
        assert_eq!(
            texts("ファイルを圧縮"),
            vec!["ファ", "ァイ", "イル", "ルを", "を圧", "圧縮"]
        );
        assert_eq!(texts("파일 압축"), vec!["파일", "압축"]);
        assert_eq!(texts(""), Vec::<String>::new());
        assert_eq!(texts("— … 。"), Vec::<String>::new());
    }
}
