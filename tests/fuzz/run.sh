#!/usr/bin/env bash
# Fuzz one input reader with afl-fuzz for a given time (issue 14; tests/fuzz/RESULTS.md has the results and how to read them).
#
#   tests/fuzz/run.sh TARGET SECONDS        TARGET: csv | sidecar | keys | sav (selftest: a planted crash, to check the setup)
#
# Publishes tests/fuzz/Alliance.Analytics.Fuzz to tests/fuzz/out/TARGET, instruments Alliance.Analytics.dll there with
# the sharpfuzz local tool (SharpFuzz.CommandLine, in dotnet-tools.json), and runs afl-fuzz under `nice -n 10` on the
# seeds in tests/fuzz/seeds/TARGET/, writing to tests/fuzz/findings/TARGET/ (crashes/, hangs/, fuzzer_stats).
# A hang is an execution over 5 s (-t 5000). Needs afl++ (Debian: apt-get install afl++). Run one afl-fuzz at a time
# on a small machine. CI never runs this script.
#
# Environment: RESUME=1 continues a previous run in findings/TARGET (afl-fuzz -i -); AFL_EXTRA="..." adds afl-fuzz options.
set -euo pipefail
target=${1:?usage: run.sh TARGET SECONDS (TARGET: csv, sidecar, keys, sav)}
seconds=${2:?usage: run.sh TARGET SECONDS}
case "$target" in csv|sidecar|keys|sav|selftest) ;; *) echo "unknown target '$target' (csv, sidecar, keys, sav)" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/out/$target"
findings="$here/findings/$target"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }

echo "== publish to $out"
rm -rf "$out"
dotnet publish "$here/Alliance.Analytics.Fuzz/Alliance.Analytics.Fuzz.csproj" -c Release -o "$out" -nologo -v q

echo "== instrument Alliance.Analytics.dll"
(cd "$root" && dotnet tool restore >/dev/null && dotnet tool run sharpfuzz "$out/Alliance.Analytics.dll")

mkdir -p "$findings"
# The csv target writes each input to a file (the reader takes a path): in memory when /dev/shm exists, removed at the end.
ALLIANCE_FUZZ_TMP=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")" alliance-fuzz.XXXXXX)
export ALLIANCE_FUZZ_TMP
trap 'rm -rf "$ALLIANCE_FUZZ_TMP"' EXIT
seeds="$here/seeds/$target"; [ "$target" = selftest ] && seeds="$here/seeds/sidecar"
input=(-i "$seeds")
if [ "${RESUME:-0}" = 1 ] && [ -d "$findings/default/queue" ]; then input=(-i -); fi

echo "== afl-fuzz $target for $seconds s"
# AFL_SKIP_BIN_CHECK: the .NET host is not AFL-instrumented (SharpFuzz reports coverage itself).
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
       AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_FAST_CAL=1
# -V: stop after SECONDS; -t 5000: a hang is over 5 s; -m none: the .NET runtime reserves a large address space.
# shellcheck disable=SC2086
# -x: a dictionary of the format's tokens (field names, boundary numbers, BOMs), where tests/fuzz/dict/ has one.
dict=(); [ -f "$here/dict/$target.dict" ] && dict=(-x "$here/dict/$target.dict")
nice -n 10 afl-fuzz "${input[@]}" -o "$findings" -t 5000 -m none -V "$seconds" "${dict[@]}" ${AFL_EXTRA:-} \
  -- "$out/Alliance.Analytics.Fuzz" "$target" || status=$?

stats="$findings/default/fuzzer_stats"
if [ -f "$stats" ]; then
  echo "== $target: $(grep -E '^(run_time|execs_done|corpus_count|saved_crashes|saved_hangs) ' "$stats" | awk '{printf "%s=%s ", $1, $3}')"
  echo "   crashes: $findings/default/crashes/   hangs: $findings/default/hangs/"
  echo "   replay: dotnet run --project $here/Alliance.Analytics.Fuzz -c Release -- $target $findings/default/crashes"
fi
exit "${status:-0}"
