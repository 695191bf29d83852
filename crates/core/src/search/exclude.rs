//! Excluded phrases (`-"load balancer"`) as a filter on collected documents.
//!
//! tantivy 0.27 breaks its own contract when a phrase scorer serves as an exclusion set: the
//! exclusion calls `seek_danger` on the phrase scorer after it ran out, which trips a debug
//! assertion (and relies on unspecified behaviour in release builds). The query fuzzer found it
//! (`fuzz/regressions/query/`). So phrases never go into a `MustNot` clause: the documents that
//! contain them are found first, by a plain phrase query, and [`Without`] skips them while the
//! real query is collected.

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Collector, DocSetCollector, SegmentCollector};
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// A collector that passes everything but the excluded documents on to `inner`.
pub struct Without<C> {
    inner: C,
    excluded: HashMap<SegmentOrdinal, HashSet<DocId>>,
}

impl<C: Collector> Without<C> {
    /// `inner`, minus the documents that match `excluded` (nothing when `None`).
    pub fn new(
        searcher: &Searcher,
        excluded: Option<&dyn Query>,
        inner: C,
    ) -> tantivy::Result<Self> {
        let mut by_segment: HashMap<SegmentOrdinal, HashSet<DocId>> = HashMap::new();
        if let Some(query) = excluded {
            for address in searcher.search(query, &DocSetCollector)? {
                by_segment
                    .entry(address.segment_ord)
                    .or_default()
                    .insert(address.doc_id);
            }
        }
        Ok(Without {
            inner,
            excluded: by_segment,
        })
    }
}

impl<C: Collector> Collector for Without<C> {
    type Fruit = C::Fruit;
    type Child = WithoutInSegment<C::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(WithoutInSegment {
            inner: self.inner.for_segment(ord, reader)?,
            excluded: self.excluded.get(&ord).cloned().unwrap_or_default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

/// [`Without`] within one segment.
pub struct WithoutInSegment<S> {
    inner: S,
    excluded: HashSet<DocId>,
}

impl<S: SegmentCollector> SegmentCollector for WithoutInSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.excluded.contains(&doc) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}
