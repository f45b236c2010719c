using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Data.Analysis;
using System.Text;
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

    /// <summary>
    /// Where field <paramref name="index"/> of the current record sits, for messages, when the format has a finer
    /// address than line and column (a spreadsheet cell: <c>Sheet1!C7</c>, or <c>Sheet1!C7, a date cell</c>); null otherwise.
    /// </summary>
    string? DescribeField(int index) => null;

    /// <summary>Lines skipped because they were blank.</summary>
    int BlankLines { get; }

    /// <summary>How many records the source probably holds (for sizing buffers); 0 when unknown.</summary>
    int ExpectedRows { get; }

    /// <summary>Findings the source made since the last call (encoding, quoting …); empty for most records.</summary>
    IReadOnlyList<ValidationIssue> TakeFindings() => [];
}

/// <summary>
/// CSV/TSV source on Sylvan.Data.Csv (RFC 4180 quoting), tracking the physical line of every record so messages can
/// name it even when quoted fields span lines (LF, CRLF and CR-only line ends). Blank lines are skipped and counted.
/// The file is opened once and read as a stream (so FIFOs, pipes and <c>-</c> for standard input work), decoded
/// strictly (<see cref="CheckedTextReader"/>); a problem in the text itself (bytes that are not valid in the
/// encoding, an unterminated quote, a record longer than <see cref="TextInput.MaxRecordChars"/>) ends the read with
/// one error finding, handed over through <see cref="TakeFindings"/>, and <see cref="Stopped"/> set.
/// </summary>
internal sealed class CsvTableSource : IRecordSource
{
    private readonly CsvDataReader? _reader;
    private readonly List<ValidationIssue> _findings = [];
    private int _nextLine;

    /// <summary>Opens <paramref name="path"/> (or standard input for <c>-</c>) once.</summary>
    /// <param name="path">The file.</param>
    /// <param name="delimiter">Field delimiter, or null to decide by extension or from the first line.</param>
    /// <param name="encoding">Encoding name (<see cref="DataSpec.Encoding"/>), or null to detect.</param>
    /// <exception cref="DataSpecException">When <paramref name="encoding"/> names no known encoding.</exception>
    public CsvTableSource(string path, char? delimiter, string? encoding = null)
    {
        Name = path;
        var resolved = TextInput.Resolve(encoding);
        var text = new CheckedTextReader(TextInput.Open(path), path, resolved);
        Encoding = text.DetectedEncoding;
        Delimiter = delimiter ?? DelimiterFor(path, text);
        _nextLine = 1;
        try
        {
            if (text.Peek() < 0)
            {
                text.Dispose();
                return;
            }
            _reader = CsvDataReader.Create(text, Options(Delimiter, hasHeaders: true));
        }
        catch (Exception e) when (IsTextProblem(e))
        {
            // Sylvan reads ahead past the header: a problem in the first data record surfaces here (its row number is 1).
            if (e is CsvFormatException { RowNumber: > 0 } or CsvRecordTooLargeException { RowNumber: > 0 }) _nextLine = 2;
            text.Dispose();
            Stop(e);
            return;
        }
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
            extraLines += TextInput.CountLineBreaks(name);
            header[i] = name.Trim();
        }
        Header = header;
        _nextLine = 2 + extraLines;
    }

    /// <summary>A chunk of data rows (no header) of a file whose header is already known, starting at <paramref name="firstLine"/>.</summary>
    private CsvTableSource(string name, Stream chunk, char delimiter, IReadOnlyList<string> header, int firstLine, long firstOffset, int expectedRows, string? encoding)
    {
        Name = name;
        ExpectedRows = expectedRows;
        Delimiter = delimiter;
        var text = new CheckedTextReader(chunk, name, TextInput.Resolve(encoding), firstLine, firstOffset, detectBom: false);
        Encoding = text.DetectedEncoding;
        _nextLine = firstLine;
        Header = header;
        try
        {
            _reader = CsvDataReader.Create(text, Options(delimiter, hasHeaders: false));
        }
        catch (Exception e) when (IsTextProblem(e))
        {
            text.Dispose();
            Stop(e);
        }
    }

    private static CsvDataReaderOptions Options(char delimiter, bool hasHeaders) => new()
    {
        HasHeaders = hasHeaders,
        Delimiter = delimiter,
        ResultSetMode = ResultSetMode.SingleResult,
        BufferSize = 1 << 16,
        MaxBufferSize = TextInput.MaxRecordChars + (1 << 16),
    };

    /// <summary>The field delimiter in force.</summary>
    public char Delimiter { get; }

    /// <summary>The encoding in force ("UTF-8" when detected or given as such).</summary>
    public string Encoding { get; }

    /// <summary>True when the read ended early at a problem in the text (its finding is in <see cref="TakeFindings"/>).</summary>
    public bool Stopped { get; private set; }

    private static bool IsTextProblem(Exception e) => e is SourceTextException or CsvFormatException or CsvRecordTooLargeException;

    /// <summary>Ends the read at <paramref name="e"/>, recording it as an error finding in our words.</summary>
    private void Stop(Exception e)
    {
        Stopped = true;
        ValidationIssue finding = e switch
        {
            SourceTextException t => new(Severity.Error, t.Code, Name, t.Line, null, t.Value, t.Message),
            CsvRecordTooLargeException => new(Severity.Error, "record_too_long", Name, _nextLine, null, null,
                $"the record starting on this line is longer than the limit of {TextInput.MaxRecordChars.ToString("N0", CultureInfo.InvariantCulture)} characters " +
                "(a quoted field may be missing its closing quote, so that the rest of the file became one field)"),
            CsvFormatException f when f.Message.Contains("without a closing quote", StringComparison.Ordinal) => new(Severity.Error, "quoting", Name, _nextLine, null, null,
                "a quoted field in the record starting on this line has no closing quote (it runs to the end of the file)"),
            CsvFormatException f when f.Message.Contains("unescaped quote", StringComparison.OrdinalIgnoreCase) => new(Severity.Error, "quoting", Name, _nextLine, null, null,
                "a quote character inside a quoted field in the record starting on this line is not doubled (write \"\" for a quote inside quotes)"),
            CsvFormatException => new(Severity.Error, "quoting", Name, _nextLine, null, null,
                "a closing quote in the record starting on this line is followed by text instead of a delimiter or the end of the line"),
            _ => new(Severity.Error, "unreadable", Name, _nextLine, null, null, "the text cannot be read from here on"),
        };
        _findings.Add(finding);
    }

    /// <inheritdoc/>
    public IReadOnlyList<ValidationIssue> TakeFindings() => RecordSources.Drain(_findings);

    /// <summary>Files at least this large are parsed in parallel chunks (when they have no quoted fields).</summary>
    public const long ParallelThreshold = 4 << 20;

    /// <summary>
    /// Splits a large regular file without quote characters into consecutive chunks at line breaks, one source each,
    /// with the physical line and byte offset each starts on; null when the file is small or not a regular file, holds
    /// a quote character (a quoted field may span lines, so only a sequential read can place line breaks), a CR-only
    /// line end, bytes that are not valid UTF-8 (so the sequential read reports them exactly where it stops), or only
    /// one core is available. The file is scanned once in blocks (never read whole into memory); each chunk then reads
    /// its own range.
    /// </summary>
    public static IReadOnlyList<IRecordSource>? TryChunk(string path, char delimiter, IReadOnlyList<string> header, int chunkCount,
        long threshold = ParallelThreshold, string? encoding = null)
    {
        if (chunkCount < 2 || !TextInput.IsRegularFile(path)) return null;
        var resolved = TextInput.Resolve(encoding);
        bool utf8 = resolved is null or UTF8Encoding;
        if (!utf8 && !(resolved!.IsSingleByte && resolved.GetBytes("\n\r\"")  is [10, 13, 34])) return null;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(handle);
        if (length < threshold) return null;

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long headerEnd = -1;
            var bounds = new List<long>();
            var newlines = new List<int>();
            long nextTarget = 0;
            int count = 0;
            bool afterCr = false;
            int carry = 0;
            long position = 0;
            // Leading byte-order marks: UTF-16 is never chunked; a UTF-8 BOM sits in the header.
            while (true)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(carry), position);
                bool last = n == 0;
                int valid = carry + n;
                var span = buffer.AsSpan(0, valid);
                if (position == 0 && (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))) return null;
                if (span.IndexOf((byte)'"') >= 0) return null;
                // Complete UTF-8 sequences only; an incomplete tail is carried to the next block.
                int end = valid;
                if (utf8 && !last)
                {
                    int k = valid - 1, back = 0;
                    while (k >= 0 && back < 3 && (span[k] & 0xC0) == 0x80) { k--; back++; }
                    if (k >= 0 && span[k] >= 0xC0)
                    {
                        int need = span[k] >= 0xF0 ? 4 : span[k] >= 0xE0 ? 3 : 2;
                        if (valid - k < need) end = k;
                    }
                }
                var block = span[..end];
                if (utf8 && !System.Text.Unicode.Utf8.IsValid(block)) return null;
                long blockStart = position - carry;
                for (int i = 0; i < block.Length; i++)
                {
                    byte b = block[i];
                    if (b == (byte)'\n')
                    {
                        afterCr = false;
                        long at = blockStart + i + 1;
                        if (headerEnd < 0)
                        {
                            headerEnd = at;
                            bounds.Add(at);
                            nextTarget = headerEnd + (length - headerEnd) / chunkCount;
                            continue;
                        }
                        count++;
                        if (at >= nextTarget && bounds.Count < chunkCount && at < length)
                        {
                            bounds.Add(at);
                            newlines.Add(count);
                            count = 0;
                            nextTarget = headerEnd + (length - headerEnd) * bounds.Count / chunkCount;
                        }
                    }
                    else if (afterCr) return null; // a CR not followed by LF: CR-only line ends are read sequentially
                    else afterCr = b == (byte)'\r';
                }
                if (last) break;
                position += n;
                carry = valid - end;
                span[end..valid].CopyTo(buffer);
            }
            if (afterCr || headerEnd < 0 || headerEnd >= length) return null;
            bounds.Add(length);
            newlines.Add(count);
            var sources = new List<IRecordSource>(newlines.Count);
            int line = 2;
            for (int c = 0; c < newlines.Count; c++)
            {
                var range = new FileRangeStream(path, bounds[c], bounds[c + 1] - bounds[c]);
                sources.Add(new CsvTableSource(path, range, delimiter, header, line, bounds[c], newlines[c] + 1, encoding));
                line += newlines[c];
            }
            return sources.Count < 2 ? Dispose(sources) : sources;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        static IReadOnlyList<IRecordSource>? Dispose(List<IRecordSource> sources)
        {
            foreach (var s in sources) s.Dispose();
            return null;
        }
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
        if (_reader is null || Header is null || Stopped) return false;
        try
        {
            while (_reader.Read())
            {
                Line = _nextLine;
                var raw = _reader.GetRawRecordSpan();
                _nextLine += TextInput.CountLineBreaks(raw);
                if (_reader.RowFieldCount <= 1 && _reader.GetFieldSpan(0).Trim().IsEmpty && Header.Count > 1)
                {
                    BlankLines++;
                    continue;
                }
                return true;
            }
        }
        catch (Exception e) when (IsTextProblem(e))
        {
            Stop(e);
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

    /// <summary>
    /// The delimiter for a file: tab for .tsv/.tab, comma for .csv, else tab when the first line has tabs but no
    /// commas, else comma. The first line is peeked from the stream already open, so a FIFO is not opened twice.
    /// </summary>
    private static char DelimiterFor(string path, CheckedTextReader text)
    {
        string ext = TextInput.IsStandardInput(path) ? "" : Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".tsv" or ".tab") return '\t';
        if (ext == ".csv") return ',';
        string first = text.PeekFirstLine();
        return first.Contains('\t') && !first.Contains(',') ? '\t' : ',';
    }
}

/// <summary>A read-only stream over a byte range of a file, opened on first read (for a chunk read in parallel).</summary>
internal sealed class FileRangeStream(string path, long start, long length) : Stream
{
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0) return 0;
        _handle ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (buffer.Length > left) buffer = buffer[..(int)left];
        int n = RandomAccess.Read(_handle, buffer, start + _position);
        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _handle?.Dispose();
        base.Dispose(disposing);
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

/// <summary>What the record sources share.</summary>
internal static class RecordSources
{
    /// <summary>The findings gathered so far, handed over once (<see cref="IRecordSource.TakeFindings"/>): the list is emptied.</summary>
    public static IReadOnlyList<ValidationIssue> Drain(List<ValidationIssue> findings)
    {
        if (findings.Count == 0) return [];
        var taken = findings.ToArray();
        findings.Clear();
        return taken;
    }
}
