#!/usr/bin/env python3
"""Writes the bad-input corpus of issue 14 (text as written: encodings, line ends, quoting, wide and long records)
into OUTDIR, with OUTDIR/manifest.json listing every case: the CLI arguments ("{dir}" stands for OUTDIR), the
expected exit code and the fragments the output (stdout + stderr) must contain (file, line, column, value).

    python3 tests/corpus/make_corpus.py OUTDIR

Run by tests/Alliance.Analytics.Tests/Cli/BadInputCorpusTests.cs; add a case by adding a file and an entry here.
"""
import json
import os
import sys

OUTDIR = out = sys.argv[1] if len(sys.argv) > 1 else "corpus-out"
os.makedirs(out, exist_ok=True)
cases = []


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return name


def case(name, args, exit_code, contains=(), absent=(), findings=(), out=None):
    """findings: for `validate ... --format json`, issues that must be in the report, each matched on the fields
    given (code, line, column, value) and on "message" fragments; contains/absent: fragments of stdout + stderr.
    out: a file name in OUTDIR passed as --out; on a failure it must not exist afterwards (nor a .NAME.*.tmp).
    inputs (recorded for the SHA-256 check): every {dir}/ argument other than the output, and their sidecars."""
    if findings:
        args = args + ["--format", "json"]
    if out:
        args = args + ["--out", "{dir}/" + out]
    files = [a[len("{dir}/"):] for a in args if a.startswith("{dir}/") and a != "{dir}/" + str(out)]
    files += [f + ".alliance.json" for f in files if os.path.exists(os.path.join(OUTDIR, f + ".alliance.json"))]
    files = list(dict.fromkeys(files))
    assert name not in {c["name"] for c in cases}, name
    cases.append({"name": name, "args": args, "exit": exit_code, "contains": list(contains), "absent": list(absent),
                  "findings": list(findings), "out": out, "inputs": files})


def finding(code, line, column=None, value=None, *message):
    return {"code": code, "line": line, "column": column, "value": value, "message": list(message)}


items = "client_id,q1,q2,q3\n"

# --- encodings -------------------------------------------------------------------------------------------------
latin1 = (items + "Ana,1,2,3\nJos\u00e9,2,3,4\nJos\u00e8,3,4,5\n").encode("latin-1")
write("latin1.csv", latin1)
offset = latin1.index(b"\xe9")
case("latin1 refused with line and byte offset", ["validate", "{dir}/latin1.csv"], 2,
     ["latin1.csv", "--encoding", "latin1", "cp1252"], ["\ufffd", "DataSpec"])
case("latin1 refused: the finding", ["validate", "{dir}/latin1.csv"], 2, ["latin1.csv"], ["\ufffd"],
     [finding("encoding", 3, None, "0xE9", f"byte offset {offset}", "latin1", "cp1252")])
case("latin1 refused by an analysis verb", ["describe", "{dir}/latin1.csv"], 2,
     ["latin1.csv", "line 3", f"byte offset {offset}", "--encoding"])
case("latin1 read with --encoding latin1: two clients", ["validate", "{dir}/latin1.csv", "--encoding", "latin1"], 0, ["Rows read: 3"])
write("latin1-sidecar.csv", latin1)
write("latin1-sidecar.csv.alliance.json", json.dumps({"encoding": "latin1"}))
case("sidecar field encoding", ["validate", "{dir}/latin1-sidecar.csv"], 0, ["Rows read: 3"])
write("cp1252.csv", (items + "Ana \u20ac,1,2,3\nJos\u00e9,2,3,4\n").encode("cp1252"))
case("cp1252 refused without --encoding", ["validate", "{dir}/cp1252.csv"], 2, ["cp1252.csv"], [],
     [finding("encoding", 2, None, "0x80", "byte offset 23")])
case("cp1252 read with --encoding cp1252", ["validate", "{dir}/cp1252.csv", "--encoding", "cp1252"], 0, ["Rows read: 2"])
case("unknown encoding is a usage error", ["validate", "{dir}/cp1252.csv", "--encoding", "klingon"], 2, ["--encoding", "klingon"])
write("bad-header.csv", b"client_id,q\xff1,q2\na,1,2\n")
case("invalid UTF-8 in the header", ["validate", "{dir}/bad-header.csv"], 2, ["bad-header.csv"], [],
     [finding("encoding", 1, None, "0xFF", "byte offset 11")])
write("truncated-utf8.csv", b"client_id,q1,q2\na,1,2\nb\xe2\x82")
case("UTF-8 sequence cut off at the end of the file", ["validate", "{dir}/truncated-utf8.csv"], 2, [], [],
     [finding("encoding", 3, None, "0xE2", "byte offset 23")])
text = items + "Ana,1,2,3\nJos\u00e9,2,3,4\nJos\u00e8,3,4,5\n"
write("utf8-bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
case("UTF-8 with BOM", ["validate", "{dir}/utf8-bom.csv"], 0, ["Rows read: 3", "q1, q2, q3"])
write("utf16le.csv", "\ufeff".encode("utf-16-le") + text.replace("\n", "\r\n").encode("utf-16-le"))
case("UTF-16 LE with BOM", ["validate", "{dir}/utf16le.csv"], 0, ["Rows read: 3", "q1, q2, q3"])
write("utf16be.csv", "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"))
case("UTF-16 BE with BOM", ["validate", "{dir}/utf16be.csv"], 0, ["Rows read: 3"])
write("utf16le-nobom.csv", text.encode("utf-16-le"))
case("UTF-16 without BOM is refused, not read as garbage", ["validate", "{dir}/utf16le-nobom.csv"], 2, [], [],
     [finding("encoding", 1, None, None, "UTF-16", "utf-16le")])
case("UTF-16 without BOM read with --encoding utf-16le", ["validate", "{dir}/utf16le-nobom.csv", "--encoding", "utf-16le"], 0, ["Rows read: 3", "q1, q2, q3"])
# a large file (parallel chunking applies above 4 MiB) with one bad byte far down: the sequential read names it
rows = [items] + [f"c{i},1,2,3\n" for i in range(400000)]
rows[350001] = "Jos\u00e9,1,2,3\n"
big = "".join(rows).encode("utf-8").replace("Jos\u00e9".encode("utf-8"), b"Jos\xe9")
write("big-latin1.csv", big)
case("bad byte deep in a large file", ["validate", "{dir}/big-latin1.csv"], 2, ["big-latin1.csv"], [],
     [finding("encoding", 350002, None, "0xE9", f"byte offset {big.index(b'Jos' + bytes([0xE9])) + 3}")])

# --- line ends -------------------------------------------------------------------------------------------------
for name, nl in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")]:
    write(f"ends-{name}.csv", nl.join(["client_id,q1,q2", "a,1,2", "b,2,3", "c,9,2", "d,1,7", ""]))
    case(f"{name} line ends give true lines", ["validate", f"{{dir}}/ends-{name}.csv", "--points", "5"], 2, [], [],
         [finding("out_of_scale", 4, "q1", "9"), finding("out_of_scale", 5, "q2", "7")])
write("ends-mixed.csv", "client_id,q1,q2\ra,1,2\r\nb,2,3\nc,9,2\rd,1,3\n")
case("mixed line ends", ["validate", "{dir}/ends-mixed.csv", "--points", "5"], 2, [], [], [finding("out_of_scale", 4, "q1", "9")])
write("quoted-cr.csv", 'client_id,note,q1\r"a","two\rlines",1\r"b","x",9\r')
case("CR inside a quoted field counts as a line", ["validate", "{dir}/quoted-cr.csv", "--items", "q1", "--points", "5"], 2, [], [],
     [finding("out_of_scale", 4, "q1", "9")])

# --- quoting ---------------------------------------------------------------------------------------------------
write("unterminated.csv", 'client_id,q1,q2\na,1,2\n"b,2,3\nc,1,2\n')
case("unterminated quote names file and line", ["validate", "{dir}/unterminated.csv"], 2, ["unterminated.csv"], ["Exception", "Sylvan"],
     [finding("quoting", 3, None, None, "no closing quote")])
case("unterminated quote in an analysis verb's error", ["describe", "{dir}/unterminated.csv"], 2,
     ["unterminated.csv, line 3", "no closing quote"], ["Exception", "Sylvan"])
write("text-after-quote.csv", 'client_id,q1,q2\na,1,2\n"b"x,2,3\n')
case("text after a closing quote", ["validate", "{dir}/text-after-quote.csv"], 2, [], [], [finding("quoting", 3, None, None, "closing quote")])

# --- wide and long records -------------------------------------------------------------------------------------
cols = 20000
write("wide.csv", ",".join(f"q{i}" for i in range(cols)) + "\n" + ",".join("12345"[i % 5] for i in range(cols)) + "\n"
      + ",".join("12345"[(i + 1) % 5] for i in range(cols)) + "\n")
case("20,000-column header", ["validate", "{dir}/wide.csv", "--points", "5"], 0, ["Rows read: 2"])
write("long-field.csv", 'client_id,note,q1\na,"' + ("free text, " * 20000) + '",1\nb,short,2\n')
case("200 KB free-text field", ["validate", "{dir}/long-field.csv", "--items", "q1"], 0, ["Rows read: 2"])
write("cols-100k.csv", "q1," + ",".join(f"c{i}" for i in range(100000)) + "\n" + "1," + ",".join("x" for _ in range(100000)) + "\n2," + ",".join("y" for _ in range(100000)) + "\n")
case("100,000 columns", ["validate", "{dir}/cols-100k.csv", "--items", "q1"], 0, ["Rows read: 2"])
write("near-limit.csv", "client_id,note,q1\na," + "x" * (16 * 1000 * 1000) + ",1\nb,y,2\n")
case("a 16 MB record is accepted", ["validate", "{dir}/near-limit.csv", "--items", "q1"], 0, ["Rows read: 2"])
write("too-long.csv", "client_id,note,q1\na," + "x" * (16 * 1024 * 1024 + 70000) + ",1\nb,y,2\n")
case("record over the limit named by line", ["validate", "{dir}/too-long.csv", "--items", "q1"], 2, ["too-long.csv"], ["MaxBufferSize", "Row 0"],
     [finding("record_too_long", 2, None, None, "16,777,216")])

# --- empty -----------------------------------------------------------------------------------------------------
write("empty.csv", b"")
case("empty file", ["validate", "{dir}/empty.csv"], 2, ["empty.csv", "empty"])
write("bom-only.csv", b"\xef\xbb\xbf")
case("BOM only", ["validate", "{dir}/bom-only.csv"], 2, ["bom-only.csv", "empty"])

# --- meta study tables -----------------------------------------------------------------------------------------
study = "study,r,n\nM\u00fcller 2001,0.30,120\nG\u00f3mez 2005,0.25,80\nSmith 2010,0.35,200\n"
write("meta-latin1.csv", study.encode("latin-1"))
case("meta: latin1 study table refused", ["meta", "{dir}/meta-latin1.csv"], 2, ["meta-latin1.csv", "line 2", "byte offset 11", "0xFC", "--encoding"])
case("meta: latin1 study table with --encoding latin1", ["meta", "{dir}/meta-latin1.csv", "--encoding", "latin1"], 0, ["k = 3"])
write("meta-cr.csv", study.replace("\n", "\r").replace("80", "8x"))
case("meta: CR-only line numbers", ["meta", "{dir}/meta-cr.csv"], 2, ["line 3", "8x"])
write("meta-unterminated.csv", 'study,r,n\n"A,0.3,100\nB,0.2,50\n')
case("meta: unterminated quote", ["meta", "{dir}/meta-unterminated.csv"], 2, ["meta-unterminated.csv", "line 2", "closing quote"])

# === every verb that reads a file =============================================================================
import random

rng = random.Random(14)
VERBS = ["validate", "score", "describe", "reliability", "irt", "formats", "analyze"]
n_out = [0]


def out_name(verb):
    n_out[0] += 1
    return f"out-{n_out[0]}-{verb}.json"


HEADER = "client_id,q1,q2,q3,q4,q5"


def table(rows, header=HEADER):
    return header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)


KEY = {"id": "TEST-5", "name": "five items", "items": 5, "points": 5, "min": 1, "reverse": [2],
       "subscales": [{"name": "A", "items": [1, 2, 3]}, {"name": "B", "items": [4, 5]}]}
write("test5-key.json", json.dumps(KEY))
GOOD = []
for i in range(40):
    t = rng.gauss(0, 1)
    GOOD.append([f"c{i}"] + [min(5, max(1, round(3 + t + rng.gauss(0, 0.7)))) for _ in range(5)])
write("good.csv", table(GOOD))


def bad(cells, rows=None):
    """GOOD (or rows) with cells replaced: {(data row 0-based, column 0-based): text}; data row r is line r + 2."""
    rows = [list(r) for r in (rows or GOOD)]
    for (r, c), v in cells.items():
        rows[r][c] = v
    return rows


def matrix(slug, filename, content, args, expect, contains=(), absent=(), verbs=VERBS):
    """One case per verb; expect and contains are a value for all verbs or a dict by verb ('*' the default)."""
    if content is not None:
        write(filename, content)
    for verb in verbs:
        e = expect.get(verb, expect.get("*")) if isinstance(expect, dict) else expect
        c = contains.get(verb, contains.get("*", ())) if isinstance(contains, dict) else contains
        extra = ["--key", "{dir}/test5-key.json", "--instrument", "TEST-5"] if verb == "score" and "--instrument" not in args else []
        # validate writes its report (the list of findings) with --out even when it exits 2, and analyze its report
        # when a section failed (exit 1): their cases read stdout. validate reports as JSON: "line": N.
        o = out_name(verb) if e != 0 and verb != "validate" and not (verb == "analyze" and e == 1) else None
        if verb == "validate" and e == 2:
            extra = ["--format", "json"]
            c = [f'"line": {f[5:]}' if f.startswith("line ") else f for f in c]
        case(f"{verb}: {slug}", [verb, "{dir}/" + filename] + args + extra, e, c, absent, out=o)


# --- item tables: shape ----------------------------------------------------------------------------------------
matrix("empty file", "empty.csv", None, [], 2, ["empty.csv", "empty"])
matrix("header only", "header-only.csv", HEADER + "\n", [], {"*": 2}, ["header-only.csv"])
matrix("one row", "one-row.csv", table(GOOD[:1]), [], {"*": 2, "validate": 0, "score": 0, "describe": 0, "analyze": 0},
       {"*": [], "validate": ["Rows read: 1"], "reliability": ["Only 1 row"], "irt": ["no variance"], "formats": ["no variance"]})
matrix("one column, no items", "one-col.csv", "client_id\na\nb\nc\n", [], 2, ["one-col.csv"])
matrix("a constant item", "constant.csv", table([r[:1] + [3] + r[2:] for r in GOOD]), [], {"*": 0, "reliability": 2, "formats": 2, "analyze": 1},
       {"reliability": ["q1", "constant item"], "formats": ["q1", "does not vary"], "analyze": ["section 'reliability' failed", "q1"]})
matrix("an item all missing", "item-missing.csv", table([r[:2] + [""] + r[3:] for r in GOOD]), [], {"*": 0, "reliability": 2, "formats": 2, "analyze": 1},
       {"reliability": ["q2", "missing in every row"], "formats": ["every item answered"], "analyze": ["section 'reliability' failed", "q2"]})
# score reports every score missing (n 0, missing 40); the analyses refuse
matrix("every value missing", "all-missing.csv", table([[r[0], "", "", "", "", ""] for r in GOOD]), [], {"*": 2, "score": 0}, {"*": ["all-missing.csv"], "score": []})
# --- item tables: values ---------------------------------------------------------------------------------------
matrix("9 on a declared 5-point scale", "oos.csv", table(bad({(5, 2): 9})), ["--points", "5"], 2, ["oos.csv", "line 7", "q2", "9"])
matrix("missing code -99 declared", "codes.csv", table(bad({(3, 1): -99, (8, 4): -99})), ["--missing-codes", "-99"], 0)
matrix("missing code -99 not declared", "codes.csv", None, ["--points", "5"], 2, ["codes.csv", "line 5", "q1", "-99"])
matrix("one value of 2e9 in an inferred scale", "huge.csv", table(bad({(4, 3): 2000000000})), [], 2, ["huge.csv", "line 6", "q3", "2000000000"])
matrix("1e308", "e308.csv", table(bad({(4, 3): "1e308"})), [], 2, ["e308.csv", "line 6", "q3", "1E+308"])
matrix("1e-300 (tiny)", "tiny.csv", table(bad({(4, 3): "1e-300"})), ["--points", "5"], 2, ["tiny.csv", "line 6", "q3", "1E-300"])
matrix("NaN as text", "nan.csv", table(bad({(2, 1): "NaN"})), [], 2, ["nan.csv", "line 4", "q1", "NaN"])
matrix("Infinity as text", "inf.csv", table(bad({(2, 1): "Infinity"})), [], 2, ["inf.csv", "line 4", "q1", "Infinity"])
matrix("-inf as text", "neginf.csv", table(bad({(2, 1): "-inf"})), [], 2, ["neginf.csv", "line 4", "q1", "-inf"])
matrix("negative zero on a 0-based scale", "negzero.csv", table(bad({(2, 1): "-0"}, [[r[0]] + [v - 1 for v in r[1:]] for r in GOOD])),
       ["--points", "5", "--min", "0"], 0)
matrix("thousands separator", "thousands.csv", table(bad({(2, 1): '"1,000"'})), [], 2, ["thousands.csv", "line 4", "q1", "1,000"])
matrix("decimal comma", "decimal-comma.csv", table(bad({(2, 1): '"2,5"'})), ["--points", "5"], 2, ["decimal-comma.csv", "line 4", "q1", "2,5"])
matrix("text in an item", "text-item.csv", table(bad({(9, 5): "often"})), [], 2, ["text-item.csv", "line 11", "q5", "often"])
matrix("fractional value on a Likert scale", "fraction.csv", table(bad({(9, 5): "2.5"})), ["--points", "5"], 2, ["fraction.csv", "line 11", "q5", "2.5"])
write("bom-good.csv", b"\xef\xbb\xbf" + table(GOOD).encode())
matrix("UTF-8 BOM before the header", "bom-good.csv", None, [], 0)
# --- item tables: columns and item lists -----------------------------------------------------------------------
matrix("a duplicated header column", "dup-col.csv", table(GOOD, "client_id,q1,q2,q2,q4,q5"), [], 2, ["dup-col.csv", "q2"])
matrix("an empty header name", "empty-name.csv", table(GOOD, "client_id,q1,,q3,q4,q5"), [], {"*": 2}, ["empty-name.csv"])
matrix("--items naming q1 twice", "good.csv", None, ["--items", "q1,q1,q2"], 2, ["q1"])
matrix("--items naming an unknown column", "good.csv", None, ["--items", "q1,q2,qq3"], 2, ["qq3", "q3"])
matrix("--items empty", "good.csv", None, ["--items", ""], 2, ["--items names no column"])
matrix("--items only commas", "good.csv", None, ["--items", ",,"], 2, ["--items names no column", ",,"])
matrix("--reverse naming an unknown item", "good.csv", None, ["--reverse", "q9"], {"*": 2}, ["q9"], verbs=["score", "describe", "reliability", "irt", "formats", "analyze"])
matrix("--reverse q3 on a declared scale", "good.csv", None, ["--reverse", "q3", "--points", "5"], 0, verbs=["score", "describe", "reliability"])
matrix("--reverse of an item the key reverses already", "good.csv", None, ["--reverse", "q2"], 2, ["q2", "reversed twice"], verbs=["score"])
matrix("--min 1.5", "good.csv", None, ["--min", "1.5", "--points", "5"], 2, ["1.5"])
matrix("--points 1", "good.csv", None, ["--points", "1"], 2, ["--points", "1"])
# a declared scale may be wider than an inferred one (docs/cli.md, Limits); the IRT category codes stop at 255
matrix("--points 102 (declared wider than the inferred limit)", "good.csv", None, ["--points", "102"], 0, verbs=["validate", "describe", "irt"])
matrix("--points 2000000000", "good.csv", None, ["--points", "2000000000"], {"*": 2, "describe": 0}, {"*": ["at most 255 categories", "2,000,000,000"], "describe": []}, verbs=["describe", "irt", "formats"])
matrix("--points text", "good.csv", None, ["--points", "five"], 2, ["five"])
matrix("--missing-codes text", "good.csv", None, ["--missing-codes", "x"], 0, verbs=["validate", "describe"])
matrix("--administration 0", "good.csv", None, ["--administration", "0"], 2, ["0"], verbs=["score", "describe", "reliability"])
matrix("--delimiter of two characters", "good.csv", None, ["--delimiter", ";;"], 2, [";;"], verbs=["validate", "describe"])
matrix("--input-format unknown", "good.csv", None, ["--input-format", "xls9"], 2, ["xls9"], verbs=["validate", "reliability"])
matrix("data file absent", "no-such-file.csv", None, [], 2, ["no-such-file.csv"], verbs=["validate", "score", "reliability", "analyze"])
write("dir.csv.d/.keep", "") if False else os.makedirs(os.path.join(out, "a-directory.csv"), exist_ok=True)
matrix("a directory as the data file", "a-directory.csv", None, [], 2, ["a-directory.csv"], verbs=["validate", "describe"])

# --- sidecars --------------------------------------------------------------------------------------------------
def sidecar(slug, text, expect, contains=(), verbs=("validate", "reliability")):
    name = "sc-" + slug.replace(" ", "-").replace("'", "") + ".csv"
    write(name, table(GOOD))
    write(name + ".alliance.json", text)
    matrix("sidecar " + slug, name, None, [], expect, contains, verbs=list(verbs))


sidecar("null field", '{"points": null}', 2, ["alliance.json", "points", "null"])
sidecar("null in items", '{"items": ["q1", null, "q3"]}', 2, ["alliance.json", "items[1]", "null"])
sidecar("duplicate key", '{"points": 5, "points": 7}', 2, ["alliance.json", "points"])
sidecar("points as a string", '{"points": "5"}', 2, ["alliance.json", "points"])
sidecar("points 4.5", '{"points": 4.5}', 2, ["alliance.json", "points", "4.5"])
sidecar("points huge", '{"points": 1e300}', 2, ["alliance.json", "points"])
sidecar("points 2^31", '{"points": 2147483648}', 2, ["alliance.json", "points"])
sidecar("min as an object", '{"min": {"a": 1}}', 2, ["alliance.json", "min"])
# known defect (KNOWN_DEFECTS.md): the message says "named in --items" where the sidecar's items named it
sidecar("items naming an absent column", '{"items": ["q1", "q2", "q9"]}', 2, ["q9", "did you mean", "sc-items-naming-an-absent-column.csv.alliance.json (items)"])
sidecar("items twice", '{"items": ["q1", "q1", "q2"]}', 2, ["q1"])
sidecar("numeric_columns naming an absent column", '{"numeric_columns": ["phq9"]}', 2, ["phq9"])
sidecar("unknown field", '{"pionts": 5}', 2, ["alliance.json", "pionts", "points"])
sidecar("invalid JSON", '{"points": 5,', 2, ["alliance.json"])
sidecar("not an object", '[1, 2, 3]', 2, ["alliance.json"])
sidecar("empty file", '', 2, ["alliance.json"])
sidecar("deep nesting", '{"description": ' + "[" * 5000 + "]" * 5000 + '}', 2, ["alliance.json"])
sidecar("continuous not a boolean", '{"continuous": "yes"}', 2, ["alliance.json", "continuous"])
sidecar("missing_codes of objects", '{"missing_codes": [{"x": 1}]}', 2, ["alliance.json", "missing_codes"])
sidecar("instrument unknown", '{"instrument": "WAI-XX"}', 2, ["WAI-XX"])
sidecar("valid", '{"items": ["q1", "q2", "q3", "q4", "q5"], "points": 5, "missing_codes": [-99]}', 0)

# --- key files (--key) -----------------------------------------------------------------------------------------
def keyfile(slug, text, expect, contains=(), verb_args=None):
    name = "key-" + slug.replace(" ", "-").replace(",", "") + ".json"
    write(name, text)
    runs = verb_args or [["instruments", "--key", "{dir}/" + name], ["reliability", "{dir}/good.csv", "--key", "{dir}/" + name, "--instrument", "TEST-5"]]
    for a in runs:
        case(f"{a[0]} --key: {slug}", a, expect, contains, out=out_name(a[0]) if expect != 0 else None)


keyfile("valid", json.dumps(KEY), 0)
keyfile("invalid JSON", '{"id": "TEST-5", "items": 5,', 2, ["key-invalid-JSON.json"])
keyfile("null item in reverse", json.dumps({**KEY, "reverse": [1, None]}), 2, ["reverse[1]", "null"])
keyfile("duplicate key", '{"id": "TEST-5", "items": 5, "points": 5, "points": 6}', 2, ["points", "more than once"])
keyfile("items as a string", json.dumps({**KEY, "items": "5"}), 2, ["items"])
keyfile("items huge", json.dumps({**KEY, "items": 10 ** 12}), 2, ["items"])
keyfile("items 1e308", '{"id": "TEST-5", "items": 1e308, "points": 5}', 2, ["items"])
keyfile("reverse item out of range", json.dumps({**KEY, "reverse": [9]}), 2, ["9"])
keyfile("subscale item twice", json.dumps({**KEY, "subscales": [{"name": "A", "items": [1, 1]}]}), 2, ["1"])
keyfile("id missing", json.dumps({k: v for k, v in KEY.items() if k != "id"}), 2, ["id"])
keyfile("unknown field", json.dumps({**KEY, "revrese": [1]}), 2, ["revrese", "reverse"])
keyfile("deep nesting", '{"id": "TEST-5", "items": 5, "points": 5, "name": ' + "[" * 5000 + "]" * 5000 + "}", 2, ["key-deep-nesting.json"])
keyfile("empty file", "", 2, ["key-empty-file.json"])
keyfile("an empty object", "{}", 2, ["key-an-empty-object.json"])
case("instruments --key: a key file that does not exist", ["instruments", "--key", "{dir}/no-such-key.json"], 2, ["no-such-key.json"], out=out_name("instruments"))

# --- meta study tables -----------------------------------------------------------------------------------------
STUDIES = [("A 2001", 0.30, 120), ("B 2003", 0.25, 80), ("C 2005", 0.35, 200), ("D 2008", 0.18, 60), ("E 2010", 0.28, 150), ("F 2015", 0.40, 45)]


def meta(slug, rows, expect, contains=(), args=(), header="study,r,n"):
    name = "meta-" + "".join(ch if ch.isalnum() else "-" for ch in slug) + ".csv"
    write(name, header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    case("meta: " + slug, ["meta", "{dir}/" + name] + list(args), expect, contains, out=out_name("meta") if expect != 0 else None)
    return name


meta("valid", STUDIES, 0, ["k = 6"])
meta("n fractional", STUDIES[:3] + [("D 2008", 0.18, 60.5)] + STUDIES[4:], 2, ["line 5", "60.5"])
meta("n 3.01", STUDIES[:3] + [("D 2008", 0.18, 3.01)] + STUDIES[4:], 2, ["line 5", "3.01"])
meta("n negative", STUDIES[:1] + [("B 2003", 0.25, -80)] + STUDIES[2:], 2, ["line 3", "-80"])
meta("n zero", STUDIES[:1] + [("B 2003", 0.25, 0)] + STUDIES[2:], 2, ["line 3", "0"])
meta("n 3 (no variance for z)", STUDIES[:1] + [("B 2003", 0.25, 3)] + STUDIES[2:], 2, ["line 3", "3"])
meta("n text", STUDIES[:1] + [("B 2003", 0.25, "eighty")] + STUDIES[2:], 2, ["line 3", "eighty"])
meta("n 1e308", STUDIES[:1] + [("B 2003", 0.25, "1e308")] + STUDIES[2:], 2, ["line 3", "at most 1,000,000,000"])
meta("n 1,000,000,000 (the ceiling)", STUDIES[:1] + [("B 2003", 0.25, 1000000000)] + STUDIES[2:], 0, ["k = 6"])
meta("r 1.2", STUDIES[:2] + [("C 2005", 1.2, 200)] + STUDIES[3:], 2, ["line 4", "1.2"])
meta("r -1.5", STUDIES[:2] + [("C 2005", -1.5, 200)] + STUDIES[3:], 2, ["line 4", "-1.5"])
meta("r exactly 1", STUDIES[:2] + [("C 2005", 1, 200)] + STUDIES[3:], 2, ["line 4", "1"])
meta("r NaN", STUDIES[:2] + [("C 2005", "NaN", 200)] + STUDIES[3:], 2, ["line 4", "NaN"])
meta("r empty: left out with a note", STUDIES[:2] + [("C 2005", "", 200)] + STUDIES[3:], 0, ["1 left out", "missing r (line 4)"])
meta("k = 1", STUDIES[:1], 2, ["only 1 study", "--method EE"])
meta("k = 1, equal-effects model", STUDIES[:1], 0, [], ["--method", "EE"])
meta("k = 2", STUDIES[:2], 0, ["k = 2"])
meta("header only", [], 2, ["meta-header-only.csv"])
meta("two columns named r", [(s, r, r, n) for s, r, n in STUDIES], 2, ["r"], header="study,r,r,n")
meta("n column absent", [(s, r) for s, r, n in STUDIES], 2, ["n"], header="study,r")
meta("--r naming an absent column", STUDIES, 2, ["ri2"], ["--r", "ri2", "--n", "n"])
meta("--r without --n", STUDIES, 2, ["--r and --n go together"], ["--r", "r"])
meta("repeated study ids without --cluster", STUDIES[:2] + [("A 2001", 0.33, 90)] + STUDIES[3:], 0, ["A 2001"])
meta("--level 0", STUDIES, 2, ["--level", "0"], ["--level", "0"])
meta("--level 1", STUDIES, 2, ["--level", "1"], ["--level", "1"])
meta("--level NaN", STUDIES, 2, ["--level", "NaN"], ["--level", "NaN"])
meta("--permutations 1000001", STUDIES, 2, ["--permutations", "between 0 and 1,000,000, not 1000001"], ["--permutations", "1000001", "--mods", "n"])
meta("--method unknown", STUDIES, 2, ["XYZ"], ["--method", "XYZ"])
meta("--seed text", STUDIES, 2, ["--seed", "abc"], ["--seed", "abc"])
meta("yi without vi", [(s, r, n) for s, r, n in STUDIES], 2, ["--vi"], ["--yi", "r"])
meta("vi negative", [(s, r, -0.01 if s == "C 2005" else 0.01) for s, r, n in STUDIES], 2, ["line 4", "-0.01"], ["--yi", "yi", "--vi", "vi"], header="study,yi,vi")
case("meta: study file absent", ["meta", "{dir}/no-such-studies.csv"], 2, ["no-such-studies.csv"], out=out_name("meta"))

# --- options at and past their bounds --------------------------------------------------------------------------
def opt(slug, args, expect, contains=()):
    case(slug, args, expect, contains, out=out_name(args[0]) if expect != 0 and "--out" not in args else None)


g = "{dir}/good.csv"
opt("reliability --bootstrap 0", ["reliability", g, "--bootstrap", "0"], 2, ["--bootstrap", "0"])
opt("reliability --bootstrap 99", ["reliability", g, "--bootstrap", "99"], 2, ["--bootstrap", "99", "100"])
opt("reliability --bootstrap 100 (the floor)", ["reliability", g, "--bootstrap", "100"], 0)
opt("reliability --bootstrap 1000001", ["reliability", g, "--bootstrap", "1000001"], 2, ["--bootstrap", "1000001", "1,000,000"])
opt("reliability --bootstrap text", ["reliability", g, "--bootstrap", "many"], 2, ["many"])
opt("reliability --level 0", ["reliability", g, "--level", "0"], 2, ["--level", "0"])
opt("reliability --level 1", ["reliability", g, "--level", "1"], 2, ["--level", "1"])
opt("reliability --level NaN", ["reliability", g, "--level", "NaN"], 2, ["--level", "NaN"])
opt("reliability --level 0.999", ["reliability", g, "--level", "0.999"], 0)
opt("reliability --seed text", ["reliability", g, "--seed", "abc"], 2, ["--seed", "abc"])
opt("reliability --seed negative", ["reliability", g, "--seed", "-5"], 0)
opt("reliability --seed past 2^64", ["reliability", g, "--seed", "99999999999999999999999"], 2, ["--seed"])
opt("reliability --change of one session", ["reliability", g, "--change", "1"], 2, ["--change"])
opt("reliability --change without a session column", ["reliability", g, "--change", "1,2", "--rxx", "0.8"], 2, ["good.csv", "session column"])
opt("reliability --subscale without instrument", ["reliability", g, "--subscale", "Bond"], 2, ["Bond"])
opt("reliability --missing unknown", ["reliability", g, "--missing", "sometimes"], 2, ["sometimes"])
opt("irt --quadrature 4", ["irt", g, "--model", "grm", "--quadrature", "4"], 2, ["--quadrature", "4"])
opt("irt --quadrature 5 (the floor)", ["irt", g, "--model", "grm", "--quadrature", "5"], 0)
opt("irt --quadrature 502", ["irt", g, "--model", "grm", "--quadrature", "502"], 2, ["--quadrature", "502"])
opt("irt --model unknown", ["irt", g, "--model", "3pl"], 2, ["3pl"])
opt("irt --estimation cml with grm", ["irt", g, "--model", "grm", "--estimation", "cml"], 2, ["Conditional ML", "--estimation mml"])
opt("formats --collapse of the wrong length", ["formats", g, "--collapse", "1,2,3"], 2, ["collapse map '1,2,3'", "needs 5"])
opt("formats --collapse with text", ["formats", g, "--collapse", "1,2,x,4,5"], 2, ["x"])
opt("formats --bootstrap 19", ["formats", g, "--link", g, "--bootstrap", "19"], 2, ["--bootstrap", "19"])
opt("formats --bootstrap 1000001", ["formats", g, "--link", g, "--bootstrap", "1000001"], 2, ["--bootstrap", "1000001"])
opt("formats --link file absent", ["formats", g, "--link", "{dir}/no-such-link.csv"], 2, ["no-such-link.csv"])
opt("outcome --bootstrap 99", ["outcome", g, "--alliance", "q1", "--outcome", "q2", "--bootstrap", "99"], 2, ["--bootstrap", "99"])
opt("outcome --bootstrap 1000001", ["outcome", g, "--alliance", "q1", "--outcome", "q2", "--bootstrap", "1000001"], 2, ["--bootstrap", "1000001"])
opt("outcome --level 1", ["outcome", g, "--alliance", "q1", "--outcome", "q2", "--level", "1"], 2, ["--level", "1"])
opt("outcome --alliance absent column", ["outcome", g, "--alliance", "wai", "--outcome", "q2"], 2, ["wai"])
opt("outcome --outcome absent column", ["outcome", g, "--alliance", "q1", "--outcome", "phq9"], 2, ["phq9"])
opt("outcome without --alliance", ["outcome", g, "--outcome", "q2"], 2, ["--alliance"])
opt("outcome valid", ["outcome", g, "--alliance", "q1", "--outcome", "q2", "--bootstrap", "0"], 0)
opt("outcome --alliance-reliability 0", ["outcome", g, "--alliance", "q1", "--outcome", "q2", "--alliance-reliability", "0", "--outcome-reliability", "0.8"], 2, ["--alliance-reliability"])
opt("outcome on an empty file", ["outcome", "{dir}/empty.csv", "--alliance", "q1", "--outcome", "q2"], 2, ["empty.csv"])
opt("outcome with text in the outcome", ["outcome", "{dir}/text-item.csv", "--alliance", "q1", "--outcome", "q5", "--items", "q1,q2"], 2, ["text-item.csv", "line 11", "often"])
opt("analyze --skip unknown", ["analyze", g, "--skip", "everything"], 2, ["everything"])
opt("analyze --seed text", ["analyze", g, "--seed", "abc"], 2, ["--seed", "abc"])
opt("score --prorate 1.5", ["score", g, "--key", "{dir}/test5-key.json", "--instrument", "TEST-5", "--prorate", "1.5"], 2, ["--prorate", "1.5"])
opt("score --format unknown", ["score", g, "--key", "{dir}/test5-key.json", "--instrument", "TEST-5", "--format", "xlsx9"], 2, ["xlsx9"])
opt("validate unknown option", ["validate", g, "--bogus"], 2, ["--bogus"])
opt("unknown verb", ["valdiate", g], 2, ["valdiate"])
opt("instruments unknown id", ["instruments", "WAI-XX"], 2, ["WAI-XX"])
opt("--out onto the input file", ["validate", g, "--out", g], 2, ["good.csv"])
opt("--out onto a sidecar", ["validate", "{dir}/sc-valid.csv", "--out", "{dir}/sc-valid.csv.alliance.json"], 2, ["sc-valid.csv.alliance.json"])
opt("--out into a directory that does not exist: created", ["validate", g, "--out", "{dir}/no/such/dir/x.json"], 0, ["no/such/dir"])
opt("--out onto a directory", ["validate", g, "--out", "{dir}/a-directory.csv"], 2, ["a-directory.csv"])

# --- simulate --set at and past bounds -------------------------------------------------------------------------
def sim(slug, sets, expect, contains=(), preset="clinic"):
    n_out[0] += 1
    d = f"sim-{n_out[0]}"
    args = ["simulate", "--preset", preset, "--out", "{dir}/" + d]
    for s in sets:
        args += ["--set", s]
    case("simulate: " + slug, args, expect, contains, out=None)


sim("clients=1000000000", ["clients=1000000000"], 2, ["clients", "1000000000"])
sim("clients=0", ["clients=0"], 2, ["clients", "0"])
sim("clients=-5", ["clients=-5"], 2, ["clients", "-5"])
sim("clients=2.5", ["clients=2.5"], 2, ["clients", "2.5"])
sim("clients=text", ["clients=many"], 2, ["clients", "many"])
sim("sessions=100000", ["sessions=100000"], 2, ["sessions", "100000"])
sim("an unknown key", ["klients=10"], 2, ["klients", "clients"])
sim("no '='", ["clients"], 2, ["clients"])
sim("dropout_rate=1.5", ["dropout_rate=1.5"], 2, ["dropout_rate", "1.5"])
sim("rupture_probability=-0.1", ["rupture_probability=-0.1"], 2, ["rupture_probability", "-0.1"])
sim("therapist_alliance_sd=NaN", ["therapist_alliance_sd=NaN"], 2, ["therapist_alliance_sd", "NaN"])
sim("outcome_measure=bdi", ["outcome_measure=bdi"], 2, ["outcome_measure", "bdi"])
sim("the same key twice", ["clients=10", "clients=20"], 2, ["clients"])
sim("studies=1000000000", ["studies=1000000000"], 2, ["studies", "1000000000"], preset="studies")
sim("rho=1.5", ["rho=1.5"], 2, ["rho", "1.5"], preset="studies")
sim("sample_size_min=0", ["sample_size_min=0"], 2, ["sample_size_min", "0"], preset="studies")
sim("small valid set", ["clients=20", "therapists=4", "sessions=3"], 0)
case("simulate: --seed text", ["simulate", "--preset", "clinic", "--seed", "abc", "--out", "{dir}/sim-seed"], 2, ["--seed", "abc"])
case("simulate: unknown preset", ["simulate", "--preset", "hospital", "--out", "{dir}/sim-preset"], 2, ["hospital"])
case("simulate: --threads 0", ["simulate", "--preset", "clinic", "--set", "clients=20", "--set", "therapists=4", "--threads", "0", "--out", "{dir}/sim-threads"], 2, ["--threads", "0"])

# --- SPSS and Stata files, truncated and corrupted -------------------------------------------------------------
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Alliance.Analytics.Tests", "Fixtures")


def binary(slug, src, name, mutate, expect, contains=(), verbs=("validate", "describe")):
    with open(os.path.join(FIX, src), "rb") as f:
        data = f.read()
    write(name, mutate(data))
    items = ["--items", "wai1,wai2" if "Spss" in src else "wai1,wai2,wai3"]
    matrix(slug, name, None, items, expect, contains, verbs=list(verbs))


def flip(at, value):
    return lambda d: d[:at] + bytes([value]) + d[at + 1:]


sav = "Spss/alliance-pspp.sav"
binary("sav valid", sav, "valid.sav", lambda d: d, 0)
binary("sav truncated to 0 bytes", sav, "sav-0.sav", lambda d: b"", 2, ["sav-0.sav"])
binary("sav truncated to 60 bytes", sav, "sav-60.sav", lambda d: d[:60], 2, ["sav-60.sav"])
binary("sav truncated in the dictionary", sav, "sav-dict.sav", lambda d: d[:300], 2, ["sav-dict.sav"])
binary("sav truncated in the data", sav, "sav-data.sav", lambda d: d[:-13], 2, ["sav-data.sav"])
binary("sav with a wrong magic", sav, "sav-magic.sav", lambda d: b"$FL9" + d[4:], 2, ["sav-magic.sav"])
# the header's nominal case size is advisory (PSPP and ReadStat read the dictionary instead)
binary("sav with a wrong nominal case size", sav, "sav-count.sav", lambda d: d[:68] + b"\xff\xff\xff\x7f" + d[72:], 0)
binary("sav with a corrupt record type", sav, "sav-record.sav", lambda d: d[:176] + b"\x63\x00\x00\x00" + d[180:], 2, ["sav-record.sav"])
binary("sav zsav truncated", "Spss/alliance-pspp.zsav", "zsav-cut.zsav", lambda d: d[:len(d) // 2], 2, ["zsav-cut.zsav"], verbs=("validate",))
binary("sav zsav with corrupt compressed bytes", "Spss/alliance-pspp.zsav", "zsav-bits.zsav", lambda d: d[:-40] + bytes(b ^ 0x5A for b in d[-40:-20]) + d[-20:], 2, ["zsav-bits.zsav"], verbs=("validate",))
for rel in ("117", "118", "113"):
    dta = f"Stata/alliance-{rel}.dta"
    binary(f"dta {rel} valid", dta, f"valid-{rel}.dta", lambda d: d, 0, verbs=("validate",))
    binary(f"dta {rel} truncated to 10 bytes", dta, f"dta{rel}-10.dta", lambda d: d[:10], 2, [f"dta{rel}-10.dta"], verbs=("validate",))
    binary(f"dta {rel} truncated in the header", dta, f"dta{rel}-hdr.dta", lambda d: d[:120], 2, [f"dta{rel}-hdr.dta"], verbs=("validate",))
    binary(f"dta {rel} truncated in the data", dta, f"dta{rel}-data.dta", lambda d: d[:len(d) * 2 // 3], 2, [f"dta{rel}-data.dta"], verbs=("validate", "describe"))
binary("dta 118 with a wrong release", "Stata/alliance-118.dta", "dta-release.dta", lambda d: d.replace(b"<release>118</release>", b"<release>199</release>", 1), 2, ["dta-release.dta", "199"], verbs=("validate",))
binary("dta 118 with a huge variable count", "Stata/alliance-118.dta", "dta-count.dta", lambda d: d.replace(b"<K>", b"<K>\xff\xff", 1)[:len(d)], 2, ["dta-count.dta"], verbs=("validate",))
binary("dta 113 with a huge row count", "Stata/alliance-113.dta", "dta-rows.dta", lambda d: d[:6] + b"\xff\xff\xff\x7f" + d[10:], 2, ["dta-rows.dta"], verbs=("validate",))
binary("csv named .sav", sav, "csv-as.sav", lambda d: table(GOOD).encode(), 2, ["csv-as.sav"], verbs=("validate",))

with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=False, indent=1)
print(f"{len(cases)} cases in {out}")
