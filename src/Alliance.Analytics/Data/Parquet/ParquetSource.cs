using System.Collections.Immutable;
using System.Globalization;
using PqField = Parquet.Schema.Field;
using PqDataField = Parquet.Schema.DataField;
using PqSchemaType = Parquet.Schema.SchemaType;

namespace Alliance.Analytics.Data;

/// <summary>
/// Apache Parquet files (<c>.parquet</c>) as an input format, read with Parquet.Net (fully managed, MIT; its
/// dependencies Snappier, ZstdSharp.Port, K4os.Compression.LZ4 and the Microsoft/CommunityToolkit memory helpers are
/// managed too). Recognized by the extension or the magic <c>PAR1</c>.
/// </summary>
public sealed class ParquetFormat : ISourceFormat
{
    /// <inheritdoc/>
    public string Name => "parquet";

    /// <inheritdoc/>
    public ImmutableArray<string> Extensions { get; } = [".parquet"];

    /// <inheritdoc/>
    public string Summary => "Apache Parquet (any compression Parquet.Net reads: Snappy, Gzip, Zstd, LZ4, Brotli; plain and dictionary encoding): flat columns of integers, floats, decimals, booleans, strings, dates; nulls are missing";

    /// <inheritdoc/>
    public bool Recognizes(ReadOnlySpan<byte> head) => head.StartsWith("PAR1"u8);

    /// <inheritdoc/>
    public IRecordSource Open(string path, DataSpec spec, CancellationToken cancellationToken)
    {
        var stream = TextInput.Open(path);
        try { return new ParquetSource(stream, path, spec, cancellationToken); }
        catch { stream.Dispose(); throw; }
    }
}

/// <summary>
/// Reads a Parquet file row group by row group (<see cref="IRecordSource"/>): the footer (schema and row-group
/// index) is read on construction; then one row group at a time is decoded, every read column of it, and its rows are
/// handed over one by one, so memory holds one row group, never the whole file (at most
/// <see cref="Limits.MaxParquetRowGroupCells"/> cells of it). Numbers are handed over in invariant round-trip form
/// (a <c>float</c> by its shortest float form, so 0.1 stays 0.1; a <c>decimal</c> exactly; a boolean as 1 or 0) and
/// declared <see cref="ColumnKind.Number"/>; strings (plain or dictionary-encoded, i.e. categorical) are
/// <see cref="ColumnKind.Text"/>, as are dates and times (ISO 8601) and UUIDs; a null is an empty field, i.e. missing.
/// Columns of other types (lists, maps, structs, binary) are not read: a column named in the spec's items or numeric
/// columns, or named like an id column, is refused naming it; any other is skipped with a warning
/// (<c>unsupported_column</c>). A file that is not Parquet, truncated or corrupt is a <see cref="DataSpecException"/>
/// naming the file and, where known, the row group and column; Parquet.Net's own exceptions never escape.
/// </summary>
public sealed class ParquetSource : IRecordSource
{
    private readonly Stream _stream;
    private readonly Parquet.ParquetReader _reader;
    private readonly CancellationToken _cancellationToken;
    private readonly Column[] _columns;
    private readonly List<ValidationIssue> _findings = [];
    private string[][] _group = [];
    private int _groupIndex = -1;
    private int _rowInGroup;
    private int _groupRows;
    private long _row;

    private sealed record Column(PqDataField Field, string TypeName, Func<Parquet.ParquetRowGroupReader, PqDataField, int, CancellationToken, string[]> Read);

    /// <summary>Opens a Parquet file from <paramref name="stream"/>, which must be seekable (the footer is at the end).</summary>
    /// <param name="stream">The file's bytes (disposed with this reader).</param>
    /// <param name="name">Name for messages.</param>
    /// <param name="spec">The spec in force: columns it names are refused when their type cannot be read.</param>
    /// <param name="cancellationToken">Cancels a long read.</param>
    /// <exception cref="DataSpecException">When the bytes are not a readable Parquet file, or a column the spec names has a type that is not read.</exception>
    public ParquetSource(Stream stream, string name, DataSpec? spec = null, CancellationToken cancellationToken = default)
    {
        _stream = stream;
        Name = name;
        _cancellationToken = cancellationToken;
        if (!stream.CanSeek) throw new DataSpecException($"{name}: a Parquet file is read from a regular file, not a pipe (its schema is in a footer at the end)");
        CheckFrame();
        try
        {
            _reader = Parquet.ParquetReader.CreateAsync(stream, new Parquet.ParquetOptions { TreatByteArrayAsString = false, UseDateOnlyTypeForDates = true }, leaveStreamOpen: true, cancellationToken)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsParquetProblem(e))
        {
            throw new DataSpecException($"{name}: not a readable Parquet file: the footer (schema and row-group index) cannot be decoded ({Reason(e)})", inner: e);
        }
        try
        {
            var named = new HashSet<string>([.. spec?.Items ?? [], .. spec?.NumericColumns ?? [], .. DataSpec.IdColumns], StringComparer.Ordinal);
            var columns = new List<Column>();
            IReadOnlyList<PqField> fields;
            long rows;
            try
            {
                // The schema is decoded from the footer when first asked for.
                fields = [.. _reader.Schema.Fields];
                rows = _reader.Metadata?.NumRows ?? 0;
            }
            catch (Exception e) when (IsParquetProblem(e))
            {
                throw new DataSpecException($"{name}: not a readable Parquet file: the schema in the footer cannot be decoded ({Reason(e)})", inner: e);
            }
            foreach (var field in fields)
            {
                var column = field is PqDataField { IsArray: false } data ? Map(data) : null;
                if (column is not null) { columns.Add(column); continue; }
                string type = Describe(field);
                if (named.Contains(field.Name))
                    throw new DataSpecException($"{name}: column '{field.Name}' is {type}, which is not read (only flat columns of numbers, booleans, strings and dates are); it cannot be used as {(DataSpec.IdColumns.Contains(field.Name) && !(spec?.Items?.Contains(field.Name) ?? false) ? "an id" : "an item")}");
                _findings.Add(new ValidationIssue(Severity.Warning, "unsupported_column", name, null, field.Name, null,
                    $"column '{field.Name}' is {type}, which is not read (only flat columns of numbers, booleans, strings and dates are): it is left out"));
            }
            _columns = [.. columns];
            Columns = [.. _columns.Select(c => new SourceColumn(c.Field.Name, IsText(c.Field.ClrType) ? ColumnKind.Text : ColumnKind.Number))];
            // A sizing hint for the builder's buffers, from the footer, which may lie: at most one row a byte of the file
            // (a file that packs rows tighter only makes the buffers grow as they are filled).
            ExpectedRows = (int)Math.Clamp(rows, 0, Math.Min(stream.Length, int.MaxValue));
        }
        catch
        {
            _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Checks the frame of the file before Parquet.Net sees it: <c>PAR1</c> at both ends and a footer length that fits.</summary>
    private void CheckFrame()
    {
        long length = _stream.Length;
        Span<byte> head = stackalloc byte[4];
        _stream.Position = 0;
        int n = _stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n < 4 || !head.SequenceEqual("PAR1"u8))
            throw new DataSpecException($"{Name}: not a Parquet file: it does not begin with the magic PAR1 (byte offset 0)");
        if (length < 12)
            throw new DataSpecException($"{Name}: not a readable Parquet file: {length.ToString(CultureInfo.InvariantCulture)} bytes are too few for a footer (the file is truncated?) (byte offset {length.ToString(CultureInfo.InvariantCulture)})");
        Span<byte> tail = stackalloc byte[8];
        _stream.Position = length - 8;
        _stream.ReadExactly(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8))
            throw new DataSpecException($"{Name}: not a readable Parquet file: it does not end with the magic PAR1, so the footer is missing (the file is truncated?) (byte offset {(length - 4).ToString(CultureInfo.InvariantCulture)})");
        uint footer = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail);
        if (footer > length - 12)
            throw new DataSpecException($"{Name}: not a readable Parquet file: the footer claims {footer.ToString(CultureInfo.InvariantCulture)} bytes, more than the {(length - 12).ToString(CultureInfo.InvariantCulture)} the file holds between its magic numbers (byte offset {(length - 8).ToString(CultureInfo.InvariantCulture)})");
        _stream.Position = 0;
    }

    /// <summary>Exceptions of the Parquet decoder (and of the compressors under it) that mean bad bytes, not a bug of ours or a cancellation.</summary>
    private static bool IsParquetProblem(Exception e) => e is not (OperationCanceledException or OutOfMemoryException or DataSpecException);

    private static string Reason(Exception e)
    {
        string m = e.Message.ReplaceLineEndings(" ");
        return m.Length > 200 ? m[..200] + "…" : m;
    }

    private static bool IsText(Type t) => t == typeof(string) || t == typeof(ReadOnlyMemory<char>) || t == typeof(DateTime) || t == typeof(DateOnly)
        || t == typeof(TimeOnly) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset) || t == typeof(Guid);

    private static string Describe(PqField field) => field switch
    {
        PqDataField { IsArray: true } d => $"a repeated {d.ClrType.Name} column",
        PqDataField d when d.ClrType == typeof(ReadOnlyMemory<byte>) || d.ClrType == typeof(byte[]) => "a binary column",
        PqDataField d => $"a {d.ClrType.Name} column",
        _ => field.SchemaType switch
        {
            PqSchemaType.List => "a list (nested) column",
            PqSchemaType.Map => "a map (nested) column",
            PqSchemaType.Struct => "a struct (nested) column",
            var s => $"a {s.ToString().ToLowerInvariant()} (nested) column",
        },
    };

    private static Column? Map(PqDataField f)
    {
        var t = f.ClrType;
        string type = t.Name;
        var I = CultureInfo.InvariantCulture;
        if (t == typeof(ReadOnlyMemory<char>) || t == typeof(string)) return new(f, "string", Strings);
        if (t == typeof(int)) return new(f, type, (g, d, n, c) => Values<int>(g, d, n, v => Integer(v), c));
        if (t == typeof(long)) return new(f, type, (g, d, n, c) => Values<long>(g, d, n, v => Integer(v), c));
        if (t == typeof(short)) return new(f, type, (g, d, n, c) => Values<short>(g, d, n, v => Integer(v), c));
        if (t == typeof(sbyte)) return new(f, type, (g, d, n, c) => Values<sbyte>(g, d, n, v => Integer(v), c));
        if (t == typeof(byte)) return new(f, type, (g, d, n, c) => Values<byte>(g, d, n, v => Integer(v), c));
        if (t == typeof(ushort)) return new(f, type, (g, d, n, c) => Values<ushort>(g, d, n, v => Integer(v), c));
        if (t == typeof(uint)) return new(f, type, (g, d, n, c) => Values<uint>(g, d, n, v => Integer(v), c));
        if (t == typeof(ulong)) return new(f, type, (g, d, n, c) => Values<ulong>(g, d, n, v => v.ToString(I), c));
        if (t == typeof(float)) return new(f, type, (g, d, n, c) => Values<float>(g, d, n, v => Finite(v) ? v.ToString("R", I) : "", c));
        if (t == typeof(double)) return new(f, type, (g, d, n, c) => Values<double>(g, d, n, v => double.IsFinite(v) ? v.ToString("R", I) : "", c));
        if (t == typeof(decimal)) return new(f, type, (g, d, n, c) => Values<decimal>(g, d, n, v => v.ToString(I), c));
        if (t == typeof(bool)) return new(f, type, (g, d, n, c) => Values<bool>(g, d, n, v => v ? "1" : "0", c));
        if (t == typeof(DateTime)) return new(f, type, (g, d, n, c) => Values<DateTime>(g, d, n, v => v.ToString("O", I), c));
        if (t == typeof(DateOnly)) return new(f, type, (g, d, n, c) => Values<DateOnly>(g, d, n, v => v.ToString("yyyy-MM-dd", I), c));
        if (t == typeof(TimeOnly)) return new(f, type, (g, d, n, c) => Values<TimeOnly>(g, d, n, v => v.ToString("O", I), c));
        if (t == typeof(TimeSpan)) return new(f, type, (g, d, n, c) => Values<TimeSpan>(g, d, n, v => v.ToString("c", I), c));
        if (t == typeof(DateTimeOffset)) return new(f, type, (g, d, n, c) => Values<DateTimeOffset>(g, d, n, v => v.ToString("O", I), c));
        if (t == typeof(Guid)) return new(f, type, (g, d, n, c) => Values<Guid>(g, d, n, v => v.ToString("D"), c));
        return null;
    }

    // Responses are small integers: their text is made once, not once a cell.
    private static readonly string[] s_smallIntegers = [.. Enumerable.Range(0, 1024).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static string Integer(long v) => (ulong)v < (ulong)s_smallIntegers.Length ? s_smallIntegers[v] : v.ToString(CultureInfo.InvariantCulture);

    /// <summary>NaN and ±∞ are not responses: they are missing, as in the other readers.</summary>
    private static bool Finite(float v) => float.IsFinite(v);

    private static string[] Values<T>(Parquet.ParquetRowGroupReader group, PqDataField field, int n, Func<T, string> format, CancellationToken ct) where T : struct
    {
        var text = new string[n];
        if (field.IsNullable)
        {
            var values = new T?[n];
            group.ReadAsync<T>(field, values.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < n; i++) text[i] = values[i] is { } v ? format(v) : "";
        }
        else
        {
            var values = new T[n];
            group.ReadAsync<T>(field, values.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < n; i++) text[i] = format(values[i]);
        }
        return text;
    }

    private static string[] Strings(Parquet.ParquetRowGroupReader group, PqDataField field, int n, CancellationToken ct)
    {
        var values = new string?[n];
        group.ReadAsync(field, values.AsMemory(), null, ct).AsTask().GetAwaiter().GetResult();
        var text = new string[n];
        for (int i = 0; i < n; i++) text[i] = values[i] ?? "";
        return text;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<SourceColumn>? Columns { get; }

    /// <summary>Number of row groups in the file.</summary>
    public int RowGroupCount => _reader.RowGroupCount;

    /// <summary>Rows of the row group decoded now (what memory holds), for tests of the streaming.</summary>
    internal int BufferedRows => _groupRows;

    /// <summary>The row group (1-based) the current row is in; 0 before the first <see cref="Read"/>.</summary>
    public int RowGroup => _groupIndex + 1;

    /// <inheritdoc/>
    public int HeaderLine => 0;

    /// <inheritdoc/>
    public int Line => (int)Math.Min(_row, int.MaxValue);

    /// <inheritdoc/>
    public int FieldCount => _columns.Length;

    /// <inheritdoc/>
    public int BlankLines => 0;

    /// <inheritdoc/>
    public int ExpectedRows { get; }

    /// <inheritdoc/>
    public ReadOnlySpan<char> Field(int index) => _group[index][_rowInGroup];

    /// <inheritdoc/>
    public string RawRow() => $"row {_row.ToString(CultureInfo.InvariantCulture)} (row group {(_groupIndex + 1).ToString(CultureInfo.InvariantCulture)})";

    /// <inheritdoc/>
    public IReadOnlyList<ValidationIssue> TakeFindings() => RecordSources.Drain(_findings);

    /// <inheritdoc/>
    public bool Read()
    {
        _rowInGroup++;
        while (_rowInGroup >= _groupRows)
        {
            if (_groupIndex + 1 >= _reader.RowGroupCount) return false;
            LoadGroup(_groupIndex + 1);
        }
        _row++;
        return true;
    }

    /// <summary>Decodes row group <paramref name="index"/> (0-based): every read column of it, as text.</summary>
    private void LoadGroup(int index)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _group = [];
        _groupIndex = index;
        _rowInGroup = 0;
        _groupRows = 0;
        string where = $"row group {(index + 1).ToString(CultureInfo.InvariantCulture)} of {_reader.RowGroupCount.ToString(CultureInfo.InvariantCulture)}";
        Parquet.ParquetRowGroupReader group;
        try { group = _reader.OpenRowGroupReader(index); }
        catch (Exception e) when (IsParquetProblem(e))
        {
            throw new DataSpecException($"{Name}: not a readable Parquet file: {where} cannot be opened ({Reason(e)})", inner: e);
        }
        using (group)
        {
            long rows = group.RowCount;
            if (rows < 0 || (rows > 0 && _columns.Length > 0 && rows > Limits.MaxParquetRowGroupCells / _columns.Length))
                throw new DataSpecException(string.Create(CultureInfo.InvariantCulture,
                    $"{Name}: {where} holds {rows:N0} rows of {_columns.Length} read columns, more than the {Limits.MaxParquetRowGroupCells:N0} cells read at once (write the file with smaller row groups)"));
            if (_columns.Length == 0) { _groupRows = (int)Math.Min(rows, int.MaxValue); return; }
            var columns = new string[_columns.Length][];
            for (int j = 0; j < _columns.Length; j++)
            {
                var c = _columns[j];
                try { columns[j] = c.Read(group, c.Field, (int)rows, _cancellationToken); }
                catch (Exception e) when (IsParquetProblem(e))
                {
                    throw new DataSpecException($"{Name}: not a readable Parquet file: {where}, column '{c.Field.Name}' ({c.TypeName}) cannot be decoded ({Reason(e)})", inner: e);
                }
            }
            _group = columns;
            _groupRows = (int)rows;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }
}
