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

out = sys.argv[1] if len(sys.argv) > 1 else "corpus-out"
os.makedirs(out, exist_ok=True)
cases = []


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return name


def case(name, args, exit_code, contains=(), absent=(), findings=()):
    """findings: for `validate ... --format json`, issues that must be in the report, each matched on the fields
    given (code, line, column, value) and on "message" fragments; contains/absent: fragments of stdout + stderr."""
    if findings:
        args = args + ["--format", "json"]
    cases.append({"name": name, "args": args, "exit": exit_code, "contains": list(contains), "absent": list(absent),
                  "findings": list(findings)})


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

with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=False, indent=1)
print(f"{len(cases)} cases in {out}")
