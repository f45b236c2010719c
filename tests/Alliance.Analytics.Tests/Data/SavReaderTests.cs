using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// The SPSS reader against files written by R haven (<c>write_sav</c>, each compression) and by PSPP, compared with
/// what haven's <c>read_sav</c> reports for the same file (Fixtures/Spss/*.haven.json, made by make-spss-fixtures.R).
/// </summary>
public class SavReaderTests
{
    /// <summary>Files written by haven (each compression), with a CSV twin.</summary>
    public static TheoryData<string> HavenFiles => new() { "alliance-byte.sav", "alliance-none.sav", "alliance.zsav" };

    /// <summary>Every fixture: haven's and PSPP's (make-pspp-fixtures.sps: bytecode and ZLIB).</summary>
    public static TheoryData<string> AllFiles => new() { "alliance-byte.sav", "alliance-none.sav", "alliance.zsav", "alliance-pspp.sav", "alliance-pspp.zsav" };

    private static (IReadOnlyList<SourceColumn> Columns, List<string[]> Rows) ReadAll(string path)
    {
        using var source = new SavFormat().Open(path, DataSpec.Empty, CancellationToken.None);
        var rows = new List<string[]>();
        while (source.Read()) rows.Add([.. Enumerable.Range(0, source.FieldCount).Select(i => source.Field(i).ToString())]);
        return (source.Columns!, rows);
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Values_labels_and_missing_definitions_equal_havens_read_sav(string file)
    {
        string path = Fixtures.Path("Spss", file);
        var haven = JsonNode.Parse(File.ReadAllText(path + ".haven.json"))!.AsObject();
        var (columns, rows) = ReadAll(path);

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
                if (col.Kind == ColumnKind.Text) Assert.Equal((string)values[i]!, field);
                else if (values[i] is null) Assert.Equal("", field);
                else Assert.Equal((double)values[i]!, double.Parse(field, CultureInfo.InvariantCulture));
            }
            var expectedCodes = new List<string>();
            if (h["na_values"] is JsonValue nv) expectedCodes.Add(((double)nv).ToString("R", CultureInfo.InvariantCulture));
            if (h["na_range"] is JsonArray range) expectedCodes.Add($"{(double)range[0]!} THRU {(double)range[1]!}");
            Assert.Equal(expectedCodes, col.MissingCodes);
            var labels = h["value_labels"] as JsonObject;
            var expectedLabels = labels is null ? [] : labels.Select(p => ((double)p.Value!, p.Key)).OrderBy(p => p.Item1).ToList();
            Assert.Equal(expectedLabels, col.ValueLabels.Select(p => (p.Key, p.Value)));
        }
    }

    [Fact]
    public void Very_long_string_of_400_bytes_is_joined_from_its_segments()
    {
        var (columns, rows) = ReadAll(Fixtures.Path("Spss", "alliance-byte.sav"));
        int note = columns.Select(c => c.Name).ToList().IndexOf("note");
        Assert.Equal(new string('x', 300), rows[0][note]);
        Assert.Equal(string.Concat(Enumerable.Repeat("ab", 200)), rows[7][note]);
    }

    [Fact]
    public void A_sav_file_is_recognised_by_its_magic_even_without_its_extension()
    {
        using var dir = new TempDir();
        string copy = Path.Combine(dir.Path, "export.dat");
        File.Copy(Fixtures.Path("Spss", "alliance-byte.sav"), copy);
        var format = SourceFormatRegistry.BuiltIn.Resolve(copy, null);
        Assert.IsType<SavFormat>(format);
    }

    [Theory]
    [MemberData(nameof(HavenFiles))]
    public void The_same_description_comes_from_the_sav_file_and_its_csv_twin(string file)
    {
        using var dir = new TempDir();
        string sav = Path.Combine(dir.Path, "clinic" + Path.GetExtension(file));
        string csv = Path.Combine(dir.Path, "clinic.csv");
        File.Copy(Fixtures.Path("Spss", file), sav);
        File.Copy(Fixtures.Path("Spss", "alliance-twin.csv"), csv);
        string[] flags = ["--items", "wai1,wai2,wai3", "--points", "5", "--format", "json"];
        var fromSav = CliRunner.Run(["describe", sav, .. flags]);
        var fromCsv = CliRunner.Run(["describe", csv, .. flags]);
        Assert.True(fromSav.Exit == 0, fromSav.Err);
        Assert.Equal(0, fromCsv.Exit);
        // The .sav declares the anchors as value labels (haven's labels = c("Seldom" = 1, …, "No answer" = 99): the
        // description shows those on the scale; the CSV has none. Otherwise the two descriptions are the same.
        var savDoc = JsonNode.Parse(fromSav.Out.Replace("clinic" + Path.GetExtension(file), "clinic"))!.AsObject();
        var csvDoc = JsonNode.Parse(fromCsv.Out.Replace("clinic.csv", "clinic"))!.AsObject();
        Assert.Null(csvDoc["anchors"]);
        Assert.Equal("the file's value labels", (string)savDoc["anchors"]!["source"]!);
        Assert.Equal("""{"1":"Seldom","2":"Sometimes","3":"Fairly often","4":"Very often","5":"Always"}""", savDoc["anchors"]!["labels"]!.ToJsonString());
        savDoc.Remove("anchors");
        csvDoc.Remove("anchors");
        Assert.Equal(csvDoc.ToJsonString(), savDoc.ToJsonString());
    }

    [Fact]
    public void A_file_that_is_not_spss_named_sav_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.sav", "client_id,q1\nc1,3\n");
        var (exit, _, err) = CliRunner.Run("describe", path);
        Assert.Equal(2, exit);
        Assert.Contains("data.sav", err);
        Assert.Contains("not an SPSS system file", err);
    }

    /// <summary>
    /// Truncations at every 8th byte and single flipped bytes at every 16th byte of each fixture: each read ends in a
    /// clear <see cref="DataSpecException"/> naming the byte offset, or reads (a flipped byte in a value is still a
    /// file), never another exception, a hang or an allocation sized by a lying count.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Truncated_and_corrupted_files_give_clear_errors_and_never_crash(string file)
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Spss", file));
        int clear = 0, read = 0;
        var watch = Stopwatch.StartNew();
        void Try(byte[] b)
        {
            try { SavReader.ReadAll(new MemoryStream(b), "corrupt.sav"); read++; }
            catch (DataSpecException e)
            {
                Assert.Contains("corrupt.sav", e.Message);
                clear++;
            }
        }
        for (int cut = 0; cut < bytes.Length; cut += 8) Try(bytes[..cut]);
        for (int at = 0; at < bytes.Length; at += 16)
        {
            var b = (byte[])bytes.Clone();
            b[at] ^= 0xA5;
            Try(b);
            b = (byte[])bytes.Clone();
            b[at] = 0x7F; b[Math.Min(at + 1, b.Length - 1)] = 0xFF; b[Math.Min(at + 2, b.Length - 1)] = 0xFF; b[Math.Min(at + 3, b.Length - 1)] = 0x7F;   // a huge count
            Try(b);
        }
        Assert.True(clear > bytes.Length / 8, $"{clear} clear errors, {read} reads");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "corrupt files must not hang");
    }

    [Fact]
    public void Truncation_inside_the_dictionary_names_the_byte_offset()
    {
        byte[] bytes = File.ReadAllBytes(Fixtures.Path("Spss", "alliance-byte.sav"));
        var e = Assert.Throws<DataSpecException>(() => SavReader.ReadAll(new MemoryStream(bytes[..300]), "cut.sav"));
        Assert.Contains("cut.sav", e.Message);
        Assert.Contains("byte offset", e.Message);
    }
}
