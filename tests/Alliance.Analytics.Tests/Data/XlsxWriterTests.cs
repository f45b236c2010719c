using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Data;

/// <summary>Scores written as .xlsx (<c>score --out scores.xlsx</c>): read back by our reader always, and by R openxlsx (its view committed).</summary>
public class XlsxWriterTests
{
    private static ResultTable Table() => new("scores",
        [TableColumn.Label("client_id"), TableColumn.Number("session", 0), TableColumn.Number("total", 2), TableColumn.Label("flag"), TableColumn.Number("a very long score name", 2)],
        [
            ["José", 1.0, 3.25, "low", 1.0],
            ["c2", 2.0, null, "", -7.5],
            ["=HYPERLINK(\"x\")", 3.0, 151.0, "high", 1e-9],
            ["007", 12.0, double.NaN, "ä", 123456.789],
        ]);

    private static byte[] Written()
    {
        var ms = new MemoryStream();
        XlsxWriter.Write(ms, Table());
        return ms.ToArray();
    }

    [Fact]
    public void A_written_workbook_reads_back_to_the_same_values_with_ids_kept_as_text()
    {
        using var reader = ExcelReader.Open(new MemoryStream(Written()), "scores.xlsx");
        Assert.Equal("scores", reader.SheetName);
        Assert.Equal(["client_id", "session", "total", "flag", "a very long score name"], reader.Columns!.Select(c => c.Name));
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString())]);
        Assert.Empty(reader.TakeFindings());
        Assert.Equal(["José", "1", "3.25", "low", "1"], rows[0]);
        Assert.Equal(["c2", "2", "", "", "-7.5"], rows[1]);
        Assert.Equal(["=HYPERLINK(\"x\")", "3", "151", "high", "1E-09"], rows[2]);
        Assert.Equal(["007", "12", "", "ä", "123456.789"], rows[3]);
    }

    [Fact]
    public void Text_that_looks_like_a_formula_is_written_as_a_typed_string_cell_never_a_formula()
    {
        using var zip = new ZipArchive(new MemoryStream(Written()));
        var entry = zip.Entries.Single(e => e.FullName.Contains("worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
        string xml = new StreamReader(entry.Open()).ReadToEnd();
        Assert.DoesNotMatch(@"<(\w+:)?f[ >/]", xml);   // no formula element anywhere
        Assert.Matches(@"<(\w+:)?c r=""A4"" t=""inlineStr""><(\w+:)?is><(\w+:)?t[^>]*>=HYPERLINK\(""x""\)</", xml.Replace("&quot;", "\""));
    }

    [Fact]
    public void Control_characters_and_literal_escapes_survive_a_round_trip()
    {
        string tricky = "a\u0001b_x0041_c\tend";
        var table = new ResultTable("t", [TableColumn.Label("id")], [[tricky]]);
        var ms = new MemoryStream();
        XlsxWriter.Write(ms, table);
        using var reader = ExcelReader.Open(new MemoryStream(ms.ToArray()), "t.xlsx");
        Assert.True(reader.Read());
        Assert.Equal(tricky, reader.Field(0).ToString());
    }

    [Fact]
    public void An_invalid_sheet_name_or_an_overlong_cell_is_refused()
    {
        Assert.Throws<ArgumentException>(() => XlsxWriter.Write(new MemoryStream(), Table(), "a/b"));
        var big = new ResultTable("t", [TableColumn.Label("id")], [[new string('x', XlsxWriter.MaxCellChars + 1)]]);
        var e = Assert.Throws<ArgumentException>(() => XlsxWriter.Write(new MemoryStream(), big));
        Assert.Contains("column id", e.Message);
    }

    [Fact]
    public void Score_out_xlsx_writes_a_sheet_with_one_row_per_administration_equal_to_the_json()
    {
        using var dir = new TempDir();
        string clinic = Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv");
        string xlsx = Path.Combine(dir.Path, "scores.xlsx");
        var (exit, _, err) = CliRunner.Run("score", clinic, "--out", xlsx);
        Assert.True(exit == 0, err);
        Assert.Contains("wrote " + xlsx, err);
        var json = CliRunner.Run("score", clinic, "--format", "json");
        var expectedRows = JsonNode.Parse(json.Out)!["rows"]!.AsArray();
        using var reader = ExcelReader.Open(xlsx);
        var names = reader.Columns!.Select(c => c.Name).ToList();
        int total = names.IndexOf("total"), id = names.IndexOf("client_id");
        Assert.True(total >= 0 && id >= 0, string.Join(",", names));
        int n = 0;
        while (reader.Read())
        {
            var expected = expectedRows[n]!;
            Assert.Equal((string)expected["client_id"]!, reader.Field(id).ToString());
            string field = reader.Field(total).ToString();
            if (expected["total"] is null) Assert.Equal("", field);
            else Assert.Equal((double)expected["total"]!, double.Parse(field, CultureInfo.InvariantCulture), 10);
            n++;
        }
        Assert.Equal(expectedRows.Count, n);
    }

    [Fact]
    public void Score_format_xlsx_without_out_is_a_usage_error()
    {
        string clinic = Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv");
        var (exit, _, err) = CliRunner.Run("score", clinic, "--format", "xlsx");
        Assert.Equal(2, exit);
        Assert.Contains("--out", err);
    }

    /// <summary>
    /// R openxlsx read the workbook this writer makes from <see cref="Table"/>: the file is committed
    /// (Fixtures/Excel/written-by-alliance.xlsx, refreshed with ALLIANCE_WRITE_FIXTURES=1) and make-excel-fixtures.R
    /// stored openxlsx's view of it beside it. The writer must still make that file byte for byte, the view must hold
    /// the table's values, and our reader must read the committed file to the same.
    /// </summary>
    [Fact]
    public void Openxlsx_read_the_written_workbook_to_the_same_values()
    {
        string fixture = Fixtures.Path("Excel", "written-by-alliance.xlsx");
        if (Environment.GetEnvironmentVariable("ALLIANCE_WRITE_FIXTURES") == "1")
            File.WriteAllBytes(Path.Combine(Fixtures.RepositoryRoot(), "tests", "Alliance.Analytics.Tests", "Fixtures", "Excel", "written-by-alliance.xlsx"), Written());
        Assert.Equal(File.ReadAllBytes(fixture), Written());
        var view = JsonNode.Parse(File.ReadAllText(fixture + ".openxlsx.json"))!["scores"]!.AsObject();
        Assert.Equal(["client_id", "session", "total", "flag", "a.very.long.score.name"], view.Select(p => p.Key));
        Assert.Equal(["text"], view["client_id"]!["type"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["José", "c2", "=HYPERLINK(\"x\")", "007"], view["client_id"]!["values"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["number"], view["total"]!["type"]!.AsArray().Select(v => (string)v!));
        Assert.Equal([3.25, null, 151.0, null], view["total"]!["values"]!.AsArray().Select(v => v is null ? (double?)null : (double)v));
        Assert.Equal([1.0, -7.5, 1e-9, 123456.789], view["a.very.long.score.name"]!["values"]!.AsArray().Select(v => (double)v!));

        using var reader = ExcelReader.Open(fixture);
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.Field(0).ToString());
        Assert.Equal(["José", "c2", "=HYPERLINK(\"x\")", "007"], rows);
    }
}
