using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Data;

/// <summary>
/// Writes a table as an Excel workbook (<c>.xlsx</c>, one sheet) with the Open XML SDK: the column headers in row 1,
/// then one row per table row; numbers as number cells (full precision; a missing or non-finite value as an empty
/// cell), everything else (ids, labels) as typed text cells (inline strings). A text cell is never a formula, so a value
/// such as <c>=HYPERLINK(…)</c> in an id stays text: no formula injection.
/// </summary>
public static class XlsxWriter
{
    /// <summary>Largest text a cell holds (Excel's limit).</summary>
    public const int MaxCellChars = 32_767;

    /// <summary>Writes <paramref name="table"/> to <paramref name="stream"/> as a workbook with one sheet named <paramref name="sheetName"/>.</summary>
    /// <param name="stream">Destination; must be writable and seekable (a file).</param>
    /// <param name="table">Header and rows.</param>
    /// <param name="sheetName">Sheet name (at most 31 characters, none of <c>: \ / ? * [ ]</c>).</param>
    /// <exception cref="ArgumentException">When a text cell is longer than <see cref="MaxCellChars"/> or the sheet name is not valid.</exception>
    public static void Write(Stream stream, ResultTable table, string sheetName = "scores")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(table);
        if (sheetName.Length is 0 or > 31 || sheetName.IndexOfAny([':', '\\', '/', '?', '*', '[', ']']) >= 0)
            throw new ArgumentException($"'{sheetName}' is not a valid sheet name (1–31 characters, none of : \\ / ? * [ ])", nameof(sheetName));
        foreach (var row in table.Rows)
            for (int j = 0; j < row.Count; j++)
                if (row[j] is string s && s.Length > MaxCellChars)
                    throw new ArgumentException($"column {table.Columns[j].Header}: a text of {s.Length} characters is longer than an Excel cell holds ({MaxCellChars})", nameof(table));

        using var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook, autoSave: true);
        var workbookPart = document.AddWorkbookPart();
        var sheetPart = workbookPart.AddNewPart<WorksheetPart>();
        using (var w = OpenXmlWriter.Create(sheetPart))
        {
            w.WriteStartElement(new Worksheet());
            w.WriteStartElement(new SheetData());
            WriteRow(w, 1, table.Columns.Select(c => (object?)c.Header).ToList());
            for (int i = 0; i < table.Rows.Count; i++) WriteRow(w, i + 2, table.Rows[i]);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Name = sheetName, SheetId = 1, Id = workbookPart.GetIdOfPart(sheetPart) }));
        workbookPart.Workbook.Save();
    }

    private static void WriteRow(OpenXmlWriter w, int number, IReadOnlyList<object?> cells)
    {
        string rowText = number.ToString(CultureInfo.InvariantCulture);
        w.WriteStartElement(new Row { RowIndex = (uint)number });
        for (int j = 0; j < cells.Count; j++)
        {
            string reference = ExcelReader.ColumnLetters(j + 1) + rowText;
            switch (cells[j])
            {
                case null:
                    break;
                case double or float or int or long or short or byte or decimal:
                    double d = Convert.ToDouble(cells[j], CultureInfo.InvariantCulture);
                    if (!double.IsFinite(d)) break;
                    w.WriteElement(new Cell { CellReference = reference, CellValue = new CellValue(d.ToString("R", CultureInfo.InvariantCulture)) });
                    break;
                case var v:
                    string text = v switch
                    {
                        string s => s,
                        bool b => b ? "TRUE" : "FALSE",
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        _ => v.ToString() ?? "",
                    };
                    w.WriteElement(new Cell(new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }))
                        { CellReference = reference, DataType = CellValues.InlineString });
                    break;
            }
        }
        w.WriteEndElement();
    }
}
