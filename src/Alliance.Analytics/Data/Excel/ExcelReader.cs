using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.IO.Compression;
using System.Xml;
using ExcelDataReader;

namespace Alliance.Analytics.Data;

/// <summary>
/// Excel workbooks as an input format: <c>.xlsx</c>/<c>.xlsm</c> read from the package's XML parts (streamed;
/// the Open XML SDK is too strict for files openxlsx writes, ExcelDataReader 3.6 reads error cells as empty),
/// <c>.xls</c> (BIFF) with ExcelDataReader (managed). Which one is chosen by the file's first bytes, so a
/// workbook with the wrong extension is still read. One sheet is read: <see cref="DataSpec.Sheet"/> (a name, or a
/// 1-based number), by default the first.
/// </summary>
public sealed class ExcelFormat : ISourceFormat
{
    /// <inheritdoc/>
    public string Name => "xlsx";

    /// <inheritdoc/>
    public ImmutableArray<string> Extensions { get; } = [".xlsx", ".xlsm", ".xls"];

    /// <inheritdoc/>
    public string Summary => "Excel workbook (.xlsx, .xlsm, .xls): one sheet (sheet setting, default the first), first non-empty row as header, formulas by their saved value";

    /// <summary>A zip package or an OLE compound file: read as a workbook when the extension does not say otherwise (another package, such as a Word file, is then refused as not a workbook).</summary>
    public bool Recognizes(ReadOnlySpan<byte> head) =>
        (head.Length >= 4 && head[..4].SequenceEqual("PK\x03\x04"u8)) || (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]));

    /// <inheritdoc/>
    public IRecordSource Open(string path, DataSpec spec, CancellationToken cancellationToken) => ExcelReader.Open(path, spec.Sheet);
}

/// <summary>
/// Reads one sheet of an Excel workbook record by record (<see cref="IRecordSource"/>). The header is the first row
/// with a non-empty cell; its columns run from its first to its last non-empty cell. A header cell that is empty,
/// merged, or repeats an earlier name is refused (<see cref="DataSpecException"/> naming the cell, e.g.
/// <c>Sheet1!C1</c>). Data cells are handed over as text: numbers in invariant round-trip form, text as written (the
/// builder parses numbers stored as text like any CSV field), TRUE/FALSE for logical cells, dates in ISO 8601
/// (<c>2024-03-01</c>, with <c>T10:30:00</c> when there is a time), so a date in an item column is refused as not a
/// number, naming its cell; formulas by their saved (cached) value. A cell holding a spreadsheet error (<c>#N/A</c>,
/// <c>#DIV/0!</c> …), a formula without a saved value, or a value outside the header's columns is an error finding
/// naming the cell and the value. Rows with no value are skipped and counted as blank lines. <see cref="Line"/> is the
/// sheet's row number.
/// </summary>
public sealed class ExcelReader : IRecordSource
{
    private readonly ISheetRows _rows;
    private readonly List<ValidationIssue> _findings = [];
    private readonly int _firstColumn;
    private readonly string[] _fields;
    private readonly string?[] _notes;
    private int _line;
    private bool _ended;

    private ExcelReader(string name, ISheetRows rows, IReadOnlyList<string> sheets)
    {
        Name = name;
        _rows = rows;
        SheetName = rows.SheetName;
        Sheets = [.. sheets];
        if (sheets.Count > 1)
            _findings.Add(new(Severity.Info, "sheet", name, null, null, SheetName,
                $"read sheet '{SheetName}' ({rows.SheetIndex + 1} of {sheets.Count}: {string.Join(", ", sheets.Select(s => $"'{s}'"))}); DataSpec.Sheet chooses another"));
        if (rows.Caveat is { } caveat) _findings.Add(new(Severity.Warning, "xls_errors_unchecked", name, null, null, null, caveat));
        // The header: the first row with a value.
        while (true)
        {
            var row = Next();
            if (row is null) { _fields = []; _notes = []; return; }
            var cells = row.Value.Cells.Where(c => !c.IsEmpty).ToList();
            if (cells.Count == 0) { BlankLines++; continue; }
            HeaderLine = row.Value.Number;
            _firstColumn = cells.Min(c => c.Column);
            int last = cells.Max(c => c.Column);
            var header = new string[last - _firstColumn + 1];
            foreach (var merge in rows.Merges)
                if (merge.FirstRow <= HeaderLine && HeaderLine <= merge.LastRow && merge.FirstColumn <= last && merge.LastColumn >= _firstColumn)
                    throw new DataSpecException($"{name}: {Cell(merge.FirstColumn, merge.FirstRow)}:{ColumnLetters(merge.LastColumn)}{merge.LastRow.ToString(CultureInfo.InvariantCulture)} is a merged cell in the header row {HeaderLine}: " +
                        "every column needs a header cell of its own (unmerge the cells and name each column)");
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in row.Value.Cells)
            {
                if (c.IsEmpty) continue;
                string text = c.Kind switch
                {
                    CellKind.Error => throw new DataSpecException($"{name}: {Cell(c.Column, HeaderLine)} in the header holds the spreadsheet error {c.Text}: every column needs a name"),
                    CellKind.FormulaWithoutValue => throw new DataSpecException($"{name}: {Cell(c.Column, HeaderLine)} in the header is a formula with no saved value: every column needs a name"),
                    _ => FieldText(c).Trim(),
                };
                header[c.Column - _firstColumn] = text;
            }
            for (int j = 0; j < header.Length; j++)
            {
                string where = Cell(_firstColumn + j, HeaderLine);
                if (string.IsNullOrEmpty(header[j]))
                    throw new DataSpecException($"{name}: header cell {where} is empty: every column between the first and the last header cell needs a name");
                if (!seen.TryAdd(header[j], j))
                    throw new DataSpecException($"{name}: header cell {where} repeats the column name '{header[j]}' of {Cell(_firstColumn + seen[header[j]], HeaderLine)}: column names must be unique");
            }
            Columns = [.. header.Select(h => new SourceColumn(h))];
            _fields = new string[header.Length];
            _notes = new string?[header.Length];
            return;
        }
    }

    /// <summary>Opens sheet <paramref name="sheet"/> (a name or 1-based number; null for the first) of the workbook at <paramref name="path"/>.</summary>
    /// <exception cref="DataSpecException">When the file is not a readable workbook (damaged, truncated, encrypted), the sheet does not exist, or the header is refused.</exception>
    public static ExcelReader Open(string path, string? sheet = null)
    {
        var stream = TextInput.Open(path);
        try
        {
            // The package needs random access; standard input and pipes are read into memory first.
            if (!stream.CanSeek)
            {
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                stream.Dispose();
                copy.Position = 0;
                stream = copy;
            }
            return Open(stream, path, sheet);
        }
        catch { stream.Dispose(); throw; }
    }

    /// <summary>Reads a workbook from a seekable <paramref name="stream"/> (disposed with the reader).</summary>
    /// <exception cref="DataSpecException">As <see cref="Open(string, string?)"/>.</exception>
    public static ExcelReader Open(Stream stream, string name, string? sheet = null)
    {
        Span<byte> head = stackalloc byte[8];
        int n = stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        stream.Position = 0;
        if (n == 0) throw new DataSpecException($"{name}: the file is empty (0 bytes), not an Excel workbook");
        bool zip = n >= 4 && head[..4].SequenceEqual("PK\x03\x04"u8);
        bool compound = n >= 8 && head.SequenceEqual(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 })
            || (n >= 2 && head[0] == 0x09 && head[1] is 0x00 or 0x02 or 0x04 or 0x08);   // a bare BIFF2–5 stream (Excel 2.x–95) starts with its BOF record
        if (compound && IsEncryptedPackage(stream))
            throw new DataSpecException($"{name}: the workbook is encrypted (password-protected): save it without a password (File › Info › Protect Workbook) to read it");
        stream.Position = 0;
        if (!zip && !compound)
            throw new DataSpecException($"{name}: not an Excel workbook: an .xlsx file is a zip archive (starting 'PK') and an .xls file an OLE compound file; these bytes are neither (a CSV saved with an Excel extension? then name it .csv)");
        try
        {
            (ISheetRows rows, IReadOnlyList<string> sheets) = zip ? XlsxRows.Open(stream, name, sheet) : XlsRows.Open(stream, name, sheet);
            try { return new ExcelReader(name, rows, sheets); }
            catch { rows.Dispose(); throw; }
        }
        catch (Exception e) when (e is not DataSpecException and not OperationCanceledException)
        {
            throw Unreadable(name, e);
        }
    }

    private static DataSpecException Unreadable(string name, Exception e) => e switch
    {
        ExcelDataReader.Exceptions.InvalidPasswordException => new($"{name}: the workbook is encrypted (password-protected): save it without a password to read it", e),
        _ => new($"{name}: not a readable Excel workbook (damaged or truncated?): {e.Message}", e),
    };

    /// <summary>An encrypted .xlsx is an OLE compound file holding an "EncryptionInfo" stream; its name is in the directory (UTF-16).</summary>
    private static bool IsEncryptedPackage(Stream stream)
    {
        var buffer = new byte[Math.Min(stream.Length, 1 << 20)];
        stream.Position = 0;
        int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return buffer.AsSpan(0, n).IndexOf(Encoding.Unicode.GetBytes("EncryptionInfo")) >= 0;
    }

    /// <summary>The sheet read.</summary>
    public string SheetName { get; }

    /// <summary>Every sheet of the workbook, in order.</summary>
    public ImmutableArray<string> Sheets { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<SourceColumn>? Columns { get; }

    /// <inheritdoc/>
    public int HeaderLine { get; }

    /// <inheritdoc/>
    public int Line => _line;

    /// <inheritdoc/>
    public int FieldCount => _fields.Length;

    /// <inheritdoc/>
    public int BlankLines { get; private set; }

    /// <inheritdoc/>
    public int ExpectedRows => 0;

    /// <inheritdoc/>
    public ReadOnlySpan<char> Field(int index) => _fields[index];

    /// <inheritdoc/>
    public string? DescribeField(int index) => _notes[index] ?? Cell(_firstColumn + index, _line);

    /// <inheritdoc/>
    public string RawRow() => $"{SheetName} row {_line}";

    /// <inheritdoc/>
    public IReadOnlyList<ValidationIssue> TakeFindings() => RecordSources.Drain(_findings);

    /// <inheritdoc/>
    public bool Read()
    {
        if (_ended || Columns is null) return false;
        while (true)
        {
            var row = Next();
            if (row is null) { _ended = true; return false; }
            if (row.Value.Cells.All(c => c.IsEmpty)) { BlankLines++; continue; }
            _line = row.Value.Number;
            Array.Fill(_fields, "");
            Array.Fill(_notes, null);
            foreach (var c in row.Value.Cells)
            {
                if (c.IsEmpty) continue;
                int j = c.Column - _firstColumn;
                string where = Cell(c.Column, _line);
                if (j < 0 || j >= _fields.Length)
                {
                    _findings.Add(new(Severity.Error, "cell_outside_header", Name, _line, null, FieldText(c),
                        $"{where} holds '{FieldText(c)}' but its column has no header cell (the header runs from {Cell(_firstColumn, HeaderLine)} to {Cell(_firstColumn + _fields.Length - 1, HeaderLine)})"));
                    continue;
                }
                string column = Columns[j].Name;
                switch (c.Kind)
                {
                    case CellKind.Error:
                        _findings.Add(new(Severity.Error, "cell_error", Name, _line, column, c.Text,
                            $"{where} holds the spreadsheet error {c.Text} (a formula that failed): correct it, or empty the cell to mark the value missing"));
                        break;
                    case CellKind.FormulaWithoutValue:
                        _findings.Add(new(Severity.Error, "formula_without_value", Name, _line, column, c.Text,
                            $"{where} holds the formula {c.Text} with no saved value (the program that wrote the file did not compute it): open and save the workbook in a spreadsheet program, or paste values"));
                        break;
                    case CellKind.Date:
                        _fields[j] = FieldText(c);
                        _notes[j] = $"{where}, a date cell";
                        break;
                    default:
                        _fields[j] = FieldText(c);
                        break;
                }
            }
            return true;
        }
    }

    private SheetRow? Next()
    {
        try { return _rows.Next(); }
        catch (Exception e) when (e is not DataSpecException and not OperationCanceledException) { throw Unreadable(Name, e); }
    }

    private static string FieldText(SheetCell c) => c.Kind switch
    {
        CellKind.Number => c.Number.ToString("R", CultureInfo.InvariantCulture),
        CellKind.Date => IsoDate(c.Number),
        _ => c.Text ?? "",
    };

    private static string IsoDate(double oaDate)
    {
        if (oaDate < -657435 || oaDate > 2958465) return oaDate.ToString("R", CultureInfo.InvariantCulture);
        var d = DateTime.FromOADate(oaDate);
        // Rounded to the second, as a spreadsheet shows it.
        d = new DateTime((d.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond);
        return d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>The A1 reference of a cell on this sheet, e.g. <c>Sheet1!C7</c> (quoted when the name needs it).</summary>
    private string Cell(int column, int row) => SheetPrefix(SheetName) + ColumnLetters(column) + row.ToString(CultureInfo.InvariantCulture);

    private static string SheetPrefix(string sheet) =>
        sheet.All(ch => char.IsLetterOrDigit(ch) || ch == '_') && !char.IsDigit(sheet[0]) ? sheet + "!" : "'" + sheet.Replace("'", "''") + "'!";

    /// <summary>Column letters of a 1-based column number (1 → A, 27 → AA).</summary>
    internal static string ColumnLetters(int column)
    {
        var sb = new StringBuilder();
        for (int c = column; c > 0; c = (c - 1) / 26) sb.Insert(0, (char)('A' + (c - 1) % 26));
        return sb.ToString();
    }

    /// <summary>Columns of a sheet (XFD), Excel's limit: a reference beyond it is not one.</summary>
    private const int MaxColumns = 16_384;

    /// <summary>The 1-based column and row of an A1 reference (<c>C7</c> → 3, 7); false when it is not one.</summary>
    internal static bool TryParseReference(string reference, out int column, out int row)
    {
        column = 0; row = 0;
        int i = 0;
        while (i < reference.Length && char.IsAsciiLetter(reference[i]) && column < 1 << 20) column = column * 26 + (char.ToUpperInvariant(reference[i++]) - 'A' + 1);
        return column is > 0 and <= MaxColumns && int.TryParse(reference.AsSpan(i), NumberStyles.None, CultureInfo.InvariantCulture, out row) && row > 0;
    }

    /// <inheritdoc/>
    public void Dispose() => _rows.Dispose();

    // ---- the two back ends ----

    internal enum CellKind { Empty, Number, Text, Date, Error, FormulaWithoutValue }

    internal readonly record struct SheetCell(int Column, CellKind Kind, double Number, string? Text)
    {
        public bool IsEmpty => Kind == CellKind.Empty || (Kind == CellKind.Text && string.IsNullOrWhiteSpace(Text));
    }

    internal readonly record struct SheetRow(int Number, List<SheetCell> Cells);

    internal readonly record struct Merge(int FirstColumn, int FirstRow, int LastColumn, int LastRow);

    internal interface ISheetRows : IDisposable
    {
        string SheetName { get; }
        int SheetIndex { get; }
        IReadOnlyList<Merge> Merges { get; }
        /// <summary>What the back end cannot check, said once as a warning; null when nothing.</summary>
        string? Caveat => null;
        SheetRow? Next();
    }

    private static int ChooseSheet(string name, IReadOnlyList<string> sheets, string? sheet)
    {
        if (sheets.Count == 0) throw new DataSpecException($"{name}: the workbook has no sheets");
        if (sheet is null or "") return 0;
        for (int i = 0; i < sheets.Count; i++) if (sheets[i] == sheet) return i;
        for (int i = 0; i < sheets.Count; i++) if (string.Equals(sheets[i], sheet, StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(sheet, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number >= 1 && number <= sheets.Count) return number - 1;
        throw new DataSpecException($"{name}: no sheet '{sheet}' (sheets: {string.Join(", ", sheets.Select((s, i) => $"{i + 1} '{s}'"))})", property: "DataSpec.Sheet");
    }

    /// <summary>
    /// .xlsx read from its parts directly (System.IO.Compression and XmlReader, streaming the sheet row by row): the
    /// Open XML SDK refuses packages whose relationships name parts that are missing, which openxlsx writes (drawing
    /// parts of every sheet) and Excel opens; only the workbook, its relationships, shared strings, styles and the
    /// sheet are needed. Transitional and Strict namespaces are both read (elements are matched by local name).
    /// </summary>
    private sealed class XlsxRows : ISheetRows
    {
        private static readonly XmlReaderSettings Xml = new() { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true, IgnoreWhitespace = false, XmlResolver = null };
        private readonly ZipArchive _zip;
        private readonly XmlReader _sheet;
        private readonly string[] _strings;
        private readonly bool[] _dateStyles;
        private readonly bool _date1904;
        private int _lastRow;

        private XlsxRows(ZipArchive zip, string name, string sheetPath, string sheetName, int index, string[] strings, bool[] dateStyles, bool date1904)
        {
            _zip = zip;
            SheetName = sheetName;
            SheetIndex = index;
            _strings = strings;
            _dateStyles = dateStyles;
            _date1904 = date1904;
            var merges = new List<Merge>();
            using (var scan = XmlReader.Create(Entry(zip, name, sheetPath).Open(), Xml))
                while (scan.Read())
                    if (scan.NodeType == XmlNodeType.Element && scan.LocalName == "mergeCell"
                        && scan.GetAttribute("ref")?.Split(':') is [var a, var b] && TryParseReference(a, out int c1, out int r1) && TryParseReference(b, out int c2, out int r2))
                        merges.Add(new(c1, r1, c2, r2));
            Merges = merges;
            _sheet = XmlReader.Create(Entry(zip, name, sheetPath).Open(), Xml);
        }

        private static ZipArchiveEntry Entry(ZipArchive zip, string name, string path) =>
            Find(zip, path) ?? throw new DataSpecException($"{name}: not a readable Excel workbook: the part {path} is missing");

        /// <summary>A part by name: exact, else ignoring case and with backslashes as slashes (as Excel tolerates).</summary>
        private static ZipArchiveEntry? Find(ZipArchive zip, string path) =>
            zip.GetEntry(path) ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName.Replace('\\', '/'), path, StringComparison.OrdinalIgnoreCase));

        /// <summary>Largest XML part read whole (shared strings, styles, workbook), by its declared size: a guard against zip bombs.</summary>
        private const long MaxPartBytes = 1L << 30;

        private static Stream OpenPart(ZipArchiveEntry entry, string name)
        {
            if (entry.Length > MaxPartBytes)
                throw new DataSpecException($"{name}: the part {entry.FullName} unpacks to {entry.Length:N0} bytes, more than the {MaxPartBytes:N0} this reader accepts");
            return entry.Open();
        }

        /// <summary>Relationship id → target path (resolved against the folder of <paramref name="part"/>), with its type.</summary>
        private static Dictionary<string, (string Target, string Type)> Relationships(ZipArchive zip, string part)
        {
            string folder = part.Contains('/') ? part[..part.LastIndexOf('/')] : "";
            string rels = (folder.Length > 0 ? folder + "/" : "") + "_rels/" + part[(part.LastIndexOf('/') + 1)..] + ".rels";
            var map = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            var entry = Find(zip, rels);
            if (entry is null) return map;
            using var r = XmlReader.Create(OpenPart(entry, rels), Xml);
            while (r.Read())
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship" && r.GetAttribute("Id") is { } id && r.GetAttribute("Target") is { } target)
                    map[id] = (Resolve(folder, target), r.GetAttribute("Type") ?? "");
            return map;
        }

        private static string Resolve(string folder, string target)
        {
            if (target.StartsWith('/')) return target[1..];
            var parts = new List<string>(folder.Length > 0 ? folder.Split('/') : []);
            foreach (var p in target.Split('/'))
            {
                if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); }
                else if (p != "." && p.Length > 0) parts.Add(p);
            }
            return string.Join('/', parts);
        }

        public static (ISheetRows, IReadOnlyList<string>) Open(Stream stream, string name, string? sheet)
        {
            var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            try
            {
                string workbookPath = Relationships(zip, "").Values.FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target ?? "xl/workbook.xml";
                if (Find(zip, workbookPath) is null)
                    throw new DataSpecException($"{name}: not an Excel workbook (the package has no workbook part{(Find(zip, "word/document.xml") is not null ? ": it is a Word document" : Find(zip, "xl/workbook.bin") is not null ? ": it is a binary .xlsb workbook, which is not read; save it as .xlsx" : "")})");
                var rels = Relationships(zip, workbookPath);
                var sheets = new List<(string Name, string? Id)>();
                bool date1904 = false;
                using (var r = XmlReader.Create(OpenPart(Entry(zip, name, workbookPath), name), Xml))
                    while (r.Read())
                    {
                        if (r.NodeType != XmlNodeType.Element) continue;
                        if (r.LocalName == "workbookPr") date1904 = r.GetAttribute("date1904") is "1" or "true";
                        else if (r.LocalName == "sheet")
                        {
                            string? id = null;
                            for (int i = 0; i < r.AttributeCount; i++)
                            {
                                r.MoveToAttribute(i);
                                if (r.LocalName == "id" && r.NamespaceURI.Length > 0) id = r.Value;
                            }
                            r.MoveToElement();
                            sheets.Add((r.GetAttribute("name") ?? "", id));
                        }
                    }
                var names = sheets.Select(s => s.Name).ToList();
                int index = ChooseSheet(name, names, sheet);
                if (sheets[index].Id is not { } sid || !rels.TryGetValue(sid, out var target) || !target.Type.EndsWith("/worksheet", StringComparison.Ordinal))
                    throw new DataSpecException($"{name}: sheet '{names[index]}' is not a worksheet (a chart sheet?) or its part is missing", property: "DataSpec.Sheet");
                var strings = rels.Values.FirstOrDefault(v => v.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target is { } sst && Find(zip, sst) is { } sstEntry
                    ? SharedStrings(sstEntry, name) : [];
                var dateStyles = rels.Values.FirstOrDefault(v => v.Type.EndsWith("/styles", StringComparison.Ordinal)).Target is { } st && Find(zip, st) is { } stEntry
                    ? DateStyles(stEntry, name) : [];
                return (new XlsxRows(zip, name, target.Target, names[index], index, strings, dateStyles, date1904), names);
            }
            catch { zip.Dispose(); throw; }
        }

        public string SheetName { get; }
        public int SheetIndex { get; }
        public IReadOnlyList<Merge> Merges { get; }

        public SheetRow? Next()
        {
            var r = _sheet;
            while (r.Read())
            {
                if (r.NodeType != XmlNodeType.Element || r.LocalName != "row") continue;
                int number = int.TryParse(r.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : _lastRow + 1;
                _lastRow = number;
                var cells = new List<SheetCell>();
                if (r.IsEmptyElement) return new SheetRow(number, cells);
                int depth = r.Depth;
                int nextColumn = 1;
                while (r.Read() && !(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
                {
                    if (r.NodeType != XmlNodeType.Element || r.LocalName != "c") continue;
                    int column = TryParseReference(r.GetAttribute("r") ?? "", out int c, out _) ? c : nextColumn;
                    if (column > MaxColumns || cells.Count >= MaxColumns) throw new InvalidDataException($"row {number} has more than {MaxColumns} cells, Excel's limit");
                    nextColumn = column + 1;
                    cells.Add(ReadCell(r, column));
                }
                return new SheetRow(number, cells);
            }
            return null;
        }

        private SheetCell ReadCell(XmlReader r, int column)
        {
            string type = r.GetAttribute("t") ?? "n";
            uint style = uint.TryParse(r.GetAttribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out uint s) ? s : 0;
            string? value = null, formula = null, inline = null;
            if (!r.IsEmptyElement)
            {
                int depth = r.Depth;
                r.Read();
                while (!r.EOF && !(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
                {
                    if (r.NodeType == XmlNodeType.Element)
                    {
                        switch (r.LocalName)
                        {
                            case "v": value = r.ReadElementContentAsString(); continue;
                            case "f": formula = r.ReadElementContentAsString(); continue;
                            case "is": inline = ReadStringItem(r); break;
                            default: r.Skip(); continue;
                        }
                    }
                    r.Read();
                }
            }
            return Make();

            SheetCell Make()
            {
                if (type == "inlineStr") return new(column, CellKind.Text, 0, inline ?? value);
                if (value is null)
                    return formula is { Length: > 0 } ? new(column, CellKind.FormulaWithoutValue, 0, "=" + formula) : new(column, CellKind.Empty, 0, null);
                switch (type)
                {
                    case "s":
                        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < _strings.Length
                            ? new(column, CellKind.Text, 0, _strings[i])
                            : throw new InvalidDataException($"a cell refers to shared string {value}, which the workbook does not have");
                    case "str": return new(column, CellKind.Text, 0, Unescape(value));
                    case "b": return new(column, CellKind.Text, 0, value.Trim() is "1" or "true" ? "TRUE" : "FALSE");
                    case "e": return new(column, CellKind.Error, 0, value);
                    case "d":
                        return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d)
                            ? new(column, CellKind.Date, d.ToOADate(), null)
                            : new(column, CellKind.Text, 0, value);
                }
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) return new(column, CellKind.Text, 0, value);
                if (style < _dateStyles.Length && _dateStyles[style]) return new(column, CellKind.Date, _date1904 ? number + 1462 : number, null);
                return new(column, CellKind.Number, number, null);
            }
        }

        /// <summary>Text of an <c>si</c> or <c>is</c> element: its <c>t</c>, or its rich-text runs' <c>t</c>; phonetic guides (<c>rPh</c>) are not part of the value.</summary>
        private static string ReadStringItem(XmlReader r)
        {
            if (r.IsEmptyElement) return "";
            var sb = new StringBuilder();
            int depth = r.Depth;
            r.Read();
            while (!r.EOF && !(r.NodeType == XmlNodeType.EndElement && r.Depth == depth))
            {
                if (r.NodeType == XmlNodeType.Element)
                {
                    if (r.LocalName == "t") { sb.Append(r.ReadElementContentAsString()); continue; }
                    if (r.LocalName is "rPh" or "phoneticPr") { r.Skip(); continue; }
                }
                r.Read();
            }
            return Unescape(sb.ToString());
        }

        /// <summary>Decodes SpreadsheetML's <c>_xHHHH_</c> escapes (characters XML cannot hold, e.g. control characters).</summary>
        private static string Unescape(string s) =>
            s.Contains("_x", StringComparison.Ordinal)
                ? System.Text.RegularExpressions.Regex.Replace(s, "_x([0-9A-Fa-f]{4})_", m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString())
                : s;

        private static string[] SharedStrings(ZipArchiveEntry entry, string name)
        {
            var list = new List<string>();
            using var r = XmlReader.Create(OpenPart(entry, name), Xml);
            while (r.Read())
                if (r.NodeType == XmlNodeType.Element && r.LocalName == "si") list.Add(ReadStringItem(r));
            return [.. list];
        }

        /// <summary>Per cell format (style index, the <c>cellXfs</c> list): true when its number format shows a date or time.</summary>
        private static bool[] DateStyles(ZipArchiveEntry entry, string name)
        {
            var custom = new Dictionary<uint, string>();
            var formats = new List<uint>();
            using var r = XmlReader.Create(OpenPart(entry, name), Xml);
            bool inCellXfs = false;
            while (r.Read())
            {
                if (r.NodeType == XmlNodeType.EndElement && r.LocalName == "cellXfs") inCellXfs = false;
                if (r.NodeType != XmlNodeType.Element) continue;
                switch (r.LocalName)
                {
                    case "numFmt" when uint.TryParse(r.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out uint id):
                        custom[id] = r.GetAttribute("formatCode") ?? "";
                        break;
                    case "cellXfs": inCellXfs = !r.IsEmptyElement; break;
                    case "xf" when inCellXfs:
                        formats.Add(uint.TryParse(r.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out uint f) ? f : 0);
                        break;
                }
            }
            return [.. formats.Select(id => custom.TryGetValue(id, out var code) ? IsDateFormat(code) : id is >= 14 and <= 22 or >= 27 and <= 36 or >= 45 and <= 47 or >= 50 and <= 58)];
        }

        public void Dispose() { _sheet.Dispose(); _zip.Dispose(); }
    }

    /// <summary>True when a number format code shows a date or time: d, m, y, h or s outside quotes, escapes and brackets (other than elapsed [h], [m], [s]).</summary>
    internal static bool IsDateFormat(string code)
    {
        bool quoted = false;
        for (int i = 0; i < code.Length; i++)
        {
            char ch = code[i];
            if (quoted) { if (ch == '"') quoted = false; continue; }
            switch (ch)
            {
                case '"': quoted = true; break;
                case '\\' or '_' or '*': i++; break;
                case '[':
                    int end = code.IndexOf(']', i);
                    if (end < 0) return false;
                    string inner = code[(i + 1)..end].ToLowerInvariant();
                    if (inner.Length > 0 && inner.All(c => c is 'h' or 'm' or 's')) return true;
                    i = end;
                    break;
                case ';': return false; // the first section decides
                default:
                    if ("dDmMyYhHsS".Contains(ch)) return true;
                    break;
            }
        }
        return false;
    }

    /// <summary>.xls (BIFF) through ExcelDataReader. It does not tell error cells from empty ones; the reader says so in a warning.</summary>
    private sealed class XlsRows : ISheetRows
    {
        private readonly IExcelDataReader _reader;
        private int _row;

        static XlsRows() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        private XlsRows(IExcelDataReader reader, string sheet, int index, IReadOnlyList<Merge> merges)
        {
            _reader = reader;
            SheetName = sheet;
            SheetIndex = index;
            Merges = merges;
        }

        public static (ISheetRows, IReadOnlyList<string>) Open(Stream stream, string name, string? sheet)
        {
            var reader = ExcelReaderFactory.CreateBinaryReader(stream, new ExcelReaderConfiguration { LeaveOpen = false });
            try
            {
                var names = new List<string>();
                do names.Add(reader.Name ?? ""); while (reader.NextResult());
                int index = ChooseSheet(name, names, sheet);
                reader.Reset();
                for (int i = 0; i < index; i++) reader.NextResult();
                var merges = reader.MergeCells?.Select(m => new Merge(m.FromColumn + 1, m.FromRow + 1, m.ToColumn + 1, m.ToRow + 1)).ToList() ?? [];
                return (new XlsRows(reader, names[index], index, merges), names);
            }
            catch { reader.Dispose(); throw; }
        }

        public string SheetName { get; }
        public int SheetIndex { get; }
        public IReadOnlyList<Merge> Merges { get; }

        public SheetRow? Next()
        {
            if (!_reader.Read()) return null;
            _row++;
            var cells = new List<SheetCell>(_reader.FieldCount);
            for (int i = 0; i < _reader.FieldCount; i++)
            {
                int column = i + 1;
                cells.Add(_reader.GetValue(i) switch
                {
                    null => new(column, CellKind.Empty, 0, null),
                    double d => new(column, CellKind.Number, d, null),
                    int n => new(column, CellKind.Number, n, null),
                    bool b => new(column, CellKind.Text, 0, b ? "TRUE" : "FALSE"),
                    DateTime t => new(column, CellKind.Date, t.ToOADate(), null),
                    TimeSpan s => new(column, CellKind.Date, s.TotalDays, null),
                    string s => new(column, CellKind.Text, 0, s),
                    var other => new(column, CellKind.Text, 0, Convert.ToString(other, CultureInfo.InvariantCulture)),
                });
            }
            return new SheetRow(_row, cells);
        }

        public string? Caveat => "ExcelDataReader reads cells holding a spreadsheet error (#N/A, #DIV/0! …) in an .xls file as empty, so they count as missing here; " +
            "save the workbook as .xlsx to have them reported";

        public void Dispose() => _reader.Dispose();
    }
}
