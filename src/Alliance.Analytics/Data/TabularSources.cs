using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Data.Analysis;
using Sylvan.Data.Csv;

namespace Alliance.Analytics.Data;

/// <summary>How a source declares a column's type.</summary>
public enum ColumnKind
{
    /// <summary>Not declared (text files): numbers or text are inferred from the values.</summary>
    Inferred,
    /// <summary>Declared numeric (e.g. an SPSS numeric variable): text in it is an error.</summary>
    Number,
    /// <summary>Declared text (e.g. an SPSS string variable): kept as text even when every value looks like a number.</summary>
    Text,
}

/// <summary>A column as a source declares it: name, type and, where the format has them, a label, missing codes and value labels.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Kind">Declared type, or <see cref="ColumnKind.Inferred"/>.</param>
/// <param name="Label">Display label (SPSS variable label), or null.</param>
public sealed record SourceColumn(string Name, ColumnKind Kind = ColumnKind.Inferred, string? Label = null)
{
    /// <summary>Values the source defines as missing for this column (SPSS user-missing values), as text.</summary>
    public ImmutableArray<string> MissingCodes { get; init; } = [];

    /// <summary>Labels of values (SPSS value labels: the anchors of a response scale).</summary>
    public ImmutableSortedDictionary<double, string> ValueLabels { get; init; } = ImmutableSortedDictionary<double, string>.Empty;
}

/// <summary>
/// A table read record by record: the interface every file format implements (CSV/TSV and DataFrame here; SPSS,
/// Excel, Stata, Parquet and SQL readers plug in behind it). The dataset builder reads one record at a time, so a
/// source may stream a file of any size. Fields are text: a typed source writes numbers in invariant round-trip form
/// (<c>"R"</c>), which the builder parses exactly, and declares each column's type in <see cref="Columns"/>.
/// Problems the source itself finds (bad encoding, broken quoting) are handed over as validation findings through
/// <see cref="TakeFindings"/>, record by record, so they are reported with the data's own.
/// </summary>
public interface IRecordSource : IDisposable
{
    /// <summary>Name used in messages (the file path, or "DataFrame").</summary>
    string Name { get; }

    /// <summary>The columns (header), or null when the source is empty.</summary>
    IReadOnlyList<SourceColumn>? Columns { get; }

    /// <summary>Column names, or null when the source is empty (no header).</summary>
    IReadOnlyList<string>? Header => Columns?.Select(c => c.Name).ToArray();

    /// <summary>Line of the header (1 in a text file; 0 where there is none), used for messages about columns.</summary>
    int HeaderLine { get; }

    /// <summary>Advances to the next data record; false at the end.</summary>
    bool Read();

    /// <summary>Where the current record starts: the physical line (1-based) of a text file, the record number otherwise.</summary>
    int Line { get; }

    /// <summary>Number of fields in the current record.</summary>
    int FieldCount { get; }

    /// <summary>Field <paramref name="index"/> of the current record, as text (unquoted).</summary>
    ReadOnlySpan<char> Field(int index);

    /// <summary>The current record as written (for messages), shortened and trimmed of its line break.</summary>
    string RawRow();

    /// <summary>Lines skipped because they were blank.</summary>
    int BlankLines { get; }

    /// <summary>How many records the source probably holds (for sizing buffers); 0 when unknown.</summary>
    int ExpectedRows { get; }

    /// <summary>Findings the source made since the last call (encoding, quoting …); empty for most records.</summary>
    IReadOnlyList<ValidationIssue> TakeFindings() => [];
}

/// <summary>
/// CSV/TSV source on Sylvan.Data.Csv (RFC 4180 quoting), tracking the physical line of every record so messages can
/// name it even when quoted fields span lines. Blank lines are skipped and counted.
/// </summary>
internal sealed class CsvTableSource : IRecordSource
{
    private readonly CsvDataReader? _reader;
    private int _nextLine;

    public CsvTableSource(string path, char delimiter)
    {
        Name = path;
        if (new FileInfo(path).Length == 0) return;
        var text = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, options: new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
        _reader = CsvDataReader.Create(text, Options(delimiter, hasHeaders: true));
        if (_reader.FieldCount == 0 || (_reader.FieldCount == 1 && _reader.GetName(0).Trim().Length == 0))
        {
            Header = null;
            return;
        }
        var header = new string[_reader.FieldCount];
        int extraLines = 0;
        for (int i = 0; i < header.Length; i++)
        {
            string name = _reader.GetName(i);
            extraLines += name.AsSpan().Count('\n');
            header[i] = name.Trim();
        }
        Header = header;
        _nextLine = 2 + extraLines;
    }

    /// <summary>A chunk of data rows (no header) of a file whose header is already known, starting at <paramref name="firstLine"/>.</summary>
    private CsvTableSource(string name, Stream chunk, char delimiter, IReadOnlyList<string> header, int firstLine, int expectedRows)
    {
        Name = name;
        ExpectedRows = expectedRows;
        _reader = CsvDataReader.Create(new StreamReader(chunk, System.Text.Encoding.UTF8, false, 1 << 16), Options(delimiter, hasHeaders: false));
        Header = header;
        _nextLine = firstLine;
    }

    private static CsvDataReaderOptions Options(char delimiter, bool hasHeaders) => new()
    {
        HasHeaders = hasHeaders,
        Delimiter = delimiter,
        ResultSetMode = ResultSetMode.SingleResult,
        BufferSize = 1 << 16,
    };

    /// <summary>Files at least this large are parsed in parallel chunks (when they have no quoted fields).</summary>
    public const long ParallelThreshold = 4 << 20;

    /// <summary>
    /// Splits a large file without quote characters into consecutive chunks at line breaks, one source each, with
    /// the physical line each starts on; null when the file is small, holds a quote character (a quoted field may
    /// span lines, so only a sequential read can place line breaks), or only one core is available.
    /// </summary>
    public static IReadOnlyList<IRecordSource>? TryChunk(string path, char delimiter, IReadOnlyList<string> header, int chunkCount, long threshold = ParallelThreshold)
    {
        var info = new FileInfo(path);
        if (info.Length < threshold || chunkCount < 2) return null;
        byte[] bytes = File.ReadAllBytes(path);
        var all = bytes.AsSpan();
        if (all.IndexOf((byte)'"') >= 0) return null;
        int headerEnd = all.IndexOf((byte)'\n') + 1;
        if (headerEnd <= 0 || headerEnd >= bytes.Length) return null;
        var bounds = new List<int> { headerEnd };
        long size = bytes.Length - headerEnd;
        for (int c = 1; c < chunkCount; c++)
        {
            int target = (int)(headerEnd + size * c / chunkCount);
            if (target <= bounds[^1]) continue;
            int nl = all[target..].IndexOf((byte)'\n');
            if (nl < 0) break;
            int cut = target + nl + 1;
            if (cut > bounds[^1] && cut < bytes.Length) bounds.Add(cut);
        }
        bounds.Add(bytes.Length);
        var newlines = new int[bounds.Count - 1];
        Parallel.For(0, newlines.Length, c => newlines[c] = bytes.AsSpan(bounds[c], bounds[c + 1] - bounds[c]).Count((byte)'\n'));
        var sources = new List<IRecordSource>(newlines.Length);
        int line = 2;
        for (int c = 0; c < newlines.Length; c++)
        {
            sources.Add(new CsvTableSource(path, new MemoryStream(bytes, bounds[c], bounds[c + 1] - bounds[c], writable: false), delimiter, header, line, newlines[c] + 1));
            line += newlines[c];
        }
        return sources;
    }

    public string Name { get; }
    public IReadOnlyList<string>? Header { get; }
    public IReadOnlyList<SourceColumn>? Columns => Header?.Select(h => new SourceColumn(h)).ToArray();
    public int HeaderLine => 1;
    public int Line { get; private set; }
    public int BlankLines { get; private set; }
    public int ExpectedRows { get; }
    public int FieldCount => _reader!.RowFieldCount;

    public bool Read()
    {
        if (_reader is null || Header is null) return false;
        while (_reader.Read())
        {
            Line = _nextLine;
            var raw = _reader.GetRawRecordSpan();
            _nextLine += raw.Count('\n');
            if (_reader.RowFieldCount <= 1 && _reader.GetFieldSpan(0).Trim().IsEmpty && Header.Count > 1)
            {
                BlankLines++;
                continue;
            }
            return true;
        }
        return false;
    }

    public ReadOnlySpan<char> Field(int index) => _reader!.GetFieldSpan(index);

    public string RawRow()
    {
        var raw = _reader!.GetRawRecordSpan().TrimEnd("\r\n");
        return raw.Length > 80 ? string.Concat(raw[..77], "...") : raw.ToString();
    }

    public void Dispose() => _reader?.Dispose();

    /// <summary>The delimiter for a file: tab for .tsv/.tab, else tab when the first line has tabs but no commas, else comma.</summary>
    public static char DetectDelimiter(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".tsv" or ".tab") return '\t';
        if (ext == ".csv") return ',';
        using var reader = new StreamReader(path);
        string first = reader.ReadLine() ?? "";
        return first.Contains('\t') && !first.Contains(',') ? '\t' : ',';
    }
}

/// <summary>A DataFrame as a tabular source: each cell formatted as invariant text; "lines" are 1-based row numbers.</summary>
internal sealed class DataFrameTableSource(DataFrame frame, string name) : IRecordSource
{
    private long _row = -1;

    public string Name { get; } = name;
    public IReadOnlyList<string>? Header { get; } = frame.Columns.Count == 0 ? null : frame.Columns.Select(c => c.Name).ToArray();
    public IReadOnlyList<SourceColumn>? Columns { get; } = frame.Columns.Count == 0 ? null
        : frame.Columns.Select(c => new SourceColumn(c.Name, c is StringDataFrameColumn ? ColumnKind.Text : ColumnKind.Number)).ToArray();
    public int HeaderLine => 0;
    public int Line => (int)_row + 1;
    public int FieldCount => frame.Columns.Count;
    public int BlankLines => 0;
    public int ExpectedRows => (int)frame.Rows.Count;

    public bool Read() => ++_row < frame.Rows.Count;

    public ReadOnlySpan<char> Field(int index) => frame.Columns[index][_row] switch
    {
        null => ReadOnlySpan<char>.Empty,
        double d => double.IsNaN(d) ? "" : d.ToString("R", CultureInfo.InvariantCulture),
        float f => float.IsNaN(f) ? "" : f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    public string RawRow() => string.Join(",", Enumerable.Range(0, FieldCount).Select(i => Field(i).ToString()));

    public void Dispose() { }
}
