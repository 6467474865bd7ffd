//! Steady-state parsing of small chunks makes no heap allocation per chunk beyond the
//! `Bytes` handles, and reading heads in place none at all, counted with a counting
//! global allocator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
// A counting global allocator is an `unsafe impl`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use msrp_proto::wire::{ChunkParser, HeadReader, ParseEvent, Validation};
use msrp_proto::{Limits, Mode};

struct Counting;

thread_local! {
    /// Allocations made by this thread: tests run in parallel threads, and the test
    /// harness allocates in its own, so a global count would see theirs.
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // No lazy initialization (a `const` thread-local): counting never allocates.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

fn allocs() -> usize {
    ALLOCS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn parse_once(p: &mut ChunkParser, input: &[u8]) -> usize {
    p.feed(input);
    let mut events = 0;
    while let Some(ev) = p.next() {
        match ev.expect("valid") {
            ParseEvent::Head(h) => assert_eq!(h.message_id(), Some("87652491")),
            ParseEvent::Body(b) => assert!(!b.is_empty()),
            ParseEvent::End(_) => {}
        }
        events += 1;
    }
    events
}

#[test]
fn small_chunks_parse_without_allocating() {
    let send = msrp_benches::small_send();
    let mut p = ChunkParser::default();
    for _ in 0..10 {
        assert_eq!(parse_once(&mut p, &send), 3);
    }
    let before = allocs();
    let rounds = 1000;
    for _ in 0..rounds {
        parse_once(&mut p, &send);
    }
    let allocs = allocs() - before;
    println!("allocations for {rounds} small SENDs, steady state: {allocs}");
    assert_eq!(allocs, 0, "{allocs} allocations in {rounds} chunks");
}

#[test]
fn heads_read_in_place_without_allocating() {
    let chunks = [
        msrp_benches::small_send(),
        msrp_benches::RESPONSE_200.to_vec(),
        msrp_benches::REPORT.to_vec(),
    ];
    for validation in [Validation::Full, Validation::Framing] {
        let mut reader = HeadReader::new(Limits::DEFAULT, Mode::Strict).with_validation(validation);
        let read_all = |reader: &mut HeadReader| {
            for c in &chunks {
                let read = reader.read(c).expect("valid").expect("complete");
                assert!(read.len > 0);
            }
        };
        for _ in 0..10 {
            read_all(&mut reader);
        }
        let before = allocs();
        let rounds = 1000;
        for _ in 0..rounds {
            read_all(&mut reader);
        }
        let allocs = allocs() - before;
        println!("allocations for {rounds} x 3 heads read in place ({validation:?}): {allocs}");
        assert_eq!(allocs, 0, "{allocs} allocations ({validation:?})");
    }
}
