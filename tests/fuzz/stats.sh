#!/usr/bin/env bash
# Prints one line per fuzzed target from tests/fuzz/findings/*/default/fuzzer_stats (for RESULTS.md).
here=$(cd "$(dirname "$0")" && pwd)
printf '%-12s %8s %12s %9s %8s %7s %7s %9s\n' target minutes execs execs/s corpus crashes hangs stability
for stats in "$here"/findings/*/default/fuzzer_stats; do
  [ -f "$stats" ] || continue
  t=$(basename "$(dirname "$(dirname "$stats")")")
  get() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  run=$(get run_time); execs=$(get execs_done)
  printf '%-12s %8.1f %12s %9.0f %8s %7s %7s %9s\n' "$t" "$(echo "$run / 60" | bc -l)" "$execs" "$(echo "$execs / ($run + 0.001)" | bc -l)" \
    "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)" "$(get stability)"
done
