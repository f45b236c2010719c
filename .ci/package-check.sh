#!/usr/bin/env bash
# Package checks (issue 15, point 6), run by .ci/run after the build: packs every packable project into a local
# feed, checks each package's metadata (licence expression, readme, description, tags, repository commit; the
# licence and readme files inside), that the tool package is under 30 MiB and carries native libraries only for the
# platforms it supports, then installs the tool from the local feed into a temporary folder and runs it: --version,
# and a plot (which loads SkiaSharp's native library from the installed tool). Exit 0 when all hold.
# Usage: .ci/package-check.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
build_flag=${1:-}
feed=$(mktemp -d)
tools=$(mktemp -d)
trap 'rm -rf "$feed" "$tools"' EXIT
limit=$((30 * 1024 * 1024))
# macOS: "osx" holds SkiaSharp (universal), osx-arm64 holds SQLite (e_sqlite3, from Alliance.Analytics.Sql).
supported="linux-arm64 linux-x64 osx win-x64"

dotnet pack Alliance.Analytics.sln -c Release -o "$feed" -nologo -v q $build_flag >/dev/null

python3 - "$feed" "$limit" "$supported" <<'PY'
import re, sys, zipfile, glob, os
feed, limit, supported = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
expected = {"Alliance.Analytics", "Alliance.Analytics.Plotting", "Alliance.Analytics.Interactive", "Alliance.Analytics.Sql", "Alliance.Analytics.Cli"}
found, problems = set(), []
for path in sorted(glob.glob(os.path.join(feed, "*.nupkg"))):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        nuspec = next(n for n in names if n.endswith(".nuspec"))
        text = z.read(nuspec).decode("utf-8-sig")
        pid = re.search(r"<id>([^<]+)</id>", text).group(1)
        found.add(pid)
        for tag, pattern in [("licence", r'<license type="expression">MIT</license>'), ("readme", r"<readme>README.md</readme>"),
                             ("description", r"<description>.{20,}</description>"), ("tags", r"<tags>[^<]*psychometrics[^<]*</tags>"),
                             ("repository", r'<repository type="git"')]:
            if not re.search(pattern, text, re.S): problems.append(f"{pid}: no {tag} in the nuspec")
        for f in ("README.md", "LICENSE"):
            if f not in names: problems.append(f"{pid}: {f} is not in the package")
        size = os.path.getsize(path)
        print(f"{os.path.basename(path)}: {size / 2**20:.1f} MiB")
        if pid == "Alliance.Analytics.Cli":
            if size >= limit: problems.append(f"the tool package is {size / 2**20:.2f} MiB, over the {limit / 2**20:.0f} MiB limit")
            rids = sorted({m.group(1) for n in names for m in [re.search(r"/runtimes/([^/]+)/native/", n)] if m})
            if rids != sorted(supported): problems.append(f"the tool carries native libraries for {rids}, not {sorted(supported)}")
        if pid == "Alliance.Analytics" and any("/runtimes/" in n or n.endswith((".so", ".dll.so", ".dylib")) for n in names):
            problems.append("the core library package carries native code")
missing = expected - found
if missing: problems.append(f"not packed: {sorted(missing)}")
for p in problems: print("PACKAGE CHECK:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
dotnet tool install Alliance.Analytics.Cli --version "$version" --tool-path "$tools" --add-source "$feed" --ignore-failed-sources >/dev/null
"$tools/alliance" --version
plot="$tools/check.png"
"$tools/alliance" reliability data/synthetic/clinic/clinic.csv --plot "$plot" >/dev/null
[ -s "$plot" ] || { echo "PACKAGE CHECK: the installed tool drew no plot" >&2; exit 1; }
echo "package check ok"
