# Helpers for the interop scripts that read the NDJSON events of `msrp ... --json`
# (sourced, not run).

# Waits (up to 30 s) for the first line of FILE that holds the event NAME and prints it.
wait_event() {
  local file=$1 name=$2 line
  for _ in $(seq 1 300); do
    line=$(grep -m1 "\"event\":\"$name\"" "$file" || true)
    if [ -n "$line" ]; then
      printf '%s\n' "$line"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# The field NAME of the JSON object EVENT.
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
