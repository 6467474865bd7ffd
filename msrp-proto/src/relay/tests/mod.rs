//! Tests of the relay engine.
