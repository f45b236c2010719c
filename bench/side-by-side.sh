#!/usr/bin/env bash
# Side-by-side speed of the `alliance` CLI against its R anchors (issue 17, part 4).
#   bench/side-by-side.sh [--quick] [--rows grm_se,alpha,...] [--no-build]
# Generates the data once (bench/side-by-side/generate.R, fixed seeds), then for each row runs the R anchor in one R
# process, timed in-process around the call only (data already loaded: bench/side-by-side/anchors.R), and our CLI as a
# whole process on the same file (start-up, parsing, every figure it prints and writing included), so the comparison
# favours R. Prints one table and writes it with the machine description to bench/results/side-by-side-DATE.md.
# --quick: a tenth of the size (10,000 persons, 100,000 rows to load, 100 permutations), for a smoke run; written as ...-DATE-quick.md.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; ROWS=""; BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rows) ROWS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "side-by-side.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then N_IRT=10000; N_LOAD=100000; PERMS=100; SUFFIX="-quick"; else N_IRT=100000; N_LOAD=1000000; PERMS=1000; SUFFIX=""; fi
DATA="${SBS_DATA:-${TMPDIR:-/tmp}/alliance-side-by-side-$N_IRT}"
CLI=src/Alliance.Analytics.Cli/bin/Release/net10.0/alliance.dll
STAMP=$(date -u +%Y-%m-%d)
OUTMD="bench/results/side-by-side-$STAMP$SUFFIX.md"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)

if [ "$BUILD" = 1 ]; then
  echo "building the CLI (Release) ..." >&2
  dotnet build src/Alliance.Analytics.Cli/Alliance.Analytics.Cli.csproj -c Release -v q -nologo >/dev/null
fi
[ -f "$CLI" ] || { echo "side-by-side.sh: $CLI not found (build Release first)" >&2; exit 2; }
if [ ! -f "$DATA/irt.csv" ] || [ ! -f "$DATA/load.csv" ] || [ ! -f "$DATA/studies.csv" ]; then
  echo "generating data in $DATA ($N_IRT x 16 x 5 graded; $N_LOAD rows to load; 295 studies) ..." >&2
  Rscript bench/side-by-side/generate.R "$DATA" "$N_IRT" "$N_LOAD"
fi

MODS=rater,measure,timing,ratio
# id | what R runs (timed in-process) | what we run (whole process) | target | note
ROWDEFS=$(cat <<ROWS
grm_se|mirt(X,1,"graded",SE=TRUE,SE.type="Oakes") + fscores EAP (with SEs) + itemfit (S-X²)|irt --model grm --persons (Oakes SEs, EAP + SE per person, infit/outfit, S-X², category table, separation)|ratio>=30|
grm_nose|mirt(X,1,"graded") + fscores EAP + itemfit|irt --model grm --no-se --persons|ratio>=20|
gpcm_se|mirt(X,1,"gpcm",SE=TRUE,SE.type="Oakes") + fscores EAP + itemfit|irt --model gpcm --persons|ratio>=30|
gpcm_nose|mirt(X,1,"gpcm") + fscores EAP + itemfit|irt --model gpcm --no-se --persons|ratio>=20|
pcm_se|mirt(X,1,"Rasch",SE=TRUE,SE.type="Oakes") + fscores EAP + itemfit|irt --model pcm --estimation mml --persons|ratio>1|
pcm_nose|mirt(X,1,"Rasch") + fscores EAP + itemfit|irt --model pcm --estimation mml --no-se --persons|ratio>1|
rsm_cml|psychotools::rsmodel(X)|irt --model rsm --estimation cml (also WLE persons, infit/outfit, separation)|ratio>=20|whole process; the in-process target (≥ 50×) is BenchmarkDotNet's (IrtBenchmarks)
pcm_cml|psychotools::pcmodel(X)|irt --model pcm --estimation cml|ratio>1|
rsm_erm|eRm::RSM(X, se = TRUE)|irt --model rsm --estimation cml --normalization erm|ratio>1|
alpha|psych::alpha(X)|reliability (also ω, λ1–6, every split-half, item analysis)|secs<=0.3|whole process ≤ 0.3 s; in-process ≥ 20× is BenchmarkDotNet's (ReliabilityBenchmarks)
alpha_boot|psych::alpha(X, n.iter = 1000)|reliability --bootstrap 1000 (BCa and percentile)|secs<2|
polychoric|psych::polychoric(X)|reliability --ordinal (polychoric matrix, ordinal α and ω, and everything of the α row)|ratio>1|ours computes more
meta_reml|metafor rma(yi, vi) REML + confint (Q-profile)|meta (REML, Q, I², H² with Q-profile intervals, prediction interval)|ratio>1|k = 295
meta_perm|rma(mods = ~ rater+measure+timing+ratio) + permutest(iter = $PERMS)|meta --mods $MODS --permutations $PERMS|ratio>1|
load|data.table::fread (2 threads) + range check|validate --points 5 (every cell checked, every problem reported)|ratio>1|$N_LOAD rows × 16
ROWS
)

ours_cmd() {  # the CLI arguments of a row
  local f="$DATA/irt.csv" p="$DATA/persons.csv"
  case "$1" in
    grm_se) echo "irt $f --points 5 --model grm --persons $p" ;;
    grm_nose) echo "irt $f --points 5 --model grm --no-se --persons $p" ;;
    gpcm_se) echo "irt $f --points 5 --model gpcm --persons $p" ;;
    gpcm_nose) echo "irt $f --points 5 --model gpcm --no-se --persons $p" ;;
    pcm_se) echo "irt $f --points 5 --model pcm --estimation mml --persons $p" ;;
    pcm_nose) echo "irt $f --points 5 --model pcm --estimation mml --no-se --persons $p" ;;
    rsm_cml) echo "irt $f --points 5 --model rsm --estimation cml" ;;
    pcm_cml) echo "irt $f --points 5 --model pcm --estimation cml" ;;
    rsm_erm) echo "irt $f --points 5 --model rsm --estimation cml --normalization erm" ;;
    alpha) echo "reliability $f --points 5" ;;
    alpha_boot) echo "reliability $f --points 5 --bootstrap 1000" ;;
    polychoric) echo "reliability $f --points 5 --ordinal" ;;
    meta_reml) echo "meta $DATA/studies.csv" ;;
    meta_perm) echo "meta $DATA/studies.csv --mods $MODS --permutations $PERMS" ;;
    load) echo "validate $DATA/load.csv --points 5" ;;
  esac
}

now() { date +%s.%N; }
TABLE="| row | R (s, in-process) | ours (s, whole process) | R / ours | target | met |
|---|---:|---:|---:|---|---|"
NOTES=""
while IFS='|' read -r id rwhat owhat target note; do
  [ -z "$id" ] && continue
  if [ -n "$ROWS" ] && [[ ",$ROWS," != *",$id,"* ]]; then continue; fi
  echo "== $id" >&2
  rlog="$DATA/r-$id.log"
  if Rscript bench/side-by-side/anchors.R "$id" "$DATA" "$PERMS" >"$rlog" 2>&1; then
    rs=$(awk '/^SECONDS/ {print $2}' "$rlog")
  else
    rs="failed"; tail -3 "$rlog" >&2
  fi
  olog="$DATA/ours-$id.log"
  t0=$(now)
  # shellcheck disable=SC2046
  if dotnet "$CLI" $(ours_cmd "$id") >"$olog" 2>&1; then
    t1=$(now); os=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  else
    os="failed (exit $?)"; tail -3 "$olog" >&2
  fi
  read -r ratio met < <(awk -v r="$rs" -v o="$os" -v t="$target" 'BEGIN {
    if (r !~ /^[0-9.]+$/ || o !~ /^[0-9.]+$/) { print "– –"; exit }
    q = r / o; m = "no"
    if (t ~ /^ratio>=/) { if (q >= substr(t, 8) + 0) m = "yes" }
    else if (t ~ /^ratio>/) { if (q > substr(t, 7) + 0) m = "yes" }
    else if (t ~ /^secs<=/) { if (o <= substr(t, 7) + 0) m = "yes" }
    else if (t ~ /^secs</) { if (o < substr(t, 6) + 0) m = "yes" }
    printf "%.1f× %s\n", q, m }')
  tshow=$(echo "$target" | sed -e 's/^ratio>=\(.*\)/≥ \1×/' -e 's/^ratio>1$/ahead (> 1×)/' -e 's/^secs<=\(.*\)/ours ≤ \1 s/' -e 's/^secs<\(.*\)/ours < \1 s/')
  TABLE="$TABLE
| $id | $rs | $os | $ratio | $tshow | $met |"
  fig=$(grep '^FIGURE' "$rlog" | sed 's/^FIGURE //' | paste -sd '|' - | sed 's/|/; /g')
  NOTES="$NOTES
- **$id**: R: \`$rwhat\`${fig:+ ($fig)}. Ours: \`alliance $owhat\`.${note:+ $note.}"
  echo "$TABLE" | tail -1 >&2
done <<< "$ROWDEFS"

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - T_START ))
RVERS=$(Rscript -e 'cat(R.version.string); for (p in c("mirt","psych","psychotools","eRm","metafor","data.table")) cat(";", p, as.character(packageVersion(p)))')
{
  echo "# Side-by-side: alliance CLI vs R anchors ($STAMP${SUFFIX:+, quick})"
  echo
  echo "Made by \`bench/side-by-side.sh${SUFFIX:+ --quick}\` at commit $(git rev-parse --short HEAD) in ${ELAPSED} s."
  echo "Data: $N_IRT persons × 16 items × 5 categories from a graded model (seed 20261126); $N_LOAD rows × 16 for loading;"
  echo "295 studies for metafor. R is timed in-process around the call only (data loaded, packages attached);"
  echo "ours is the whole \`dotnet alliance.dll\` process (start-up, parsing, every printed figure), so the comparison favours R."
  echo
  echo "$TABLE"
  echo
  echo "## What each side computes"
  echo "$NOTES"
  echo "- **three-level LMM (lme4)**: no row. The CLI has no three-level (session / client / therapist) mixed model option:"
  echo "  \`outcome\` fits a two-level model on client summaries and \`meta --cluster\` is a three-level meta-analysis;"
  echo "  the library's three-level REML is compared with \`lme4::lmer\` in BenchmarkDotNet (OutcomeBenchmarks, bench/r/outcome_lmer.R)."
  echo
  echo "## Machine"
  echo "- cores (nproc): $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "- memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available at the end"}')"
  echo "- load average (1, 5, 15 min): start $LOAD_START; end $LOAD_END"
  echo "- $RVERS"
  echo "- dotnet $(dotnet --version); OS $(uname -sr)"
} > "$OUTMD"
echo "$TABLE"
echo "written: $OUTMD" >&2
