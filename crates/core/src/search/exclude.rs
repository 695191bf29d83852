//! Excluded phrases (`-"load balancer"`) as a filter on collected documents.
//!
//! tantivy 0.27 breaks its own contract when a phrase scorer serves as an exclusion set: the
//! exclusion calls `seek_danger` on the phrase scorer after it ran out, which trips a debug
//! assertion (and relies on unspecified behaviour in release builds). The query fuzzer found it
//! (`fuzz/regressions/query/`). So phrases never go into a `MustNot` clause: the documents that
//! contain them are found first, once per search ([`Excluded`]), by a plain phrase query, and
//! [`Without`] skips them while the real query (and its typo-tolerant retry) is collected.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, DocSetCollector, SegmentCollector};
use tantivy::query::{Query, Weight};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// The documents to leave out, per segment.
#[derive(Debug, Default)]
pub struct Excluded(Arc<HashMap<SegmentOrdinal, HashSet<DocId>>>);

impl Excluded {
    /// The documents that match `query`.
    pub fn find(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<Excluded> {
        let mut by_segment: HashMap<SegmentOrdinal, HashSet<DocId>> = HashMap::new();
        for address in searcher.search(query, &DocSetCollector)? {
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .insert(address.doc_id);
        }
        Ok(Excluded(Arc::new(by_segment)))
    }

    /// `inner`, minus these documents.
    pub fn around<C: Collector>(&self, inner: C) -> Without<C> {
        Without {
            inner,
            excluded: Arc::clone(&self.0),
        }
    }
}

/// A collector that passes everything but the excluded documents on to `inner`.
pub struct Without<C> {
    inner: C,
    excluded: Arc<HashMap<SegmentOrdinal, HashSet<DocId>>>,
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

    /// A segment with nothing to leave out goes straight to `inner`, keeping its fast paths
    /// (top-k pruning); the others are collected document by document.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<Self::Child as SegmentCollector>::Fruit> {
        if self.excluded.get(&ord).is_none_or(HashSet::is_empty) {
            return self.inner.collect_segment(weight, ord, reader);
        }
        let mut segment = self.for_segment(ord, reader)?;
        match reader.alive_bitset() {
            Some(alive) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    segment.collect(doc, score);
                }
            })?,
            None => weight.for_each(reader, &mut |doc, score| segment.collect(doc, score))?,
        }
        Ok(segment.harvest())
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
