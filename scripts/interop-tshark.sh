#!/usr/bin/env bash
# Interop: the bytes both demo endpoints write, and one chunk of every kind the serializer
# builds, decoded by an independent MSRP implementation (tshark's dissector, installed by
# ../shared/peers/tshark/install.sh).
# Every frame our own strict parser finds must be decoded by tshark, with its end-line
# matching its transaction id and no malformed-packet or expert note.
#
# The demo runs with --text: tshark 4.0's dissector reports "Trailing stray characters"
# for valid chunks with binary bodies (a hand-made 256 KiB random-byte chunk gets the same
# note), so binary transfers cannot be checked with it.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=../shared/peers
bash "$peers/tshark/install.sh" >/dev/null
cargo build --release -q -p msrp-cli
msrp=target/release/msrp
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$msrp" demo --size 300K --text --record "$dir" >/dev/null
for side in alice bob; do
  file="$dir/$side.sent.msrp"
  frames=$("$msrp" inspect chunk "$file" --strict |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("frames", [d])))')
  if ! python3 "$peers/tshark/msrp_decode.py" "$file" --check "$frames" >"$dir/$side.json"; then
    tail -n 5 "$dir/$side.json"
    echo "tshark does not decode what $side wrote" >&2
    exit 1
  fi
  echo "$side: $frames frames written, all decoded by tshark"
done

# One chunk of every kind the serializer builds (responses, REPORTs, AUTH, NICKNAME, `#`).
frames=$(cargo run --release -q -p msrp-proto --example wire_samples -- "$dir/samples.msrp")
if ! python3 "$peers/tshark/msrp_decode.py" "$dir/samples.msrp" --check "$frames" >"$dir/samples.json"; then
  tail -n 5 "$dir/samples.json"
  echo "tshark does not decode the serializer's samples" >&2
  exit 1
fi
echo "samples: $frames frames of every kind, all decoded by tshark"
