using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Data;

/// <summary>Scores written as .sav (<c>score --out scores.sav</c>): read back by our reader always, and by R haven where R is installed.</summary>
public class SavWriterTests
{
    private static ResultTable Table() => new("scores",
        [TableColumn.Label("client_id"), TableColumn.Number("session", 0), TableColumn.Number("total", 2), TableColumn.Label("flag"), TableColumn.Number("a very long score name over 8", 2)],
        [
            ["José", 1.0, 3.25, "low", 1.0],
            ["c2", 2.0, null, "", -7.5],
            ["=HYPERLINK(\"x\")", 3.0, 151.0, "high", 1e-9],
            [new string('z', 40), 12.0, -99.0, "ä", 123456.789],
        ]);

    [Fact]
    public void A_written_file_reads_back_to_the_same_values_names_and_labels()
    {
        var ms = new MemoryStream();
        SavWriter.Write(ms, Table());
        ms.Position = 0;
        using var reader = new SavReader(ms, "scores.sav");
        Assert.Equal(["client_id", "session", "total", "flag", "a_very_long_score_name_over_8"], reader.Columns!.Select(c => c.Name));
        Assert.Equal("a very long score name over 8", reader.Columns![4].Label);
        Assert.Equal([ColumnKind.Text, ColumnKind.Number, ColumnKind.Number, ColumnKind.Text, ColumnKind.Number], reader.Columns!.Select(c => c.Kind));
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString())]);
        Assert.Equal(4, rows.Count);
        Assert.Equal(["José", "1", "3.25", "low", "1"], rows[0]);
        Assert.Equal(["c2", "2", "", "", "-7.5"], rows[1]);
        Assert.Equal(["=HYPERLINK(\"x\")", "3", "151", "high", "1E-09"], rows[2]);
        Assert.Equal([new string('z', 40), "12", "-99", "ä", "123456.789"], rows[3]);
    }

    [Fact]
    public void Score_out_sav_writes_an_spss_file_with_one_row_per_administration()
    {
        using var dir = new TempDir();
        string root = Fixtures.RepositoryRoot();
        string clinic = Path.Combine(root, "data", "synthetic", "clinic", "clinic.csv");
        Assert.True(File.Exists(clinic), clinic);
        string sav = Path.Combine(dir.Path, "scores.sav");
        var (exit, _, err) = CliRunner.Run("score", clinic, "--out", sav);
        Assert.True(exit == 0, err);
        var json = CliRunner.Run("score", clinic, "--format", "json");
        var expectedRows = JsonNode.Parse(json.Out)!["rows"]!.AsArray();
        using var reader = new SavReader(File.OpenRead(sav), sav);
        int n = 0;
        int total = reader.Columns!.Select(c => c.Name).ToList().IndexOf("total");
        Assert.True(total >= 0, string.Join(",", reader.Columns!.Select(c => c.Name)));
        while (reader.Read())
        {
            var expected = expectedRows[n]!["total"];
            string field = reader.Field(total).ToString();
            if (expected is null) Assert.Equal("", field);
            else Assert.Equal((double)expected, double.Parse(field, CultureInfo.InvariantCulture), 10);
            n++;
        }
        Assert.Equal(expectedRows.Count, n);
    }

    [Fact]
    public void Score_format_sav_without_out_is_a_usage_error()
    {
        string clinic = Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv");
        var (exit, _, err) = CliRunner.Run("score", clinic, "--format", "sav");
        Assert.Equal(2, exit);
        Assert.Contains("--out", err);
    }

    /// <summary>
    /// R haven (ReadStat, an independent reader) read the file this writer makes from <see cref="Table"/>: the file is
    /// committed (Fixtures/Spss/written-by-alliance.sav, refreshed by setting ALLIANCE_WRITE_FIXTURES=1) and
    /// make-spss-fixtures.R stored haven's view of it beside it. The writer must still make that file byte for byte
    /// (but for the creation date and time in the header), and haven's view must hold the table's values.
    /// </summary>
    [Fact]
    public void Haven_read_the_written_file_to_the_same_values_and_the_writer_still_makes_that_file()
    {
        var ms = new MemoryStream();
        SavWriter.Write(ms, Table());
        byte[] written = ms.ToArray();
        string fixture = Fixtures.Path("Spss", "written-by-alliance.sav");
        if (Environment.GetEnvironmentVariable("ALLIANCE_WRITE_FIXTURES") == "1")
            File.WriteAllBytes(Path.Combine(Fixtures.RepositoryRoot(), "tests", "Alliance.Analytics.Tests", "Fixtures", "Spss", "written-by-alliance.sav"), written);
        byte[] committed = File.ReadAllBytes(fixture);
        // Bytes 92–108 hold the creation date and time.
        for (int i = 92; i < 109; i++) written[i] = committed[i];
        Assert.Equal(committed, written);

        var o = JsonNode.Parse(File.ReadAllText(fixture + ".haven.json"))!.AsObject();
        Assert.Equal(["José", "c2", "=HYPERLINK(\"x\")", new string('z', 40)], o["client_id"]!["values"]!.AsArray().Select(v => (string)v!));
        Assert.Equal([3.25, null, 151.0, -99.0], o["total"]!["values"]!.AsArray().Select(v => v is null ? (double?)null : (double)v));
        Assert.Equal([1.0, -7.5, 1e-9, 123456.789], o["a_very_long_score_name_over_8"]!["values"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("a very long score name over 8", (string?)o["a_very_long_score_name_over_8"]!["label"]);
    }
}
