using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// The Stata reader against files written by R haven (<c>write_dta</c>, releases 113, 114, 115, 117, 118, 119), compared
/// with what haven's <c>read_dta</c> reports for the same file (Fixtures/Stata/*.haven.json, made by
/// make-stata-fixtures.R), and against files built byte by byte here from StataCorp's format description (both byte
/// orders, every storage type, every missing code), with a truncation and corruption corpus.
/// </summary>
public class DtaReaderTests
{
    /// <summary>Every haven fixture.</summary>
    public static TheoryData<string> HavenFiles => new() { "alliance-113.dta", "alliance-114.dta", "alliance-115.dta", "alliance-117.dta", "alliance-118.dta", "alliance-119.dta" };

    private static (IReadOnlyList<SourceColumn> Columns, List<string[]> Rows, List<string?[]> Missing, DtaReader Reader) ReadAll(string path, string? encoding = null)
    {
        using var source = (DtaReader)new DtaFormat().Open(path, DataSpec.Empty with { Encoding = encoding }, CancellationToken.None);
        return Drain(source);
    }

    private static (IReadOnlyList<SourceColumn>, List<string[]>, List<string?[]>, DtaReader) Drain(DtaReader source)
    {
        var rows = new List<string[]>();
        var missing = new List<string?[]>();
        while (source.Read())
        {
            rows.Add([.. Enumerable.Range(0, source.FieldCount).Select(i => source.Field(i).ToString())]);
            missing.Add([.. Enumerable.Range(0, source.FieldCount).Select(source.MissingCode)]);
        }
        return (source.Columns!, rows, missing, source);
    }

    [Theory]
    [MemberData(nameof(HavenFiles))]
    public void Values_labels_and_missing_codes_equal_havens_read_dta(string file)
    {
        string path = Fixtures.Path("Stata", file);
        var haven = JsonNode.Parse(File.ReadAllText(path + ".haven.json"))!.AsObject();
        var (columns, rows, missing, reader) = ReadAll(path);

        Assert.Equal(int.Parse(file[9..12], CultureInfo.InvariantCulture), reader.Release);
        Assert.Equal(haven.Select(p => p.Key), columns.Select(c => c.Name));
        Assert.Equal(haven.First().Value!["values"]!.AsArray().Count, rows.Count);
        for (int j = 0; j < columns.Count; j++)
        {
            var col = columns[j];
            var h = haven[col.Name]!.AsObject();
            Assert.Equal((string?)h["label"], col.Label);
            Assert.Equal((string)h["type"]! == "text" ? ColumnKind.Text : ColumnKind.Number, col.Kind);
            var values = h["values"]!.AsArray();
            for (int i = 0; i < rows.Count; i++)
            {
                string field = rows[i][j];
                if (col.Kind == ColumnKind.Text)
                {
                    // haven (ReadStat) converts str# from Windows-1252 in releases before 118 but hands strL bytes over
                    // as they are; we decode every string of a file alike, so its UTF-8 strL reads as Windows-1252 here.
                    string expected = (string)values[i]!;
                    if (reader.Release < 118 && col.Name == "note") expected = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(expected));
                    Assert.Equal(expected, field);
                    continue;
                }
                if (values[i] is null) Assert.Equal("", field);
                else Assert.Equal((double)values[i]!, double.Parse(field, CultureInfo.InvariantCulture));
                // haven's na_tag: "a" for .a, "" for a plain ., null for a value.
                string? tag = (string?)h["missing"]![i];
                Assert.Equal(tag is null ? null : tag.Length == 0 ? "." : "." + tag, missing[i][j]);
            }
            var labels = h["value_labels"] as JsonObject;
            var expectedLabels = labels is null ? [] : labels.Select(p => ((double)p.Value!, p.Key)).OrderBy(p => p.Item1).ToList();
            Assert.Equal(expectedLabels, col.ValueLabels.Select(p => (p.Key, p.Value)));
            var missingLabels = h["missing_labels"] as JsonObject;
            var expectedMissing = missingLabels is null ? [] : missingLabels.Select(p => ("." + p.Key, (string)p.Value!)).OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
            Assert.Equal(expectedMissing.Select(p => p.Item1), col.MissingCodes);
            Assert.Equal(expectedMissing, reader.MissingLabels.TryGetValue(col.Name, out var ml) ? ml.Select(p => (p.Key, p.Value)).ToList() : []);
        }
    }

    [Fact]
    public void StrL_values_of_3000_bytes_and_of_utf8_text_are_read_whole()
    {
        var (columns, rows, _, _) = ReadAll(Fixtures.Path("Stata", "alliance-118.dta"));
        int note = columns.Select(c => c.Name).ToList().IndexOf("note");
        Assert.Equal(ColumnKind.Text, columns[note].Kind);
        Assert.Equal(new string('x', 3000), rows[0][note]);
        Assert.Equal(string.Concat(Enumerable.Repeat("José ", 500)), rows[6][note]);
        Assert.Equal("", rows[1][note]);
        Assert.Equal("ä", rows[3][note]);
    }

    [Fact]
    public void Releases_before_118_are_windows_1252_unless_the_encoding_is_given()
    {
        Assert.Equal("JosÃ©", ReadAll(Fixtures.Path("Stata", "alliance-115.dta")).Rows[0][0]);   // as haven's read_dta
        Assert.Equal("José", ReadAll(Fixtures.Path("Stata", "alliance-115.dta"), "utf-8").Rows[0][0]);
    }

    [Fact]
    public void A_dta_file_is_recognised_by_its_first_bytes_even_without_its_extension()
    {
        using var dir = new TempDir();
        foreach (string file in new[] { "alliance-118.dta", "alliance-114.dta" })
        {
            string copy = Path.Combine(dir.Path, file + ".dat");
            File.Copy(Fixtures.Path("Stata", file), copy);
            Assert.IsType<DtaFormat>(SourceFormatRegistry.BuiltIn.Resolve(copy, null));
            Assert.IsType<DtaFormat>(SourceFormatRegistry.BuiltIn.Resolve(copy, "dta"));
        }
    }

    // ---- the same analysis from the .dta and its CSV twin ----

    public static TheoryData<string, string, string> Twins => new()
    {
        { "alliance-113.dta", "alliance-twin.csv", "score" },
        { "alliance-114.dta", "alliance-twin.csv", "validate" },
        { "alliance-115.dta", "alliance-twin.csv", "score" },
        { "alliance-117.dta", "alliance-twin-strl.csv", "score" },
        { "alliance-118.dta", "alliance-twin-strl.csv", "validate" },
        { "alliance-118.dta", "alliance-twin-strl.csv", "score" },
        { "alliance-119.dta", "alliance-twin-strl.csv", "describe" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void The_same_json_comes_from_the_dta_file_and_its_csv_twin(string file, string twin, string verb)
    {
        using var dir = new TempDir();
        string dta = Path.Combine(dir.Path, "clinic.dta");
        string csv = Path.Combine(dir.Path, "clinic.csv");
        File.Copy(Fixtures.Path("Stata", file), dta);
        File.Copy(Fixtures.Path("Stata", twin), csv);
        // Releases before 118 hold haven's UTF-8 bytes without saying so: the encoding is given, as read_dta(encoding =) would.
        string key = Path.Combine(dir.Path, "key.json");
        File.WriteAllText(key, "{\"id\": \"W3\", \"items\": 3, \"points\": 5, \"reverse\": [2]}");
        string[] flags = ["--items", "wai1,wai2,wai3", "--format", "json", "--encoding", "utf-8", .. verb == "score" ? new[] { "--key", key, "--instrument", "W3" } : ["--points", "5"]];
        var fromDta = CliRunner.Run([verb, dta, .. flags]);
        var fromCsv = CliRunner.Run([verb, csv, .. flags]);
        Assert.True(fromCsv.Exit == 0, fromCsv.Err);
        Assert.True(fromDta.Exit == 0, fromDta.Err);
        Assert.Contains(verb == "score" ? "\"c8\"" : "wai1", fromCsv.Out);
        // Score rows name where they come from: the physical line of the CSV (header on line 1), the observation of the .dta.
        var csvDoc = WithoutRowLines(JsonNode.Parse(fromCsv.Out.Replace("clinic.csv", "clinic"))!, out var csvLines);
        var dtaDoc = WithoutRowLines(JsonNode.Parse(fromDta.Out.Replace("clinic.dta", "clinic"))!, out var dtaLines);
        Assert.Equal(csvLines.Select(l => l - 1), dtaLines);
        if (verb == "describe")
        {
            // The .dta declares the anchors as value labels (haven's labels = c("Seldom" = 1, …, "Refused" = .a)); the
            // CSV has none: the description shows those on the scale, and is otherwise the same.
            Assert.Null(csvDoc["anchors"]);
            Assert.Equal("""{"1":"Seldom","2":"Sometimes","3":"Fairly often","4":"Very often","5":"Always"}""", dtaDoc["anchors"]!["labels"]!.ToJsonString());
            csvDoc.AsObject().Remove("anchors");
            dtaDoc.AsObject().Remove("anchors");
        }
        Assert.Equal(csvDoc.ToJsonString(), dtaDoc.ToJsonString());
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
    public void Input_format_dta_reads_a_file_with_another_extension()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "export.bin");
        File.WriteAllBytes(data, File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta")));
        var (exit, output, err) = CliRunner.Run("validate", data, "--input-format", "dta", "--items", "wai1,wai2,wai3", "--points", "5", "--format", "json");
        Assert.True(exit == 0, err);
        Assert.Contains("\"valid\": true", output);
    }

    // ---- bad files ----

    [Fact]
    public void A_file_that_is_not_stata_named_dta_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.dta", "client_id,q1\nc1,3\n");
        var (exit, _, err) = CliRunner.Run("validate", path);
        Assert.Equal(2, exit);
        Assert.Contains("data.dta", err);
        Assert.Contains("not a Stata file", err);
    }

    public static TheoryData<string, int> Cuts => new() { { "header", 40 }, { "map", 200 }, { "descriptors", 900 }, { "data", 6000 }, { "value labels", -10 } };

    [Theory]
    [MemberData(nameof(Cuts))]
    public void A_truncated_file_is_refused_with_exit_2_naming_the_file_and_byte_offset(string where, int cut)
    {
        _ = where;
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta"));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "cut.dta");
        File.WriteAllBytes(path, bytes[..(cut > 0 ? cut : bytes.Length + cut)]);
        var (exit, _, err) = CliRunner.Run("validate", path, "--items", "wai1,wai2,wai3", "--points", "5");
        Assert.Equal(2, exit);
        Assert.Contains("cut.dta", err);
        Assert.Contains("byte offset", err);
    }

    [Theory]
    [InlineData("<variable_types>", 0x34, "storage type 13364")]
    [InlineData("<N>", 0x7f, "observations")]
    [InlineData("<map>", 0x00, "map entry")]
    [InlineData("GSO", 0x00, "strL")]
    public void A_corrupted_file_is_refused_with_exit_2_naming_the_file_and_what_was_expected(string after, byte value, string expected)
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta"));
        int at = IndexOf(bytes, Encoding.ASCII.GetBytes(after)) + after.Length + (after == "<map>" ? 8 * 9 : 0);
        bytes[at] = value;
        bytes[at + 1] = value;
        if (after == "GSO") bytes[at - 3] = (byte)'X';
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "corrupt.dta");
        File.WriteAllBytes(path, bytes);
        var (exit, _, err) = CliRunner.Run("validate", path, "--items", "wai1,wai2,wai3", "--points", "5");
        Assert.Equal(2, exit);
        Assert.Contains("corrupt.dta", err);
        Assert.Contains(expected, err);
        Assert.Contains("byte offset", err);
    }

    [Fact]
    public void A_lying_observation_count_is_refused_before_anything_is_allocated()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta"));
        int n = IndexOf(bytes, "<N>"u8) + 3;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(n), long.MaxValue / 2);
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream(bytes), "lying.dta"));
        Assert.Contains("lying.dta", e.Message);
        Assert.Contains("observations", e.Message);
        Assert.Contains($"byte offset {n.ToString(CultureInfo.InvariantCulture)}", e.Message);
    }

    [Fact]
    public void A_lying_variable_count_is_refused_before_anything_is_allocated()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", "alliance-119.dta"));
        int k = IndexOf(bytes, "<K>"u8) + 3;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(k), int.MaxValue);
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream(bytes), "lying.dta"));
        Assert.Contains("variables cannot be described", e.Message);
    }

    [Fact]
    public void A_value_label_table_with_a_lying_count_is_refused_naming_the_table()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta"));
        int table = IndexOf(bytes, "<lbl>"u8) + 5 + 4 + 129 + 3;   // len, name, padding: then n
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(table), 1 << 28);
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream(bytes), "labels.dta"));
        Assert.Contains("value-label table", e.Message);
        Assert.Contains("byte offset", e.Message);
    }

    /// <summary>
    /// Truncations at every 4th byte and flipped or huge-count bytes at every 8th byte of each fixture: each read ends
    /// in a clear <see cref="DataSpecException"/> naming the file, or reads (a flipped byte in a value is still a
    /// file), never another exception, a hang or an allocation sized by a lying count.
    /// </summary>
    [Theory]
    [MemberData(nameof(HavenFiles))]
    public void Truncated_and_corrupted_files_give_clear_errors_and_never_crash(string file)
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Stata", file));
        int clear = 0, read = 0;
        var watch = Stopwatch.StartNew();
        void Try(byte[] b)
        {
            try { DtaReader.ReadAll(new MemoryStream(b), "corrupt.dta"); read++; }
            catch (DataSpecException e)
            {
                Assert.Contains("corrupt.dta", e.Message);
                clear++;
            }
        }
        for (int cut = 0; cut < bytes.Length; cut += 4) Try(bytes[..cut]);
        for (int at = 0; at < bytes.Length; at += 8)
        {
            var b = (byte[])bytes.Clone();
            b[at] ^= 0xA5;
            Try(b);
            b = (byte[])bytes.Clone();
            for (int i = at; i < Math.Min(at + 4, b.Length); i++) b[i] = 0x7F;   // a huge count in either byte order
            Try(b);
        }
        Assert.True(clear >= bytes.Length / 4, $"{clear} clear errors, {read} reads");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "corrupt files must not hang");
    }

    // ---- files built here, byte by byte, from the format description ----

    private static readonly Cell[][] Rows =
    [
        [1, 1, 1, 1.5, 0.25, "first", "a long string in a strL"],
        [-127, -32767, -2147483647, -1.5e38, -1.7e308, "", ""],
        [100, 32740, 2147483620, 0.1, 123456.789, "Ærø", "ünïcødé strL"],
        [Cell.Missing('.'), Cell.Missing('.'), Cell.Missing('.'), Cell.Missing('.'), Cell.Missing('.'), "full6!", "x"],
        [Cell.Missing('a'), Cell.Missing('b'), Cell.Missing('c'), Cell.Missing('y'), Cell.Missing('z'), "abcd", "a long string in a strL"],
        [Cell.Missing('z'), 2, 3, 4, 5, "z", "cross-linked"],
    ];

    private static readonly DtaBuilder.Variable[] Variables =
    [
        new("b", DtaBuilder.Byte, "a byte", "scale"),
        new("i", DtaBuilder.Int, "", "scale"),
        new("l", DtaBuilder.Long, "a long", ""),
        new("f", DtaBuilder.Float, "", ""),
        new("d", DtaBuilder.Double, "a double", ""),
        new("s", 6, "a str6", ""),
        new("note", DtaBuilder.StrL, "", ""),
    ];

    private static readonly (string Set, int Value, string Label)[] Labels =
    [
        ("scale", 1, "never"), ("scale", 100, "always"), ("scale", -127, "lowest"), ("scale", 2147483622, "refused (.a)"), ("unused", 7, "seven"),
    ];

    private static void AssertBuiltFileReads(byte[] file, int release, bool bigEndian)
    {
        using var reader = new DtaReader(new MemoryStream(file), "built.dta");
        var (columns, rows, missing, _) = Drain(reader);
        Assert.Equal(release, reader.Release);
        Assert.Equal(bigEndian, reader.BigEndian);
        Assert.Equal(["b", "i", "l", "f", "d", "s", "note"], columns.Select(c => c.Name));
        Assert.Equal(["a byte", null, "a long", null, "a double", "a str6", null], columns.Select(c => c.Label));
        Assert.Equal([ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Text, ColumnKind.Text], columns.Select(c => c.Kind));
        Assert.Equal([(-127.0, "lowest"), (1.0, "never"), (100.0, "always")], columns[0].ValueLabels.Select(p => (p.Key, p.Value)));
        Assert.Equal([".a"], columns[1].MissingCodes.ToArray());
        Assert.Empty(columns[2].ValueLabels);
        Assert.Equal("refused (.a)", reader.MissingLabels["b"][".a"]);
        Assert.Equal(Rows.Length, rows.Count);
        for (int r = 0; r < Rows.Length; r++)
            for (int c = 0; c < Variables.Length; c++)
            {
                var cell = Rows[r][c];
                if (cell.Code is char code)
                {
                    Assert.Equal("", rows[r][c]);
                    Assert.Equal(code == '.' ? "." : "." + code, missing[r][c]);
                }
                else
                {
                    string expected = cell.Text ?? (Variables[c].Type == DtaBuilder.Float
                        ? ((float)cell.Number).ToString("R", CultureInfo.InvariantCulture)
                        : cell.Number.ToString("R", CultureInfo.InvariantCulture));
                    if (release < 117 && c == 6) expected = expected.Length > 30 ? expected[..30] : expected;   // a str30 there
                    Assert.Equal(expected, rows[r][c]);
                    Assert.Null(missing[r][c]);
                }
            }
    }

    [Theory]
    [InlineData(117, false)]
    [InlineData(117, true)]
    [InlineData(118, false)]
    [InlineData(118, true)]
    [InlineData(119, false)]
    [InlineData(119, true)]
    public void A_file_built_from_the_format_description_reads_in_either_byte_order(int release, bool bigEndian)
    {
        var encoding = release >= 118 ? Encoding.UTF8 : Encoding.Latin1;
        AssertBuiltFileReads(DtaBuilder.Tagged(release, bigEndian, Variables, Rows, Labels, encoding), release, bigEndian);
    }

    [Theory]
    [InlineData(113, false)]
    [InlineData(114, false)]
    [InlineData(114, true)]
    [InlineData(115, true)]
    public void An_old_binary_file_built_from_the_format_description_reads_in_either_byte_order(int release, bool bigEndian)
    {
        AssertBuiltFileReads(DtaBuilder.Old(release, bigEndian, Variables, Rows, Labels), release, bigEndian);
    }

    [Fact]
    public void A_strL_that_refers_forward_or_to_nothing_is_refused_naming_the_observation()
    {
        byte[] file = DtaBuilder.Tagged(118, false, Variables, Rows, Labels, Encoding.UTF8, dropStrl: (6, 1));
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream(file), "strl.dta"));
        Assert.Contains("observation 1, variable note", e.Message);
        Assert.Contains("strL (7,1)", e.Message);
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_refused_naming_the_file()
    {
        var pipe = new ForwardOnly(File.ReadAllBytes(Fixtures.Path("Stata", "alliance-118.dta")));
        var e = Assert.Throws<DataSpecException>(() => new DtaReader(pipe, "piped.dta"));
        Assert.Contains("piped.dta", e.Message);
        Assert.Contains("regular file", e.Message);
    }

    private sealed class ForwardOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void A_text_file_named_dta_is_not_taken_for_an_old_release()
    {
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream("participant,q1\np1,3\n"u8.ToArray()), "text.dta"));
        Assert.Contains("text.dta: not a Stata file", e.Message);
    }

    [Fact]
    public void A_release_before_113_is_refused_saying_which_releases_are_read()
    {
        var e = Assert.Throws<DataSpecException>(() => DtaReader.ReadAll(new MemoryStream([112, 2, 1, 0, 0, 0, 0, 0]), "old.dta"));
        Assert.Contains("release 112", e.Message);
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what) => bytes.AsSpan().IndexOf(what);

    /// <summary>A value of a built file: a number, a string, or a missing code ('.' or 'a'–'z').</summary>
    public readonly record struct Cell(double Number, string? Text, char? Code)
    {
        public static implicit operator Cell(double x) => new(x, null, null);
        public static implicit operator Cell(string s) => new(0, s, null);
        public static Cell Missing(char code) => new(0, null, code);
    }

    /// <summary>Writes .dta files from StataCorp's description (help dta, dta_117, dta_119, dta_115, dta_113).</summary>
    private static class DtaBuilder
    {
        public const int Byte = 65530, Int = 65529, Long = 65528, Float = 65527, Double = 65526, StrL = 32768;

        public sealed record Variable(string Name, int Type, string Label, string LabelSet);

        private sealed class Writer(bool bigEndian)
        {
            public readonly MemoryStream Bytes = new();
            public long Position => Bytes.Position;
            public void Raw(ReadOnlySpan<byte> b) => Bytes.Write(b);
            public void Tag(string t) => Raw(Encoding.ASCII.GetBytes(t));
            public void U(ulong x, int n)
            {
                Span<byte> b = stackalloc byte[n];
                for (int i = 0; i < n; i++) b[bigEndian ? n - 1 - i : i] = (byte)(x >> (8 * i));
                Raw(b);
            }
            public void Fixed(string s, int n, Encoding e)
            {
                var b = new byte[n];
                byte[] text = e.GetBytes(s);
                text.AsSpan(0, Math.Min(text.Length, n)).CopyTo(b);
                Raw(b);
            }
        }

        private static void WriteCell(Writer w, Variable v, Cell cell, int release, int varIndex, int obs, Encoding e, (int, int)? dropStrl)
        {
            bool old = release < 117;
            int code = cell.Code is char c ? (c == '.' ? 0 : c - 'a' + 1) : -1;
            switch (v.Type)
            {
                case Byte: w.U((ulong)(byte)(sbyte)(code >= 0 ? 101 + code : (int)cell.Number), 1); break;
                case Int: w.U((ulong)(ushort)(short)(code >= 0 ? 32741 + code : (int)cell.Number), 2); break;
                case Long: w.U((uint)(code >= 0 ? 2147483621 + code : (int)cell.Number), 4); break;
                case Float: w.U((uint)(code >= 0 ? 0x7f000000 + (code << 11) : BitConverter.SingleToInt32Bits((float)cell.Number)), 4); break;
                case Double: w.U((ulong)(code >= 0 ? 0x7fe0000000000000 + ((long)code << 40) : BitConverter.DoubleToInt64Bits(cell.Number)), 8); break;
                case StrL when old: w.Fixed(cell.Text!, 30, e); break;
                case StrL:
                {
                    int vBytes = release switch { 117 => 4, 118 => 2, _ => 3 };
                    // Row 5's strL repeats row 1's: cross-linked to (v, 1), as Stata may write it.
                    (int vv, int oo) = cell.Text!.Length == 0 ? (0, 0) : obs == 5 ? (varIndex, 1) : (varIndex, obs);
                    w.U((ulong)vv, vBytes);
                    w.U((ulong)oo, 8 - vBytes);
                    break;
                }
                default: w.Fixed(cell.Text!, v.Type, e); break;
            }
        }

        private static byte[] LabelTable(bool bigEndian, IEnumerable<(int Value, string Label)> entries, Encoding e)
        {
            var list = entries.OrderBy(x => x.Value).ToList();
            var text = new MemoryStream();
            var offsets = new List<int>();
            foreach (var (_, label) in list) { offsets.Add((int)text.Length); text.Write(e.GetBytes(label)); text.WriteByte(0); }
            var w = new Writer(bigEndian);
            w.U((ulong)list.Count, 4);
            w.U((ulong)text.Length, 4);
            foreach (int o in offsets) w.U((uint)o, 4);
            foreach (var (value, _) in list) w.U((uint)value, 4);
            w.Raw(text.ToArray());
            return w.Bytes.ToArray();
        }

        public static byte[] Tagged(int release, bool bigEndian, Variable[] vars, Cell[][] rows, (string Set, int Value, string Label)[] labels, Encoding e, (int, int)? dropStrl = null)
        {
            bool wide = release >= 118;
            int nameLength = wide ? 129 : 33;
            var w = new Writer(bigEndian);
            var map = new long[14];
            map[0] = 0;
            w.Tag($"<stata_dta><header><release>{release}</release><byteorder>{(bigEndian ? "MSF" : "LSF")}</byteorder><K>");
            w.U((ulong)vars.Length, release == 119 ? 4 : 2);
            w.Tag("</K><N>");
            w.U((ulong)rows.Length, wide ? 8 : 4);
            w.Tag("</N><label>");
            byte[] dataLabel = e.GetBytes("built by hand");
            w.U((ulong)dataLabel.Length, wide ? 2 : 1);
            w.Raw(dataLabel);
            w.Tag("</label><timestamp>");
            w.U(17, 1);
            w.Tag(" 4 Dec 2026 01:00</timestamp></header>");
            map[1] = w.Position;
            w.Tag("<map>");
            long mapAt = w.Position;
            for (int i = 0; i < 14; i++) w.U(0, 8);
            w.Tag("</map>");
            map[2] = w.Position;
            w.Tag("<variable_types>");
            foreach (var v in vars) w.U((ulong)v.Type, 2);
            w.Tag("</variable_types>");
            map[3] = w.Position;
            w.Tag("<varnames>");
            foreach (var v in vars) w.Fixed(v.Name, nameLength, e);
            w.Tag("</varnames>");
            map[4] = w.Position;
            w.Tag("<sortlist>");
            for (int i = 0; i <= vars.Length; i++) w.U(0, release == 119 ? 4 : 2);
            w.Tag("</sortlist>");
            map[5] = w.Position;
            w.Tag("<formats>");
            foreach (var v in vars) w.Fixed(v.Type is < 2046 or StrL ? "%9s" : "%9.0g", wide ? 57 : 49, e);
            w.Tag("</formats>");
            map[6] = w.Position;
            w.Tag("<value_label_names>");
            foreach (var v in vars) w.Fixed(v.LabelSet, nameLength, e);
            w.Tag("</value_label_names>");
            map[7] = w.Position;
            w.Tag("<variable_labels>");
            foreach (var v in vars) w.Fixed(v.Label, wide ? 321 : 81, e);
            w.Tag("</variable_labels>");
            map[8] = w.Position;
            w.Tag("<characteristics><ch>");
            byte[] ch = new byte[nameLength * 2 + 3];
            "_dta"u8.CopyTo(ch);
            "note1"u8.CopyTo(ch.AsSpan(nameLength));
            "hi\0"u8.CopyTo(ch.AsSpan(2 * nameLength));
            w.U((ulong)ch.Length, 4);
            w.Raw(ch);
            w.Tag("</ch></characteristics>");
            map[9] = w.Position;
            w.Tag("<data>");
            for (int r = 0; r < rows.Length; r++)
                for (int c = 0; c < vars.Length; c++) WriteCell(w, vars[c], rows[r][c], release, c + 1, r + 1, e, dropStrl);
            w.Tag("</data>");
            map[10] = w.Position;
            w.Tag("<strls>");
            for (int r = 0; r < rows.Length; r++)
                for (int c = 0; c < vars.Length; c++)
                {
                    if (vars[c].Type != StrL || rows[r][c].Text is not { Length: > 0 } text || r + 1 == 5 || dropStrl == (c, r + 1)) continue;
                    w.Tag("GSO");
                    w.U((ulong)(c + 1), 4);
                    w.U((ulong)(r + 1), release == 117 ? 4 : 8);
                    bool ascii = r % 2 == 0;
                    byte[] b = e.GetBytes(text);
                    w.U(ascii ? 130u : 129u, 1);
                    w.U((ulong)(b.Length + (ascii ? 1 : 0)), 4);
                    w.Raw(b);
                    if (ascii) w.Raw([0]);
                }
            w.Tag("</strls>");
            map[11] = w.Position;
            w.Tag("<value_labels>");
            foreach (var set in labels.GroupBy(l => l.Set))
            {
                byte[] table = LabelTable(bigEndian, set.Select(l => (l.Value, l.Label)), e);
                w.Tag("<lbl>");
                w.U((ulong)table.Length, 4);
                w.Fixed(set.Key, nameLength, e);
                w.Raw([0, 0, 0]);
                w.Raw(table);
                w.Tag("</lbl>");
            }
            w.Tag("</value_labels>");
            map[12] = w.Position;
            w.Tag("</stata_dta>");
            map[13] = w.Position;
            w.Bytes.Position = mapAt;
            foreach (long m in map) w.U((ulong)m, 8);
            return w.Bytes.ToArray();
        }

        public static byte[] Old(int release, bool bigEndian, Variable[] vars, Cell[][] rows, (string Set, int Value, string Label)[] labels)
        {
            var e = Encoding.Latin1;
            var w = new Writer(bigEndian);
            w.Raw([(byte)release, (byte)(bigEndian ? 1 : 2), 1, 0]);
            w.U((ulong)vars.Length, 2);
            w.U((ulong)rows.Length, 4);
            w.Fixed("built by hand", 81, e);
            w.Fixed(" 4 Dec 2026 01:00", 18, e);
            foreach (var v in vars)
                w.Raw([(byte)(v.Type switch { Byte => 251, Int => 252, Long => 253, Float => 254, Double => 255, StrL => 30, _ => v.Type })]);
            foreach (var v in vars) w.Fixed(v.Name, 33, e);
            for (int i = 0; i <= vars.Length; i++) w.U(0, 2);
            foreach (var _ in vars) w.Fixed("%9.0g", release == 113 ? 12 : 49, e);
            foreach (var v in vars) w.Fixed(v.LabelSet, 33, e);
            foreach (var v in vars) w.Fixed(v.Label, 81, e);
            w.Raw([1]); w.U(33 * 2 + 3, 4); w.Fixed("_dta", 33, e); w.Fixed("note1", 33, e); w.Fixed("hi", 3, e);
            w.Raw([0]); w.U(0, 4);
            for (int r = 0; r < rows.Length; r++)
                for (int c = 0; c < vars.Length; c++) WriteCell(w, vars[c], rows[r][c], release, c + 1, r + 1, e, null);
            foreach (var set in labels.GroupBy(l => l.Set))
            {
                byte[] table = LabelTable(bigEndian, set.Select(l => (l.Value, l.Label)), e);
                w.U((ulong)table.Length, 4);
                w.Fixed(set.Key, 33, e);
                w.Raw([0, 0, 0]);
                w.Raw(table);
            }
            return w.Bytes.ToArray();
        }
    }
}
