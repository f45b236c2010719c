using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Parquet;
using Parquet.Schema;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// The Parquet reader against files written by another implementation, parquet-wasm (arrow-rs), compared with what an
/// independent reader, hyparquet, reports for the same file (Fixtures/Parquet/*.hyparquet.json, made by
/// make-parquet-fixtures.mjs); against a file Parquet.Net writes here (decimals, required columns, dates); the CSV twin
/// through the CLI; and a truncation and corruption corpus.
/// </summary>
public class ParquetReaderTests
{
    private static (IReadOnlyList<SourceColumn> Columns, List<string[]> Rows, List<ValidationIssue> Findings, int RowGroups) ReadAll(string path, DataSpec? spec = null)
    {
        using var source = (ParquetSource)new ParquetFormat().Open(path, spec ?? DataSpec.Empty, CancellationToken.None);
        var findings = source.TakeFindings().ToList();
        var rows = new List<string[]>();
        while (source.Read())
        {
            Assert.Equal(rows.Count + 1, source.Line);
            rows.Add([.. Enumerable.Range(0, source.FieldCount).Select(i => source.Field(i).ToString())]);
        }
        return (source.Columns!, rows, findings, source.RowGroupCount);
    }

    public static TheoryData<string> ViewedFiles => new() { "alliance.parquet", "alliance-plain.parquet", "types.parquet", "nested.parquet" };

    [Theory]
    [MemberData(nameof(ViewedFiles))]
    public void Values_and_types_equal_hyparquets_view_of_a_file_parquet_wasm_wrote(string file)
    {
        string path = Fixtures.Path("Parquet", file);
        var view = JsonNode.Parse(File.ReadAllText(path + ".hyparquet.json"))!.AsObject();
        var expected = view["columns"]!.AsObject();
        var (columns, rows, findings, groups) = ReadAll(path);

        Assert.Equal((int)view["rows"]!, rows.Count);
        Assert.Equal((int)view["row_groups"]!, groups);
        // Flat columns are read in schema order; nested and binary ones are left out with a warning each.
        var flat = expected.Where(p => (string?)p.Value!["logical"] is not ("LIST" or "MAP") && (string)p.Value!["physical"]! != "GROUP"
            && !((string)p.Value!["physical"]! == "BYTE_ARRAY" && p.Value!["logical"] is null)).Select(p => p.Key).ToList();
        Assert.Equal(flat, columns.Select(c => c.Name));
        Assert.Equal(expected.Select(p => p.Key).Except(flat).Order(), findings.Where(f => f.Code == "unsupported_column").Select(f => f.Column!).Order());
        Assert.All(findings, f => Assert.Equal(Severity.Warning, f.Severity));
        for (int j = 0; j < columns.Count; j++)
        {
            var col = columns[j];
            var e = expected[col.Name]!.AsObject();
            bool text = (string?)e["logical"] == "STRING";
            Assert.Equal(text ? ColumnKind.Text : ColumnKind.Number, col.Kind);
            var values = e["values"]!.AsArray();
            for (int i = 0; i < rows.Count; i++)
            {
                string field = rows[i][j];
                var v = values[i];
                if (v is null) { Assert.Equal("", field); continue; }
                switch ((string)e["physical"]!)
                {
                    case "BYTE_ARRAY": Assert.Equal((string)v!, field); break;
                    case "BOOLEAN": Assert.Equal((bool)v! ? "1" : "0", field); break;
                    // hyparquet widens a float to double; our text is the float's shortest form (0.1, not 0.100000001).
                    case "FLOAT": Assert.Equal((float)(double)v!, float.Parse(field, CultureInfo.InvariantCulture)); Assert.True(field.Length <= 9 || field.Contains('E'), field); break;
                    // int64 exactly (9007199254740993 is not a double).
                    case "INT64": Assert.Equal(v.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)v! : ((long)v!).ToString(CultureInfo.InvariantCulture), field); break;
                    default: Assert.Equal((double)v!, double.Parse(field, CultureInfo.InvariantCulture)); break;
                }
            }
        }
    }

    [Fact]
    public void Floats_keep_their_shortest_form_and_int64_stays_exact()
    {
        var (columns, rows, _, _) = ReadAll(Fixtures.Path("Parquet", "types.parquet"));
        int f32 = columns.Select(c => c.Name).ToList().IndexOf("f32"), i64 = columns.Select(c => c.Name).ToList().IndexOf("i64");
        Assert.Equal("0.1", rows[0][f32]);
        Assert.Equal("9007199254740993", rows[0][i64]);
        Assert.Equal("4000000000", rows[1][columns.Select(c => c.Name).ToList().IndexOf("u32")]);
        Assert.Equal(["low", "high", "low", ""], rows.Select(r => r[columns.Select(c => c.Name).ToList().IndexOf("cat")]));
    }

    public static TheoryData<string, int> Variants => new() { { "alliance-zstd.parquet", 3 }, { "alliance-gzip.parquet", 1 }, { "alliance-plain.parquet", 8 } };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_compression_page_version_and_row_group_size_reads_to_the_same_rows(string file, int groups)
    {
        var reference = ReadAll(Fixtures.Path("Parquet", "alliance.parquet"));
        var variant = ReadAll(Fixtures.Path("Parquet", file));
        Assert.Equal(3, reference.RowGroups);
        Assert.Equal(groups, variant.RowGroups);
        Assert.Equal(reference.Columns, variant.Columns);
        Assert.Equal(reference.Rows, variant.Rows);
        Assert.Equal(8, variant.Rows.Count);
    }

    // ---- written by Parquet.Net: decimals, required columns, dates ----

    private static async Task<byte[]> WriteWithParquetNet()
    {
        var id = new DataField<string>("client_id");
        var q1 = new DataField<int>("q1", false);
        var q2 = new DataField<double?>("q2");
        var dose = new DecimalDataField("dose", 9, 3, isNullable: true);
        var seen = new DataField<DateOnly?>("seen");
        var at = new DateTimeDataField("at", DateTimeFormat.DateAndTime, isNullable: true);
        var done = new DataField<bool>("done", false);
        var schema = new ParquetSchema(id, q1, q2, dose, seen, at, done);
        var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, ms, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }))
        {
            for (int g = 0; g < 2; g++)
            {
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync(id, g == 0 ? ["c1", "c2"] : ["c3", null!]);
                await rg.WriteAsync<int>(q1, (int[])(g == 0 ? [1, 2] : [3, 4]));
                await rg.WriteAsync<double>(q2, (double?[])(g == 0 ? [1.5, null] : [double.NaN, 4]));
                await rg.WriteAsync<decimal>(dose, (decimal?[])(g == 0 ? [12.345m, null] : [-0.001m, 999999.999m]));
                await rg.WriteAsync<DateOnly>(seen, (DateOnly?[])(g == 0 ? [new DateOnly(2024, 2, 29), null] : [null, new DateOnly(1999, 12, 31)]));
                await rg.WriteAsync<DateTime>(at, (DateTime?[])(g == 0 ? [new DateTime(2024, 2, 29, 13, 45, 0, DateTimeKind.Utc), null] : [null, null]));
                await rg.WriteAsync<bool>(done, (bool[])(g == 0 ? [true, false] : [false, true]));
            }
        }
        return ms.ToArray();
    }

    /// <summary>
    /// Parquet.Net writes the file (refreshed in Fixtures/Parquet/written-by-parquet-net.parquet by setting
    /// ALLIANCE_WRITE_FIXTURES=1); the committed file is read back to the values written.
    /// </summary>
    [Fact]
    public async Task Decimals_required_columns_dates_and_booleans_written_by_parquet_net_read_back()
    {
        byte[] written = await WriteWithParquetNet();
        if (Environment.GetEnvironmentVariable("ALLIANCE_WRITE_FIXTURES") == "1")
            File.WriteAllBytes(Path.Combine(Fixtures.RepositoryRoot(), "tests", "Alliance.Analytics.Tests", "Fixtures", "Parquet", "written-by-parquet-net.parquet"), written);
        using var dir = new TempDir();
        string fresh = Path.Combine(dir.Path, "fresh.parquet");
        File.WriteAllBytes(fresh, written);
        foreach (string path in new[] { Fixtures.Path("Parquet", "written-by-parquet-net.parquet"), fresh })
        {
            var (columns, rows, findings, groups) = ReadAll(path);
            Assert.Empty(findings);
            Assert.Equal(2, groups);
            Assert.Equal(["client_id", "q1", "q2", "dose", "seen", "at", "done"], columns.Select(c => c.Name));
            Assert.Equal([ColumnKind.Text, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Text, ColumnKind.Text, ColumnKind.Number], columns.Select(c => c.Kind));
            Assert.Equal(["c1", "1", "1.5", "12.345", "2024-02-29", "2024-02-29T13:45:00.0000000Z", "1"], rows[0]);
            Assert.Equal(["c2", "2", "", "", "", "", "0"], rows[1]);
            // NaN is missing, as in the other readers; a decimal is exact.
            Assert.Equal(["c3", "3", "", "-0.001", "", "", "0"], rows[2]);
            Assert.Equal(["", "4", "4", "999999.999", "1999-12-31", "", "1"], rows[3]);
        }
    }

    /// <summary>hyparquet (make-parquet-fixtures.mjs) read the committed Parquet.Net file to the same values.</summary>
    [Fact]
    public void Hyparquet_reads_the_parquet_net_file_to_the_same_values()
    {
        string path = Fixtures.Path("Parquet", "written-by-parquet-net.parquet");
        var view = JsonNode.Parse(File.ReadAllText(path + ".hyparquet.json"))!["columns"]!.AsObject();
        var (columns, rows, _, _) = ReadAll(path);
        Assert.Equal(view.Select(p => p.Key), columns.Select(c => c.Name));
        for (int j = 0; j < columns.Count; j++)
        {
            var e = view[columns[j].Name]!;
            for (int i = 0; i < rows.Count; i++)
            {
                var v = e["values"]![i];
                string field = rows[i][j];
                if (v is null) { Assert.Equal("", field); continue; }
                switch (v.GetValueKind())
                {
                    case System.Text.Json.JsonValueKind.String when (string?)e["logical"] == "STRING": Assert.Equal((string)v!, field); break;
                    // hyparquet gives dates and timestamps as JavaScript Dates (UTC); ours are ISO 8601 text.
                    case System.Text.Json.JsonValueKind.String:
                        Assert.Equal(DateTime.Parse((string)v!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTime.Parse(field, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
                        break;
                    case System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False: Assert.Equal((bool)v! ? "1" : "0", field); break;
                    // hyparquet widens a decimal to the nearest double (999999.9990000001); ours is exact.
                    default: Assert.Equal((double)v!, double.Parse(field, CultureInfo.InvariantCulture), 1e-9); break;
                }
            }
        }
    }

    [Fact]
    public async Task A_binary_column_named_like_an_id_is_refused_naming_it()
    {
        var id = new DataField<byte[]>("client_id");
        var q1 = new DataField<int>("q1", false);
        var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, q1), ms))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(id, new byte[][] { [1], [2] });
            await rg.WriteAsync<int>(q1, (int[])[1, 2]);
        }
        var e = Assert.Throws<DataSpecException>(() => new ParquetSource(new MemoryStream(ms.ToArray()), "ids.parquet", DataSpec.Empty with { Items = ["q1"] }));
        Assert.Contains("ids.parquet: column 'client_id' is a binary column", e.Message);
        Assert.Contains("as an id", e.Message);
    }

    [Fact]
    public async Task Row_groups_are_decoded_one_at_a_time_never_the_whole_file()
    {
        var q = new DataField<int>("q1", false);
        var ms = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(q), ms))
            for (int g = 0; g < 50; g++)
            {
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<int>(q, Enumerable.Range(0, 1000).Select(i => 1 + (i + g) % 5).ToArray());
            }
        byte[] file = ms.ToArray();
        using var source = new ParquetSource(new MemoryStream(file), "big.parquet");
        int rows = 0, maxBuffered = 0, lastGroup = 0;
        while (source.Read())
        {
            rows++;
            maxBuffered = Math.Max(maxBuffered, source.BufferedRows);
            Assert.True(source.RowGroup >= lastGroup);
            lastGroup = source.RowGroup;
            Assert.Equal(((rows - 1 + lastGroup - 1) % 5 + 1).ToString(CultureInfo.InvariantCulture), source.Field(0).ToString());
        }
        Assert.Equal(50_000, rows);
        Assert.Equal(50, lastGroup);
        Assert.Equal(1000, maxBuffered);
        // The footer's row count is only a sizing hint, capped at one row a byte of the file (the footer may lie).
        Assert.Equal(Math.Min(50_000, file.Length), source.ExpectedRows);
    }

    // ---- unsupported columns ----

    [Fact]
    public void An_unsupported_column_named_as_an_item_is_refused_naming_it()
    {
        var (exit, _, err) = CliRunner.Run("validate", Fixtures.Path("Parquet", "nested.parquet"), "--items", "q1,tags", "--points", "5");
        Assert.Equal(2, exit);
        Assert.Contains("nested.parquet", err);
        Assert.Contains("column 'tags' is a list (nested) column", err);
        Assert.Contains("as an item", err);
        var e = Assert.Throws<DataSpecException>(() => ReadAll(Fixtures.Path("Parquet", "nested.parquet"), DataSpec.Empty with { Items = ["blob"] }));
        Assert.Contains("column 'blob' is a binary column", e.Message);
    }

    [Fact]
    public void An_unsupported_column_not_selected_is_skipped_with_a_warning_in_the_report()
    {
        var (exit, output, err) = CliRunner.Run("validate", Fixtures.Path("Parquet", "nested.parquet"), "--items", "q1", "--points", "3", "--format", "json");
        Assert.True(exit == 0, err);
        var doc = JsonNode.Parse(output)!;
        var skipped = doc["issues"]!.AsArray().Where(i => (string?)i!["code"] == "unsupported_column").Select(i => (string)i!["column"]!).Order().ToArray();
        Assert.Equal(["blob", "tags"], skipped);
        Assert.Equal(3, (int)doc["rows_read"]!);
    }

    // ---- the same analysis from the .parquet and its CSV twin ----

    public static TheoryData<string, string> Twins => new()
    {
        { "alliance.parquet", "validate" },
        { "alliance.parquet", "score" },
        { "alliance.parquet", "describe" },
        { "alliance-zstd.parquet", "score" },
        { "alliance-plain.parquet", "describe" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void The_same_json_comes_from_the_parquet_file_and_its_csv_twin(string file, string verb)
    {
        using var dir = new TempDir();
        string parquet = Path.Combine(dir.Path, "clinic.parquet");
        string csv = Path.Combine(dir.Path, "clinic.csv");
        File.Copy(Fixtures.Path("Parquet", file), parquet);
        File.Copy(Fixtures.Path("Parquet", "alliance-twin.csv"), csv);
        string key = Path.Combine(dir.Path, "key.json");
        File.WriteAllText(key, "{\"id\": \"W3\", \"items\": 3, \"points\": 5, \"reverse\": [2]}");
        string[] flags = ["--items", "wai1,wai2,wai3", "--format", "json", .. verb == "score" ? new[] { "--key", key, "--instrument", "W3" } : ["--points", "5"]];
        var fromParquet = CliRunner.Run([verb, parquet, .. flags]);
        var fromCsv = CliRunner.Run([verb, csv, .. flags]);
        Assert.True(fromCsv.Exit == 0, fromCsv.Err);
        Assert.True(fromParquet.Exit == 0, fromParquet.Err);
        Assert.Contains(verb == "score" ? "\"c8\"" : "wai1", fromCsv.Out);
        // Score rows name where they come from: the physical line of the CSV (header on line 1), the row of the Parquet file.
        var csvDoc = WithoutRowLines(JsonNode.Parse(fromCsv.Out.Replace("clinic.csv", "clinic"))!, out var csvLines);
        var parquetDoc = WithoutRowLines(JsonNode.Parse(fromParquet.Out.Replace("clinic.parquet", "clinic"))!, out var parquetLines);
        if (verb == "score") Assert.Equal(Enumerable.Range(1, 8), parquetLines);
        Assert.Equal(csvLines.Select(l => l - 1), parquetLines);
        Assert.Equal(csvDoc.ToJsonString(), parquetDoc.ToJsonString());
    }

    private static JsonNode WithoutRowLines(JsonNode doc, out List<int> lines)
    {
        lines = [];
        if (doc["rows"] is JsonArray rows)
            foreach (var row in rows.OfType<JsonObject>())
            {
                lines.Add((int)row["line"]!);
                row.Remove("line");
            }
        return doc;
    }

    [Fact]
    public void Input_format_parquet_reads_a_file_with_another_extension_and_the_magic_finds_it_without()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "export.bin");
        File.Copy(Fixtures.Path("Parquet", "alliance.parquet"), data);
        Assert.IsType<ParquetFormat>(SourceFormatRegistry.BuiltIn.Resolve(data, null));
        Assert.IsType<ParquetFormat>(SourceFormatRegistry.BuiltIn.Resolve(data, "parquet"));
        Assert.Contains("parquet", SourceFormatRegistry.BuiltIn.Names);
        var (exit, output, err) = CliRunner.Run("validate", data, "--input-format", "parquet", "--items", "wai1,wai2,wai3", "--points", "5", "--format", "json");
        Assert.True(exit == 0, err);
        Assert.Contains("\"valid\": true", output);
    }

    // ---- bad files ----

    [Fact]
    public void A_file_that_is_not_parquet_named_parquet_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.parquet", "client_id,q1\nc1,3\n");
        var (exit, _, err) = CliRunner.Run("validate", path);
        Assert.Equal(2, exit);
        Assert.Contains("data.parquet", err);
        Assert.Contains("not a Parquet file", err);
        Assert.Contains("PAR1", err);
    }

    public static TheoryData<string, int> Cuts => new() { { "magic only", 4 }, { "first row group", 300 }, { "data", 2500 }, { "inside the footer", -100 }, { "footer length", -6 }, { "end magic", -2 } };

    [Theory]
    [MemberData(nameof(Cuts))]
    public void A_truncated_file_is_refused_with_exit_2_naming_the_file(string where, int cut)
    {
        _ = where;
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Parquet", "alliance.parquet"));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "cut.parquet");
        File.WriteAllBytes(path, bytes[..(cut > 0 ? cut : bytes.Length + cut)]);
        var (exit, _, err) = CliRunner.Run("validate", path, "--items", "wai1,wai2,wai3", "--points", "5");
        Assert.Equal(2, exit);
        Assert.Contains("cut.parquet", err);
        Assert.Contains("truncated", err);
        Assert.Contains("byte offset", err);
    }

    [Fact]
    public void A_pipe_is_refused_by_name_since_the_footer_is_at_the_end()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        var e = Assert.Throws<DataSpecException>(() => new ParquetSource(pipe, "-"));
        Assert.Equal("-: a Parquet file is read from a regular file, not a pipe (its schema is in a footer at the end)", e.Message);
    }

    [Fact]
    public void A_lying_footer_length_is_refused_before_anything_is_read()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Parquet", "alliance.parquet"));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), int.MaxValue);
        var e = Assert.Throws<DataSpecException>(() => new ParquetSource(new MemoryStream(bytes), "lying.parquet"));
        Assert.Contains("lying.parquet", e.Message);
        Assert.Contains("the footer claims 2147483647 bytes", e.Message);
    }

    [Fact]
    public void A_corrupt_footer_is_refused_with_exit_2_naming_the_file_and_the_footer()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Parquet", "alliance.parquet"));
        int footer = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        int start = bytes.Length - 8 - footer;
        for (int i = start; i < start + footer / 2; i++) bytes[i] = 0xFF;
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "footer.parquet");
        File.WriteAllBytes(path, bytes);
        var (exit, _, err) = CliRunner.Run("validate", path, "--items", "wai1,wai2,wai3", "--points", "5");
        Assert.Equal(2, exit);
        Assert.Contains("footer.parquet", err);
        Assert.Contains("footer", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void A_corrupt_data_page_is_refused_naming_the_row_group_and_column()
    {
        // The first column chunk (client_id of row group 1) starts after the magic: wreck its page header and values.
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Parquet", "alliance.parquet"));
        for (int i = 4; i < 40; i++) bytes[i] = 0xFF;
        var e = Assert.Throws<DataSpecException>(() => ReadAllBytes(bytes, "page.parquet"));
        Assert.Contains("page.parquet", e.Message);
        Assert.Contains("row group 1 of 3, column 'client_id'", e.Message);
    }

    private static int ReadAllBytes(byte[] bytes, string name)
    {
        using var source = new ParquetSource(new MemoryStream(bytes), name);
        int n = 0;
        while (source.Read()) { for (int i = 0; i < source.FieldCount; i++) _ = source.Field(i); n++; }
        return n;
    }

    /// <summary>
    /// Flipped bytes anywhere in the file (a fixed seed; page headers, values, dictionaries, the footer): every read
    /// ends in rows or in a DataSpecException naming the file, never another exception out of the decoder.
    /// </summary>
    [Theory]
    [InlineData("alliance.parquet")]
    [InlineData("alliance-zstd.parquet")]
    [InlineData("alliance-plain.parquet")]
    [InlineData("types.parquet")]
    public void Flipped_bytes_give_rows_or_a_data_spec_exception_never_a_decoder_exception(string file)
    {
        byte[] original = File.ReadAllBytes(Fixtures.Path("Parquet", file));
        var random = new Random(15);
        int refused = 0;
        for (int trial = 0; trial < 100; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int flips = 1 + random.Next(4);
            for (int k = 0; k < flips; k++) bytes[4 + random.Next(bytes.Length - 12)] ^= (byte)(1 + random.Next(255));
            try { ReadAllBytes(bytes, "flipped.parquet"); }
            catch (DataSpecException e)
            {
                refused++;
                Assert.StartsWith("flipped.parquet: ", e.Message);
            }
        }
        Assert.True(refused > 0, "no corruption was noticed at all");
    }
}
