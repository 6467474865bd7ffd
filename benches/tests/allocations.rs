//! Steady-state parsing of small chunks makes no heap allocation per chunk beyond the
//! `Bytes` handles, counted with a counting global allocator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
// A counting global allocator is an `unsafe impl`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use msrp_proto::wire::{ChunkParser, ParseEvent};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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
    let before = ALLOCS.load(Ordering::Relaxed);
    let rounds = 1000;
    for _ in 0..rounds {
        parse_once(&mut p, &send);
    }
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;
    println!("allocations for {rounds} small SENDs, steady state: {allocs}");
    assert_eq!(allocs, 0, "{allocs} allocations in {rounds} chunks");
}
