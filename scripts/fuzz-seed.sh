#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET for every cargo-fuzz target from what the repository holds:
# the conformance vectors, msrp-cpim's test data, fuzz/seeds/, and the built-in scenario
# files. Used by CI's short runs and by scripts/fuzz-long.sh.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
for t in $(cargo +nightly fuzz list); do mkdir -p "corpus/$t"; done
cp ../vectors/uris/*.uri corpus/uri/
cp ../vectors/uris/*.uri corpus/uri_structured/
cp ../vectors/chunks/*.msrp corpus/chunk/
cp ../vectors/chunks/*.msrp corpus/chunk_split/
cp ../vectors/chunks/*.msrp corpus/chunk_roundtrip/
cp ../vectors/chunks/*.msrp corpus/connection/
cp ../vectors/chunks/*.msrp corpus/relay/
cp ../vectors/sdp/*.sdp corpus/sdp/
cp ../msrp-cpim/tests/data/*.cpim corpus/cpim/
cp seeds/digest/* corpus/digest/
cp ../msrp-conform/suites/*.msrpt corpus/scenario/
# Inputs that once crashed a target, kept after the fix so that every run replays them.
for d in seeds/regressions/*/; do
  cp "$d"* "corpus/$(basename "$d")/"
done
