using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Data;

/// <summary>
/// Writes a table as an Excel workbook (<c>.xlsx</c>, one sheet): the column headers in row 1, then one row per table
/// row; numbers as number cells (full precision; a missing or non-finite value as an empty cell), everything else (ids,
/// labels) as typed text cells (inline strings). A text cell is never a formula, so a value such as
/// <c>=HYPERLINK(…)</c> in an id stays text: no formula injection. The package is the minimal one of ECMA-376 Part 1
/// (content types, relationships, workbook, one worksheet), written with the default SpreadsheetML namespace and no
/// prefixes (some readers, R openxlsx among them, cannot read the <c>x:</c>-prefixed parts the Open XML SDK writes),
/// with fixed part names and entry times, so the same table always gives the same bytes.
/// </summary>
public static class XlsxWriter
{
    /// <summary>Largest text a cell holds (Excel's limit).</summary>
    public const int MaxCellChars = 32_767;

    /// <summary>Most rows of a sheet (Excel's limit), the header included.</summary>
    public const int MaxRows = 1_048_576;

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRels = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// <summary>Writes <paramref name="table"/> to <paramref name="stream"/> as a workbook with one sheet named <paramref name="sheetName"/>.</summary>
    /// <param name="stream">Destination (written forward only).</param>
    /// <param name="table">Header and rows.</param>
    /// <param name="sheetName">Sheet name (1–31 characters, none of <c>: \ / ? * [ ]</c>).</param>
    /// <exception cref="ArgumentException">When a text cell is longer than <see cref="MaxCellChars"/>, the table has more rows or columns than a sheet holds, or the sheet name is not valid.</exception>
    public static void Write(Stream stream, ResultTable table, string sheetName = "scores")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(table);
        if (sheetName.Length is 0 or > 31 || sheetName.IndexOfAny([':', '\\', '/', '?', '*', '[', ']']) >= 0)
            throw new ArgumentException($"'{sheetName}' is not a valid sheet name (1–31 characters, none of : \\ / ? * [ ])", nameof(sheetName));
        if (table.Rows.Count + 1 > MaxRows) throw new ArgumentException($"{table.Rows.Count} rows do not fit in a sheet ({MaxRows - 1} at most)", nameof(table));
        if (table.Columns.Count > 16_384) throw new ArgumentException($"{table.Columns.Count} columns do not fit in a sheet (16384 at most)", nameof(table));
        foreach (var row in table.Rows)
            for (int j = 0; j < row.Count; j++)
                if (row[j] is string s && s.Length > MaxCellChars)
                    throw new ArgumentException($"column {table.Columns[j].Header}: a text of {s.Length} characters is longer than an Excel cell holds ({MaxCellChars})", nameof(table));

        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8);
        Part(zip, "[Content_Types].xml", w =>
        {
            w.WriteStartElement("Types", "http://schemas.openxmlformats.org/package/2006/content-types");
            Element(w, "Default", ("Extension", "rels"), ("ContentType", "application/vnd.openxmlformats-package.relationships+xml"));
            Element(w, "Default", ("Extension", "xml"), ("ContentType", "application/xml"));
            Element(w, "Override", ("PartName", "/xl/workbook.xml"), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"));
            Element(w, "Override", ("PartName", "/xl/worksheets/sheet1.xml"), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"));
            Element(w, "Override", ("PartName", "/xl/styles.xml"), ("ContentType", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"));
            w.WriteEndElement();
        });
        Part(zip, "_rels/.rels", w =>
        {
            w.WriteStartElement("Relationships", PackageRels);
            Element(w, "Relationship", ("Id", "rId1"), ("Type", RelNs + "/officeDocument"), ("Target", "xl/workbook.xml"));
            w.WriteEndElement();
        });
        Part(zip, "xl/workbook.xml", w =>
        {
            w.WriteStartElement("workbook", Main);
            w.WriteAttributeString("xmlns", "r", null, RelNs);
            w.WriteStartElement("sheets", Main);
            w.WriteStartElement("sheet", Main);
            w.WriteAttributeString("name", sheetName);
            w.WriteAttributeString("sheetId", "1");
            w.WriteAttributeString("id", RelNs, "rId1");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
        Part(zip, "xl/_rels/workbook.xml.rels", w =>
        {
            w.WriteStartElement("Relationships", PackageRels);
            Element(w, "Relationship", ("Id", "rId1"), ("Type", RelNs + "/worksheet"), ("Target", "worksheets/sheet1.xml"));
            Element(w, "Relationship", ("Id", "rId2"), ("Type", RelNs + "/styles"), ("Target", "styles.xml"));
            w.WriteEndElement();
        });
        // The minimal stylesheet (readers such as openxlsx expect one): style 0 the default, style 1 bold for the header.
        RawPart(zip, "xl/styles.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"" + Main + "\">" +
            "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>" +
            "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>" +
            "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>" +
            "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>" +
            "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>" +
            "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>" +
            "</styleSheet>");
        Part(zip, "xl/worksheets/sheet1.xml", w =>
        {
            w.WriteStartElement("worksheet", Main);
            w.WriteStartElement("sheetData", Main);
            WriteRow(w, 1, [.. table.Columns.Select(c => (object?)c.Header)], style: "1");
            for (int i = 0; i < table.Rows.Count; i++) WriteRow(w, i + 2, table.Rows[i]);
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    private static void Part(ZipArchive zip, string name, Action<XmlWriter> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        using var w = XmlWriter.Create(s, new XmlWriterSettings { Encoding = new UTF8Encoding(false), CheckCharacters = false });
        w.WriteStartDocument(standalone: true);
        write(w);
        w.WriteEndDocument();
    }

    private static void RawPart(ZipArchive zip, string name, string xml)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        s.Write(new UTF8Encoding(false).GetBytes(xml));
    }

    private static void Element(XmlWriter w, string name, params (string Name, string Value)[] attributes)
    {
        w.WriteStartElement(name);
        foreach (var (n, v) in attributes) w.WriteAttributeString(n, v);
        w.WriteEndElement();
    }

    private static void WriteRow(XmlWriter w, int number, IReadOnlyList<object?> cells, string? style = null)
    {
        string rowText = number.ToString(CultureInfo.InvariantCulture);
        w.WriteStartElement("row", Main);
        w.WriteAttributeString("r", rowText);
        for (int j = 0; j < cells.Count; j++)
        {
            object? v = cells[j];
            if (v is null) continue;
            string reference = ExcelReader.ColumnLetters(j + 1) + rowText;
            if (v is double or float or int or long or short or byte or decimal)
            {
                double d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d)) continue;
                w.WriteStartElement("c", Main);
                w.WriteAttributeString("r", reference);
                w.WriteElementString("v", Main, d.ToString("R", CultureInfo.InvariantCulture));
                w.WriteEndElement();
                continue;
            }
            string text = v switch
            {
                string s => s,
                bool b => b ? "TRUE" : "FALSE",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString() ?? "",
            };
            w.WriteStartElement("c", Main);
            w.WriteAttributeString("r", reference);
            if (style is not null) w.WriteAttributeString("s", style);
            w.WriteAttributeString("t", "inlineStr");
            w.WriteStartElement("is", Main);
            w.WriteStartElement("t", Main);
            // Only where needed, as Excel does (openxlsx's reader expects a bare <t>).
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))) w.WriteAttributeString("xml", "space", null, "preserve");
            w.WriteString(XmlSafe(text));
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    /// <summary>
    /// Characters XML 1.0 cannot hold (control characters other than tab and line breaks, lone surrogates) written as
    /// SpreadsheetML's <c>_xHHHH_</c> escapes, which Excel decodes; a literal <c>_xHHHH_</c> in the text is escaped too.
    /// </summary>
    private static string XmlSafe(string text)
    {
        bool clean = true;
        for (int i = 0; i < text.Length && clean; i++)
        {
            char c = text[i];
            if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF' || c == '_' ) clean = false;
            else if (char.IsSurrogate(c)) clean = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) && ++i > 0;
        }
        if (clean) return text;
        var sb = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair) { sb.Append(c).Append(text[++i]); continue; }
            bool escape = (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF' || char.IsSurrogate(c)
                || (c == '_' && i + 6 < text.Length && text[i + 1] == 'x' && text[i + 6] == '_' && text.AsSpan(i + 2, 4).ContainsAnyExcept("0123456789abcdefABCDEF") is false);
            if (escape) sb.Append("_x").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('_');
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
