//! The duplicate-id registry: one [`TicketRecord`] per audited ticket, found by its id. Ids
//! live end to end in one arena and records in one vector, both indexed by the ticket's place
//! (a `u32`); a hash table of places finds an id's place. Per ticket that is the record, the
//! id's bytes, a 4-byte end offset and about 5 bytes of table — no allocation per ticket, and
//! the end of the run orders places, not (id, record) pairs.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::TicketRecord;

pub(super) struct Registry {
    /// Every id, end to end, in the order they were registered.
    ids: String,
    /// Where each id ends in `ids`, modulo 2³² (an id is at most `read::MAX_LINE_BYTES`).
    ends: Vec<u32>,
    /// The first place whose end is past each multiple of 2³² bytes: how `ends` unwrap.
    wraps: Vec<u32>,
    records: Vec<TicketRecord>,
    /// Places, hashed by their id; `None` once the end of the run needs no more look-ups.
    table: Option<HashTable<u32>>,
    hasher: RandomState,
}

impl Registry {
    pub(super) fn new() -> Registry {
        Registry {
            ids: String::new(),
            ends: Vec::new(),
            wraps: Vec::new(),
            records: Vec::new(),
            table: Some(HashTable::new()),
            hasher: RandomState::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    /// The place of `id`, if it is registered.
    pub(super) fn find(&self, id: &str) -> Option<u32> {
        let table = self.table.as_ref().expect("look-ups end with forget_ids");
        let hash = self.hasher.hash_one(id);
        table.find(hash, |&place| self.id(place) == id).copied()
    }

    /// Registers an id not registered yet; returns its place.
    pub(super) fn insert(&mut self, id: &str, record: TicketRecord) -> u32 {
        debug_assert!(self.find(id).is_none(), "registered twice");
        let place = u32::try_from(self.records.len()).expect("fewer than 2³² tickets");
        let before = self.ids.len() as u64;
        self.ids.push_str(id);
        let after = self.ids.len() as u64;
        for _ in (before >> 32)..(after >> 32) {
            self.wraps.push(place);
        }
        self.ends.push(after as u32);
        self.records.push(record);
        let Registry { ids, ends, wraps, table, hasher, .. } = self;
        let table = table.as_mut().expect("registering ends with forget_ids");
        let end = |place: u32| unwrapped(ends, wraps, place);
        table.insert_unique(hasher.hash_one(id), place, |&p| {
            let start = if p == 0 { 0 } else { end(p - 1) };
            hasher.hash_one(&ids[start..end(p)])
        });
        place
    }

    pub(super) fn id(&self, place: u32) -> &str {
        let start = if place == 0 { 0 } else { unwrapped(&self.ends, &self.wraps, place - 1) };
        &self.ids[start..unwrapped(&self.ends, &self.wraps, place)]
    }

    pub(super) fn get(&self, place: u32) -> &TicketRecord {
        &self.records[place as usize]
    }

    pub(super) fn get_mut(&mut self, place: u32) -> &mut TicketRecord {
        &mut self.records[place as usize]
    }

    /// Every record, by place.
    pub(super) fn records(&self) -> &[TicketRecord] {
        &self.records
    }

    /// Every place.
    pub(super) fn places(&self) -> std::ops::Range<u32> {
        0..self.records.len() as u32
    }

    /// The bytes its vectors and table hold (capacity, not length).
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.ids.capacity()
            + 4 * (self.ends.capacity() + self.wraps.capacity())
            + std::mem::size_of::<TicketRecord>() * self.records.capacity()
            + self.table.as_ref().map_or(0, HashTable::allocation_size)
    }

    /// Frees the hash table: no id is looked up after this.
    pub(super) fn forget_ids(&mut self) {
        self.table = None;
    }
}

/// Where the id at `place` ends in the arena.
fn unwrapped(ends: &[u32], wraps: &[u32], place: u32) -> usize {
    let high = wraps.partition_point(|&w| w <= place) as u64;
    ((high << 32) | u64::from(ends[place as usize])) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: u32) -> TicketRecord {
        TicketRecord {
            owner: 0,
            checks: 0,
            severity: None,
            pending: false,
            reasons: Default::default(),
            spill_at: 0,
            queue_len: 0,
            flagged_len: 0,
            ticket_len: 0,
            file: 0,
            line,
            rows: 1,
        }
    }

    #[test]
    fn ids_are_found_at_the_place_they_were_registered() {
        let mut registry = Registry::new();
        // The empty id and ids that are prefixes of one another end where the next starts.
        let ids = ["T-2", "", "T-20", "工单-1", "T"];
        for (line, id) in ids.iter().enumerate() {
            assert_eq!(registry.insert(id, record(line as u32)), line as u32);
        }
        assert_eq!(registry.len(), 5);
        for (place, id) in ids.iter().enumerate() {
            let place = place as u32;
            assert_eq!(registry.find(id), Some(place));
            assert_eq!(registry.id(place), *id);
            assert_eq!(registry.get(place).line, place);
        }
        assert_eq!(registry.find("T-200"), None);
        assert_eq!(registry.find("T-"), None);
    }

    #[test]
    fn a_registered_ticket_holds_under_100_bytes() {
        // Issue #13's budget for peak RSS per added ticket, on synth's 11-byte ids
        // (`S1-00000001`). At 1,000,000 tickets: records 2²⁰ × 56 = 58,720,256 B; the arena
        // doubles from 11 B to 11 × 2²⁰ = 11,534,336 B; ends 2²⁰ × 4 = 4,194,304 B; the table
        // 2²¹ buckets (1,000,000 ÷ ⅞ > 2²⁰) × (4 + 1 control byte) + 16 = 10,485,776 B. Sum
        // 84,934,672 B: 85 B per ticket. A HashMap<Box<str>, 64-byte record> held 2²¹ × (16 +
        // 64 + 1) B of table and a 16-byte box per id: 186 B per ticket.
        let mut registry = Registry::new();
        let n = 1_000_000;
        for i in 0..n {
            registry.insert(&format!("S1-{i:08}"), record(i));
        }
        assert_eq!(registry.find("S1-00123456"), Some(123_456));
        assert_eq!(registry.heap_bytes(), 84_934_672);
        let per_ticket = registry.heap_bytes() as f64 / f64::from(n);
        assert!(per_ticket <= 100.0, "{per_ticket:.1} B per registered ticket (budget 100 B)");
    }

    #[test]
    fn arena_offsets_unwrap_past_four_gib() {
        // Ends taken modulo 2³²: place 0 ends at 4 GiB − 2, place 1 at 4 GiB + 3 (wrapped to
        // 3), place 2 at 4 GiB + 7 (7); place 1 is the first past 2³², so wraps = [1].
        let ends = [u32::MAX - 1, 3, 7];
        let wraps = [1];
        assert_eq!(unwrapped(&ends, &wraps, 0), (1 << 32) - 2);
        assert_eq!(unwrapped(&ends, &wraps, 1), (1 << 32) + 3);
        assert_eq!(unwrapped(&ends, &wraps, 2), (1 << 32) + 7);
    }
}
