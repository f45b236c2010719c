// Writes the Parquet fixtures read by tests/Alliance.Analytics.Tests/Data/ParquetReaderTests.cs with a writer that is
// not ours: parquet-wasm (arrow-rs, the Rust Apache Arrow/Parquet implementation, compiled to WebAssembly), from tables
// built with apache-arrow (JavaScript). Beside each file, the view of an independent reader, hyparquet (JavaScript),
// as JSON: the schema (physical and logical type per column) and the values per column (null for missing).
// Neither R (no arrow or nanoparquet package here) nor Python (no pyarrow) can write Parquet on this machine.
//
// Run from this folder, with Node.js 20+:
//   npm install --no-save parquet-wasm@0.8.0 apache-arrow@21.2.0 hyparquet@1.31.5
//   node make-parquet-fixtures.mjs
// (node_modules is not committed.)
//
// The data are those of Fixtures/Stata (8 administrations of a 5-point alliance questionnaire, string ids with
// non-ASCII characters, an integer session, a double score with a missing value), so alliance-twin.csv here is the
// CSV twin of alliance.parquet. Each item column has its own type (int64, double, float), the therapist is a
// dictionary-encoded (categorical) string column, and row groups hold 3 rows, so a file has 3 row groups.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { parquetMetadata, parquetSchema, parquetReadObjects } from 'hyparquet';

const clientId = ['José', 'Josè', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
const session = [1, 2, 1, 2, 1, 1, 2, 3];
const wai1 = [1n, 2n, 3n, 4n, 5n, null, 3n, 2n];
const wai2 = [5, 4, null, 3, 2, 1, null, 4];
const wai3 = [3, 3, 3, null, 4, 5, 1, 2];
const therapist = ['t1', 't1', 't2', 't2', 't3', 't3', 't1', 't2'];
const score = [2.5, 3.25, null, 1e-3, -4, 123456.789, 0, 7];

const v = (values, type) => arrow.vectorFromArray(values, type);
function twinTable() {
  return new arrow.Table({
    client_id: v(clientId, new arrow.Utf8()),
    session: v(session, new arrow.Int32()),
    wai1: v(wai1, new arrow.Int64()),
    wai2: v(wai2, new arrow.Float64()),
    wai3: v(wai3, new arrow.Float32()),
    therapist: v(therapist, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    score: v(score, new arrow.Float64()),
  });
}

// Every scalar type the reader maps, plus columns it does not read (a list, a struct, binary).
function typesTable() {
  return new arrow.Table({
    id: v(['a', 'b', null, 'd'], new arrow.Utf8()),
    i8: v([1, -2, null, 127], new arrow.Int8()),
    i16: v([300, null, -300, 0], new arrow.Int16()),
    u32: v([0, 4000000000, null, 7], new arrow.Uint32()),
    i64: v([9007199254740993n, -1n, null, 0n], new arrow.Int64()),
    f32: v([0.1, null, -2.5, 3.4028234663852886e38], new arrow.Float32()),
    f64: v([0.1, 1e-300, null, -0], new arrow.Float64()),
    flag: v([true, false, null, true], new arrow.Bool()),
    cat: v(['low', 'high', 'low', null], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
  });
}

function nestedTable() {
  return new arrow.Table({
    client_id: v(['c1', 'c2', 'c3'], new arrow.Utf8()),
    q1: v([1, 2, 3], new arrow.Int32()),
    tags: v([[1, 2], [], [3]], new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
    blob: v([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([255])], new arrow.Binary()),
  });
}

function write(table, file, { compression = pq.Compression.SNAPPY, rowGroup = 3, version = pq.WriterVersion.V1, dictionary = true } = {}) {
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  let props = new pq.WriterPropertiesBuilder()
    .setCompression(compression)
    .setMaxRowGroupSize(rowGroup)
    .setWriterVersion(version)
    .setDictionaryEnabled(dictionary)
    .setCreatedBy('parquet-wasm 0.8.0 (make-parquet-fixtures.mjs)');
  writeFileSync(file, pq.writeParquet(wasmTable, props.build()));
}

async function view(file) {
  const buf = readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const meta = parquetMetadata(ab);
  const schema = parquetSchema(meta);
  const rows = await parquetReadObjects({ file: ab, rowFormat: 'object' });
  const columns = {};
  for (const child of schema.children) {
    const e = child.element;
    columns[e.name] = {
      physical: e.type ?? 'GROUP',
      logical: e.logical_type?.type ?? e.converted_type ?? null,
      values: rows.map(r => {
        const x = r[e.name];
        if (typeof x === 'bigint') return x.toString();
        if (x instanceof Uint8Array) return Array.from(x);
        return x ?? null;
      }),
    };
  }
  return { rows: Number(meta.num_rows), row_groups: meta.row_groups.length, columns };
}

write(twinTable(), 'alliance.parquet');
write(twinTable(), 'alliance-zstd.parquet', { compression: pq.Compression.ZSTD, version: pq.WriterVersion.V2 });
write(twinTable(), 'alliance-gzip.parquet', { compression: pq.Compression.GZIP, rowGroup: 8 });
write(twinTable(), 'alliance-plain.parquet', { compression: pq.Compression.UNCOMPRESSED, dictionary: false, rowGroup: 1 });
write(typesTable(), 'types.parquet', { rowGroup: 2 });
write(nestedTable(), 'nested.parquet');

const json = x => JSON.stringify(x, null, 2) + '\n';
for (const f of ['alliance.parquet', 'alliance-plain.parquet', 'types.parquet', 'nested.parquet'])
  writeFileSync(f + '.hyparquet.json', json(await view(f)));
// written-by-parquet-net.parquet is written by Parquet.Net (ParquetReaderTests, ALLIANCE_WRITE_FIXTURES=1): hyparquet's view of it too.
if (existsSync('written-by-parquet-net.parquet'))
  writeFileSync('written-by-parquet-net.parquet.hyparquet.json', json(await view('written-by-parquet-net.parquet')));

// The CSV twin (missing values as empty fields).
const cell = x => (x === null ? '' : typeof x === 'string' ? '"' + x + '"' : String(x));
const lines = ['"client_id","session","wai1","wai2","wai3","therapist","score"'];
for (let i = 0; i < clientId.length; i++)
  lines.push([clientId[i], session[i], wai1[i], wai2[i], wai3[i], therapist[i], score[i]].map(cell).join(','));
writeFileSync('alliance-twin.csv', lines.join('\n') + '\n');
