using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// The Excel reader against a workbook written by R openxlsx (Fixtures/Excel/alliance.xlsx, made by
/// make-excel-fixtures.R), compared with openxlsx's own <c>read.xlsx</c> view stored beside it; against .xls and
/// encrypted files from ExcelDataReader's test data (Fixtures/Excel/ExcelDataReader, MIT); and against workbooks built
/// here with the Open XML SDK for what openxlsx cannot write (cached formula values, error cells, merged headers).
/// </summary>
public class ExcelReaderTests
{
    private static string Fixture(params string[] parts) => Fixtures.Path(["Excel", .. parts]);

    private static (ExcelReader Reader, List<(int Line, string[] Fields)> Rows, List<ValidationIssue> Findings) ReadAll(string path, string? sheet = null)
    {
        var reader = ExcelReader.Open(path, sheet);
        var rows = new List<(int, string[])>();
        var findings = new List<ValidationIssue>(reader.TakeFindings());
        while (reader.Read())
        {
            findings.AddRange(reader.TakeFindings());
            rows.Add((reader.Line, [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString())]));
        }
        findings.AddRange(reader.TakeFindings());
        reader.Dispose();
        return (reader, rows, findings);
    }

    [Theory]
    [InlineData("Responses")]
    [InlineData("DateItem")]
    public void Values_of_each_sheet_equal_openxlsx_read_xlsx(string sheet)
    {
        var view = JsonNode.Parse(File.ReadAllText(Fixture("alliance.xlsx.openxlsx.json")))![sheet]!.AsObject();
        var (reader, rows, findings) = ReadAll(Fixture("alliance.xlsx"), sheet);
        Assert.Equal(view.Select(p => p.Key), reader.Columns!.Select(c => c.Name));
        Assert.DoesNotContain(findings, f => f.Severity == Severity.Error);
        Assert.Equal(view.First().Value!["values"]!.AsArray().Count, rows.Count);
        int j = 0;
        foreach (var (name, column) in view)
        {
            string type = (string)column!["type"]![0]!;
            var values = column["values"]!.AsArray();
            for (int i = 0; i < rows.Count; i++)
            {
                string field = rows[i].Fields[j];
                if (values[i] is null) Assert.Equal("", field);
                else if (type == "number") Assert.Equal((double)values[i]!, double.Parse(field, CultureInfo.InvariantCulture));
                else Assert.Equal((string)values[i]!, field);   // text as written (José, "3" stored as text), dates in ISO 8601
            }
            j++;
        }
    }

    [Fact]
    public void The_header_is_the_first_non_empty_row_and_lines_are_sheet_rows()
    {
        var (reader, rows, _) = ReadAll(Fixture("alliance.xlsx"));
        Assert.Equal("Responses", reader.SheetName);
        Assert.Equal(2, reader.HeaderLine);
        Assert.Equal(Enumerable.Range(3, 8), rows.Select(r => r.Line));
        Assert.Equal(["Responses", "Followup", "DateItem"], reader.Sheets.ToArray());
    }

    [Fact]
    public void Several_sheets_are_named_in_a_note_saying_which_was_read()
    {
        var (_, _, findings) = ReadAll(Fixture("alliance.xlsx"), "2");
        var note = Assert.Single(findings, f => f.Code == "sheet");
        Assert.Equal(Severity.Info, note.Severity);
        Assert.Contains("read sheet 'Followup' (2 of 3: 'Responses', 'Followup', 'DateItem'); DataSpec.Sheet chooses another", note.Message);
    }

    [Fact]
    public void The_sheet_read_is_a_preparation_note_naming_the_option_on_the_command_line()
    {
        var data = AnalysisData.Load(Fixture("alliance.xlsx"), new DataSpec { Items = ["wai1", "wai2", "wai3"], Points = 5 });
        Assert.Contains(data.Notes, n => n.StartsWith("read sheet 'Responses' (1 of 3", StringComparison.Ordinal));
        var (exit, _, err) = CliRunner.Run("describe", Fixture("alliance.xlsx"), "--items", "wai1,wai2,wai3", "--points", "5");
        Assert.Equal(0, exit);
        Assert.Contains("note: read sheet 'Responses' (1 of 3: 'Responses', 'Followup', 'DateItem'); --sheet chooses another", err);
    }

    [Fact]
    public void A_sheet_is_chosen_by_name_case_insensitively_or_by_number_and_an_unknown_one_lists_the_sheets()
    {
        Assert.Equal("DateItem", ReadAll(Fixture("alliance.xlsx"), "dateitem").Reader.SheetName);
        Assert.Equal("DateItem", ReadAll(Fixture("alliance.xlsx"), "3").Reader.SheetName);
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(Fixture("alliance.xlsx"), "Baseline"));
        Assert.Contains("alliance.xlsx: no sheet 'Baseline' (sheets: 1 'Responses', 2 'Followup', 3 'DateItem')", e.Message);
        Assert.Equal("DataSpec.Sheet", e.Property);
        Assert.Throws<DataSpecException>(() => ExcelReader.Open(Fixture("alliance.xlsx"), "4"));
    }

    [Fact]
    public void A_formula_openxlsx_left_uncomputed_is_an_error_naming_the_cell_not_a_silent_missing_value()
    {
        // openxlsx's read.xlsx drops that row (its view has three rows); we read the three and refuse the fourth.
        var (_, rows, findings) = ReadAll(Fixture("alliance.xlsx"), "Followup");
        Assert.Equal([2, 3, 4, 5], rows.Select(r => r.Line));
        var f = Assert.Single(findings, f => f.Severity == Severity.Error);
        Assert.Equal("formula_without_value", f.Code);
        Assert.Equal(5, f.Line);
        Assert.Equal("wai1", f.Column);
        Assert.Contains("Followup!C5 holds the formula =SUM(C2:C4) with no saved value", f.Message);
    }

    /// <summary>Workbooks written by openxlsx and their CSV twins (write.csv of the same data frame), with the verbs and flags run on both (clinic-200 with the clinic's sidecar).</summary>
    public static TheoryData<string, string, string, string> Twins => new()
    {
        { "alliance.xlsx", "alliance-twin.csv", "describe", "--items wai1,wai2,wai3 --points 5" },
        { "alliance.xlsx", "alliance-twin.csv", "validate", "--items wai1,wai2,wai3 --points 5" },
        { "clinic-200.xlsx", "clinic-200.csv", "validate", "" },
        { "clinic-200.xlsx", "clinic-200.csv", "describe", "" },
        { "clinic-200.xlsx", "clinic-200.csv", "score", "" },
        { "clinic-200.xlsx", "clinic-200.csv", "reliability", "" },
    };

    [Theory]
    [MemberData(nameof(Twins))]
    public void A_verb_gives_the_same_json_from_the_xlsx_file_and_its_csv_twin(string workbook, string twin, string verb, string flags)
    {
        using var dir = new TempDir();
        string xlsx = Path.Combine(dir.Path, "data.xlsx");
        string csv = Path.Combine(dir.Path, "data.csv");
        File.Copy(Fixture(workbook), xlsx);
        File.Copy(Fixture(twin), csv);
        if (workbook.StartsWith("clinic", StringComparison.Ordinal))
        {
            // The clinic's sidecar (WAI-SR, its items and scale) describes both files.
            string sidecar = Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv.alliance.json");
            File.Copy(sidecar, xlsx + ".alliance.json");
            File.Copy(sidecar, csv + ".alliance.json");
        }
        string[] args = [.. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--format", "json"];
        var fromXlsx = CliRunner.Run([verb, xlsx, .. args]);
        var fromCsv = CliRunner.Run([verb, csv, .. args]);
        Assert.True(fromCsv.Exit == 0, verb + ": " + fromCsv.Err);
        Assert.True(fromXlsx.Exit == 0, verb + ": " + fromXlsx.Err);
        var x = JsonNode.Parse(fromXlsx.Out.Replace("data.xlsx", "data"))!;
        var c = JsonNode.Parse(fromCsv.Out.Replace("data.csv", "data"))!;
        // The only difference allowed: the note naming which of alliance.xlsx's three sheets was read (validate lists notes).
        if (verb == "validate" && workbook == "alliance.xlsx") Assert.Contains("read sheet 'Responses' (1 of 3", fromXlsx.Out);
        Assert.Equal(Normalize(c), Normalize(x));
    }

    /// <summary>The JSON without the sheet note (its issue and its count), and without timings, for comparison.</summary>
    private static string Normalize(JsonNode node)
    {
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (key == "sheet" && o[key] is JsonValue) { o.Remove(key); continue; }
                    if (o[key] is JsonArray a)
                        foreach (var item in a.Where(i => i is JsonObject io && (string?)io["code"] == "sheet").ToList()) a.Remove(item);
                    Walk(o[key]);
                }
            }
            else if (n is JsonArray arr) foreach (var i in arr) Walk(i);
        }
        Walk(node);
        return node.ToJsonString();
    }

    // ---- workbooks built here ----

    /// <summary>A cell for <see cref="Build"/>: a number, a text (shared string), or a raw cell.</summary>
    private static Cell Number(double v) => new() { CellValue = new CellValue(v.ToString("R", CultureInfo.InvariantCulture)) };
    private static Cell Formula(string f, double cached) => new() { CellFormula = new CellFormula(f), CellValue = new CellValue(cached.ToString("R", CultureInfo.InvariantCulture)) };
    private static Cell Error(string code) => new() { DataType = CellValues.Error, CellValue = new CellValue(code), CellFormula = new CellFormula("1/0") };
    private static Cell DateCell(DateTime d) => new() { StyleIndex = 1, CellValue = new CellValue(d.ToOADate().ToString("R", CultureInfo.InvariantCulture)) };
    private static Cell Str(string s) => new() { DataType = CellValues.String, CellValue = new CellValue(s) };

    /// <summary>A one-sheet workbook: <paramref name="rows"/> from row 1, column A (null leaves a cell out); <paramref name="merges"/> as A1:B1 ranges.</summary>
    private static string Build(TempDir dir, object?[][] rows, string[]? merges = null, string sheet = "Sheet1", string file = "book.xlsx")
    {
        string path = Path.Combine(dir.Path, file);
        using (var doc = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            var strings = wb.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var styles = wb.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font()), new Fills(new Fill()), new Borders(new Border()),
                new CellFormats(new CellFormat { NumberFormatId = 0 }, new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
            var ws = wb.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            for (int r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (int c = 0; c < rows[r].Length; c++)
                {
                    Cell? cell = rows[r][c] switch
                    {
                        null => null,
                        double d => Number(d),
                        int i => Number(i),
                        string s => SharedString(strings.SharedStringTable, s),
                        Cell raw => raw,
                        _ => throw new ArgumentException("cell"),
                    };
                    if (cell is null) continue;
                    cell.CellReference = ExcelReader.ColumnLetters(c + 1) + (r + 1).ToString(CultureInfo.InvariantCulture);
                    row.Append(cell);
                }
                data.Append(row);
            }
            var worksheet = new Worksheet(data);
            if (merges is { Length: > 0 }) worksheet.Append(new MergeCells(merges.Select(m => new MergeCell { Reference = m })));
            ws.Worksheet = worksheet;
            wb.Workbook = new Workbook(new Sheets(new Sheet { Name = sheet, SheetId = 1, Id = wb.GetIdOfPart(ws) }));
        }
        return path;
    }

    private static Cell SharedString(SharedStringTable table, string s)
    {
        table.Append(new SharedStringItem(new Text(s) { Space = SpaceProcessingModeValues.Preserve }));
        return new Cell { DataType = CellValues.SharedString, CellValue = new CellValue((table.Count() - 1).ToString(CultureInfo.InvariantCulture)) };
    }

    [Fact]
    public void A_formula_is_read_by_its_cached_value_and_numbers_stored_as_text_are_numbers()
    {
        using var dir = new TempDir();
        string path = Build(dir, [
            ["client_id", "q1", "q2"],
            ["c1", Formula("1+2", 3), Str("4")],
            ["c2", 2, " 5 "],
        ]);
        var (_, rows, findings) = ReadAll(path);
        Assert.Empty(findings);
        Assert.Equal(["c1", "3", "4"], rows[0].Fields);
        var load = AllianceDataset.Read(path, new DataSpec { Items = ["q1", "q2"] });
        Assert.Equal(0, load.Report.ErrorCount);
        Assert.Equal([3.0, 4.0, 2.0, 5.0], load.Dataset!.Items.Values.ToArray());
    }

    [Fact]
    public void An_error_cell_is_an_error_naming_the_cell_and_the_error()
    {
        using var dir = new TempDir();
        string path = Build(dir, [
            ["client_id", "q1", "q2"],
            ["c1", 1, 2],
            ["c2", 3, Error("#DIV/0!")],
        ]);
        var load = AllianceDataset.Read(path, new DataSpec { Items = ["q1", "q2"] });
        var issue = Assert.Single(load.Report.Issues, i => i.Severity == Severity.Error);
        Assert.Equal("cell_error", issue.Code);
        Assert.Equal(3, issue.Line);
        Assert.Equal("q2", issue.Column);
        Assert.Equal("#DIV/0!", issue.Value);
        Assert.Contains("Sheet1!C3 holds the spreadsheet error #DIV/0!", issue.Message);
    }

    [Fact]
    public void A_date_in_an_item_column_is_refused_naming_the_cell_and_a_date_elsewhere_is_iso_text()
    {
        using var dir = new TempDir();
        string path = Build(dir, [
            ["client_id", "visit", "q1"],
            ["c1", DateCell(new DateTime(2024, 3, 1)), 2],
            ["c2", DateCell(new DateTime(2024, 3, 2)), DateCell(new DateTime(1900, 1, 3))],
        ]);
        var (_, rows, _) = ReadAll(path);
        Assert.Equal("2024-03-01", rows[0].Fields[1]);
        var load = AllianceDataset.Read(path, new DataSpec { Items = ["q1"] });
        var issue = Assert.Single(load.Report.Issues, i => i.Severity == Severity.Error);
        Assert.Equal("not_a_number", issue.Code);
        Assert.Equal(3, issue.Line);
        Assert.Contains("'1900-01-03' (Sheet1!C3, a date cell) is not a number", issue.Message);
    }

    [Fact]
    public void A_merged_header_cell_is_refused_naming_the_range()
    {
        using var dir = new TempDir();
        string path = Build(dir, [["client_id", "alliance", null], [null, "q1", "q2"], ["c1", 1, 2]], ["B1:C1"], sheet: "Data sheet");
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(path));
        Assert.Contains("book.xlsx: 'Data sheet'!B1:C1 is a merged cell in the header row 1", e.Message);
    }

    [Fact]
    public void An_empty_header_cell_is_refused_naming_the_cell()
    {
        using var dir = new TempDir();
        string path = Build(dir, [[null], ["client_id", "  ", "q2"], ["c1", 1, 2]]);
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(path));
        Assert.Contains("book.xlsx: header cell Sheet1!B2 is empty", e.Message);
    }

    [Fact]
    public void A_duplicate_header_is_refused_naming_both_cells()
    {
        using var dir = new TempDir();
        string path = Build(dir, [["client_id", "q1", "q1"], ["c1", 1, 2]]);
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(path));
        Assert.Contains("header cell Sheet1!C1 repeats the column name 'q1' of Sheet1!B1", e.Message);
    }

    [Fact]
    public void A_value_outside_the_header_columns_is_an_error_and_blank_rows_are_counted()
    {
        using var dir = new TempDir();
        string path = Build(dir, [["client_id", "q1"], ["c1", 1], [null, null], ["c2", 2, null, 9]]);
        var (reader, rows, findings) = ReadAll(path);
        Assert.Equal([2, 4], rows.Select(r => r.Line));
        Assert.Equal(1, reader.BlankLines);
        var f = Assert.Single(findings);
        Assert.Equal("cell_outside_header", f.Code);
        Assert.Contains("Sheet1!D4 holds '9' but its column has no header cell (the header runs from Sheet1!A1 to Sheet1!B1)", f.Message);
    }

    // ---- .xls and damaged or encrypted files ----

    [Fact]
    public void The_xls_xlsx_and_strict_xlsx_twins_of_a_workbook_read_to_the_values_exceldatareader_asserts()
    {
        // ExcelDataReader's own test of Test_Decimal_Locale expects 0.01, 0.0001, 0.123456789 and 1E-11 in column A;
        // the first is our header.
        foreach (string file in new[] { "Test_Decimal_Locale.xls", "Test_Decimal_Locale.xlsx", "Test_Decimal_Locale-strict.xlsx" })
        {
            var (reader, rows, findings) = ReadAll(Fixture("ExcelDataReader", file));
            Assert.Equal(["0.01"], reader.Columns!.Select(c => c.Name));
            Assert.Equal([0.0001, 0.123456789, 1e-11], rows.Select(r => double.Parse(r.Fields[0], CultureInfo.InvariantCulture)));
            Assert.Equal([2, 3, 4], rows.Select(r => r.Line));
            Assert.Equal(file.EndsWith(".xls", StringComparison.Ordinal), findings.Any(f => f.Code == "xls_errors_unchecked" && f.Severity == Severity.Warning));
        }
    }

    [Fact]
    public void An_xls_sheet_is_chosen_by_name_and_its_header_checked_like_an_xlsx_one()
    {
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(Fixture("ExcelDataReader", "TestMultiSheet.xls"), "sheet3"));
        Assert.Contains("TestMultiSheet.xls: header cell Sheet3!B1 repeats the column name '3' of Sheet3!A1", e.Message);
        var merged = Assert.Throws<DataSpecException>(() => ExcelReader.Open(Fixture("ExcelDataReader", "Test_Issue_11573_BlankValues.xls")));
        Assert.Contains("Arkusz1!B1:F1 is a merged cell in the header row 1", merged.Message);
    }

    [Theory]
    [InlineData("agile_AES128_SHA1_CBC_pwd_password.xlsx")]
    [InlineData("Test_git_issue_242_std_rc4_pwd_password.xls")]
    public void An_encrypted_workbook_is_refused_saying_so(string file)
    {
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(Fixture("ExcelDataReader", file)));
        Assert.Contains(file + ": the workbook is encrypted (password-protected)", e.Message);
    }

    [Fact]
    public void A_workbook_without_an_extension_is_recognised_by_its_first_bytes()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "export");
        File.Copy(Fixture("alliance.xlsx"), path);
        var load = AllianceDataset.Read(path, new DataSpec { Items = ["wai1", "wai2", "wai3"] });
        Assert.Equal(0, load.Report.ErrorCount);
        Assert.Equal(8, load.Dataset!.RowCount);
    }

    [Fact]
    public void A_text_file_named_xlsx_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.xlsx", "client_id,q1\nc1,3\n");
        var e = Assert.Throws<DataSpecException>(() => ExcelReader.Open(path));
        Assert.Contains("data.xlsx: not an Excel workbook", e.Message);
    }

    /// <summary>
    /// Truncations at every 64th byte and flipped bytes at every 97th of the openxlsx fixture and of an .xls: each
    /// read ends in a <see cref="DataSpecException"/> naming the file, or reads; never another exception or a hang.
    /// </summary>
    [Theory]
    [InlineData("alliance.xlsx")]
    [InlineData("ExcelDataReader/TestMultiSheet.xls")]
    public void Truncated_and_corrupted_workbooks_give_clear_errors_and_never_crash(string file)
    {
        byte[] bytes = File.ReadAllBytes(Fixture(file.Split('/')));
        int clear = 0, read = 0;
        var watch = Stopwatch.StartNew();
        void Try(byte[] b)
        {
            try
            {
                using var reader = ExcelReader.Open(new MemoryStream(b), "corrupt.xlsx");
                while (reader.Read()) for (int i = 0; i < reader.FieldCount; i++) _ = reader.Field(i);
                read++;
            }
            catch (DataSpecException e)
            {
                Assert.StartsWith("corrupt.xlsx: ", e.Message);
                clear++;
            }
        }
        for (int cut = 0; cut < bytes.Length; cut += 64) Try(bytes[..cut]);
        for (int at = 0; at < bytes.Length; at += 97)
        {
            var b = (byte[])bytes.Clone();
            b[at] ^= 0xA5;
            Try(b);
        }
        Assert.True(clear >= bytes.Length / 64, $"{clear} clear errors, {read} reads");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "corrupt files must not hang");
    }

    [Fact]
    public void A_truncated_workbook_on_the_command_line_exits_2_naming_the_file()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "cut.xlsx");
        byte[] bytes = File.ReadAllBytes(Fixture("alliance.xlsx"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var (exit, _, err) = CliRunner.Run("validate", path);
        Assert.Equal(2, exit);
        Assert.Contains("cut.xlsx: not a readable Excel workbook", err);
    }

    [Fact]
    public void The_sheet_option_on_a_csv_file_is_refused_rather_than_ignored()
    {
        var (exit, _, err) = CliRunner.Run("validate", Fixture("alliance-twin.csv"), "--sheet", "2");
        Assert.Equal(2, exit);
        Assert.Contains("alliance-twin.csv: --sheet ('2') chooses a sheet of a workbook, but this file is read as CSV/TSV text", err);
    }

    [Fact]
    public void The_sheet_option_chooses_the_sheet_on_the_command_line()
    {
        var (exit, @out, err) = CliRunner.Run("validate", Fixture("alliance.xlsx"), "--sheet", "DateItem", "--items", "wai1,wai2");
        Assert.Equal(2, exit);
        Assert.Contains("DateItem!C2, a date cell", @out + err);
    }
}
