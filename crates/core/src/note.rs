//! One note as the app shows it: id, title, tags, outline, sanitised HTML and visible text.

use serde::Serialize;

use crate::error::Result;
use crate::render::{self, Heading, LinkContext};
use crate::vault::Vault;

/// A note, rendered for reading.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// The note id.
    pub id: String,
    /// Front matter title, else first `#` heading, else the file name without extension.
    pub title: String,
    /// Tags from the front matter.
    pub tags: Vec<String>,
    /// Headings in reading order.
    pub outline: Vec<Heading>,
    /// Sanitised HTML of the body.
    pub html: String,
    /// The body's visible text (`textContent` of `html`): the coordinate space of highlights.
    pub text: String,
    /// Problems worth showing (front matter that is not YAML, …).
    pub warnings: Vec<String>,
}

/// Just enough of a note for the topic tree.
#[derive(Debug, Clone, Serialize)]
pub struct NoteSummary {
    /// The note id.
    pub id: String,
    /// See [`Note::title`].
    pub title: String,
    /// Tags from the front matter.
    pub tags: Vec<String>,
    /// Headings in reading order.
    pub outline: Vec<Heading>,
}

/// The title rule shared by every view of a note.
pub fn title_of(id: &str, front_title: Option<&str>, headings: &[Heading]) -> String {
    if let Some(title) = front_title {
        return title.to_string();
    }
    if let Some(h1) = headings.iter().find(|h| h.level == 1 && !h.text.is_empty()) {
        return h1.text.clone();
    }
    let name = id.rsplit('/').next().unwrap_or(id);
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string()
}

impl Note {
    /// Reads and renders note `id` of `vault`; `known_ids` resolves `[[wiki links]]`.
    /// Its `![[embeds]]` are read from `vault`.
    pub fn load(vault: &Vault, id: &str, known_ids: &[String]) -> Result<Note> {
        let source = vault.read(id)?;
        Ok(Note::render(id, &source, known_ids, Some(vault)))
    }

    /// Renders a note from its source text, without a vault: embedded notes show as links.
    pub fn from_source(id: &str, source: &str, known_ids: &[String]) -> Note {
        Note::render(id, source, known_ids, None)
    }

    fn render(id: &str, source: &str, known_ids: &[String], vault: Option<&Vault>) -> Note {
        let out = render::render(
            source,
            &LinkContext {
                note_id: id,
                known_ids,
                embeds: vault.map(|v| v as &dyn render::Embeds),
            },
        );
        let fm = out.outline.front_matter;
        Note {
            id: id.to_string(),
            title: title_of(id, fm.title.as_deref(), &out.outline.headings),
            tags: fm.tags,
            outline: out.outline.headings,
            html: out.html,
            text: out.text,
            warnings: fm.error.into_iter().collect(),
        }
    }
}

/// Embeds read through the vault's own rules: checked ids, nothing outside the vault.
impl render::Embeds for Vault {
    fn note_source(&self, id: &str) -> Option<String> {
        self.read(id).ok()
    }

    fn file_exists(&self, rel: &str) -> bool {
        self.image_path(rel).is_ok_and(|p| p.is_file())
    }

    fn note_ids(&self) -> Vec<String> {
        Vault::note_ids(self)
    }
}

impl NoteSummary {
    /// Summarises a note from its source text (no HTML is built).
    pub fn from_source(id: &str, source: &str) -> NoteSummary {
        let outline = render::outline(source);
        let fm = outline.front_matter;
        NoteSummary {
            id: id.to_string(),
            title: title_of(id, fm.title.as_deref(), &outline.headings),
            tags: fm.tags,
            outline: outline.headings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_falls_back_from_front_matter_to_h1_to_stem() {
        assert_eq!(
            NoteSummary::from_source("a/b.md", "---\ntitle: T\n---\n# H\n").title,
            "T"
        );
        assert_eq!(
            NoteSummary::from_source("a/b.md", "## sub\n# H\n").title,
            "H"
        );
        assert_eq!(
            NoteSummary::from_source("a/my note.md", "text").title,
            "my note"
        );
    }
}
