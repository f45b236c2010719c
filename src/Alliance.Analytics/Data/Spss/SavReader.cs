using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Alliance.Analytics.Data;

/// <summary>
/// The SPSS system file format (<c>.sav</c>, and <c>.zsav</c> with ZLIB-compressed data) as an input format.
/// Written from the format description in the PSPP manual ("System File Format", appendix of the PSPP
/// Developers Guide): no NuGet package reads these files.
/// </summary>
public sealed class SavFormat : ISourceFormat
{
    /// <inheritdoc/>
    public string Name => "sav";

    /// <inheritdoc/>
    public ImmutableArray<string> Extensions { get; } = [".sav", ".zsav"];

    /// <inheritdoc/>
    public string Summary => "SPSS system file (.sav uncompressed or bytecode-compressed, .zsav ZLIB): variables, labels, user-missing values, value labels";

    /// <inheritdoc/>
    public bool Recognizes(ReadOnlySpan<byte> head) => head.Length >= 4 && (head[..4].SequenceEqual("$FL2"u8) || head[..4].SequenceEqual("$FL3"u8));

    /// <inheritdoc/>
    public IRecordSource Open(string path, DataSpec spec, CancellationToken cancellationToken)
    {
        var stream = TextInput.Open(path);
        try { return new SavReader(stream, path, spec.Encoding); }
        catch { stream.Dispose(); throw; }
    }
}

/// <summary>
/// Reads an SPSS system file record by record (<see cref="IRecordSource"/>). The dictionary is read on construction;
/// cases are decoded one at a time from uncompressed, bytecode-compressed or ZLIB-compressed data, in either byte order.
/// Numeric values are handed over in invariant round-trip form; system-missing and user-missing values (discrete
/// values and ranges, declared in <see cref="SourceColumn.MissingCodes"/>) as empty fields, i.e. missing. String
/// variables (declared <see cref="ColumnKind.Text"/>) are decoded by the file's encoding record (subtype 20), else its
/// character code (subtype 3), else Windows-1252, and trimmed of trailing blanks; very long strings (subtype 14) are
/// joined from their segments. Every count in the file is checked against the bytes that remain, so a lying header
/// cannot cause a large allocation; any structural problem is a <see cref="DataSpecException"/> naming the file and
/// the byte offset.
/// </summary>
public sealed class SavReader : IRecordSource
{
    private const int MaxVariables = 1_000_000;
    private readonly Stream _stream;
    private readonly long _length;
    private long _offset;
    private bool _swap;
    private readonly byte[] _eight = new byte[8];
    private readonly List<Slot> _slots = [];          // one per 8-byte unit of a case
    private readonly List<Variable> _variables = [];  // one per variable (very long strings merged)
    private string[] _fields = [];
    private int[] _slotCounts = [];
    private int _case;
    private int _compression;
    private double _bias = 100;
    private double _sysmis = -double.MaxValue;
    private Encoding _encoding = CodePage(1252);
    private Stream? _data;   // case data (decompressed for .zsav)
    private readonly byte[] _commands = new byte[8];
    private int _command = 8;
    private bool _ended;

    /// <summary>Opens a system file from <paramref name="stream"/> (read forward only; not disposed until this reader is).</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="name">Name for messages.</param>
    /// <param name="encoding">Encoding that overrides the file's own (DataSpec.Encoding), or null.</param>
    /// <exception cref="DataSpecException">When the bytes are not a readable system file.</exception>
    public SavReader(Stream stream, string name, string? encoding = null)
    {
        _stream = stream;
        Name = name;
        _length = stream.CanSeek ? stream.Length : long.MaxValue;
        ReadDictionary(encoding);
    }

    /// <summary>Reads a whole system file, for tests and fuzzing: throws only <see cref="DataSpecException"/> on bad bytes.</summary>
    /// <returns>The number of cases read.</returns>
    public static int ReadAll(Stream stream, string name = "input.sav")
    {
        using var reader = new SavReader(stream, name);
        int n = 0;
        while (reader.Read()) { for (int i = 0; i < reader.FieldCount; i++) _ = reader.Field(i); n++; }
        return n;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<SourceColumn>? Columns { get; private set; }

    /// <inheritdoc/>
    public int HeaderLine => 0;

    /// <inheritdoc/>
    public int Line => _case;

    /// <inheritdoc/>
    public int FieldCount => _variables.Count;

    /// <inheritdoc/>
    public int BlankLines => 0;

    /// <inheritdoc/>
    public int ExpectedRows { get; private set; }

    /// <summary>The file label (header), trimmed; empty when none.</summary>
    public string FileLabel { get; private set; } = "";

    /// <summary>Lines of the documents record (type 6).</summary>
    public ImmutableArray<string> Documents { get; private set; } = [];

    /// <inheritdoc/>
    public ReadOnlySpan<char> Field(int index) => _fields[index];

    /// <inheritdoc/>
    public string RawRow() => $"case {_case}";

    /// <inheritdoc/>
    public void Dispose() { _data?.Dispose(); _stream.Dispose(); }

    private DataSpecException Bad(string what, long? at = null) => new($"{Name}: not a readable SPSS system file: {what} (byte offset {(at ?? _offset).ToString(CultureInfo.InvariantCulture)})");

    // ---- low-level reading of the dictionary ----

    private void ReadExactly(Span<byte> buffer)
    {
        int got = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length) throw Bad($"the file ends inside a record ({buffer.Length} bytes expected, {got} found)", _offset + got);
        _offset += buffer.Length;
    }

    private byte[] Bytes(long count, string what)
    {
        if (count < 0 || count > _length - _offset) throw Bad($"{what} of {count.ToString(CultureInfo.InvariantCulture)} bytes is longer than the rest of the file");
        var b = new byte[count];
        ReadExactly(b);
        return b;
    }

    private int Int32()
    {
        Span<byte> b = _eight.AsSpan(0, 4);
        ReadExactly(b);
        return _swap ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    private double Float64()
    {
        ReadExactly(_eight);
        return ToDouble(_eight);
    }

    private long Int64()
    {
        ReadExactly(_eight);
        return _swap ? BinaryPrimitives.ReadInt64BigEndian(_eight) : BinaryPrimitives.ReadInt64LittleEndian(_eight);
    }

    private double ToDouble(ReadOnlySpan<byte> b) => _swap ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b);

    private int Count(int value, long unit, string what)
    {
        if (value < 0 || unit * value > _length - _offset) throw Bad($"{what} {value.ToString(CultureInfo.InvariantCulture)} is impossible for the rest of the file", _offset - 4);
        return value;
    }

    private static Encoding CodePage(int page)
    {
        try
        {
            return page switch
            {
                65001 => new UTF8Encoding(false),
                28591 => Encoding.Latin1,
                20127 or 2 => Encoding.ASCII,
                _ => Encoding.GetEncoding(page),
            };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return page == 1252 ? Encoding.Latin1 : new UTF8Encoding(false);
        }
    }

    // ---- the dictionary ----

    private sealed class Slot
    {
        public int Variable;   // index into _variables
        public bool IsString;
    }

    private sealed class Variable
    {
        public string ShortName = "";
        public string Name = "";
        public int Width;                 // 0 numeric, else bytes
        public int FirstSlot;
        public int Slots;
        public string? Label;
        public double[] MissingValues = [];
        public (double Low, double High)? MissingRange;
        public byte[][] MissingStrings = [];
        public SortedDictionary<double, string> ValueLabels = [];
        public bool Continues;            // a later segment of a very long string: merged into the previous variable
    }

    private void ReadDictionary(string? encodingOverride)
    {
        var header = new byte[176];
        int got = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < 4 || !(header.AsSpan(0, 4).SequenceEqual("$FL2"u8) || header.AsSpan(0, 4).SequenceEqual("$FL3"u8)))
            throw new DataSpecException($"{Name}: not an SPSS system file (it does not begin with $FL2 or $FL3)");
        if (got < 176) throw Bad("the file ends inside the file header", got);
        _offset = 176;
        bool zlib = header[3] == (byte)'3';
        int layout = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(64));
        if (layout is not (2 or 3))
        {
            _swap = true;
            layout = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(64));
            if (layout is not (2 or 3)) throw Bad($"layout code {layout.ToString(CultureInfo.InvariantCulture)} in either byte order", 64);
        }
        int I(int at) => _swap ? BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(at)) : BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(at));
        _compression = I(72);
        if (_compression is not (0 or 1 or 2) || (_compression == 2) != zlib) throw Bad($"compression code {_compression.ToString(CultureInfo.InvariantCulture)} for a {(zlib ? "$FL3" : "$FL2")} file", 72);
        int cases = I(80);
        ExpectedRows = cases > 0 ? cases : 0;
        _bias = _swap ? BinaryPrimitives.ReadDoubleBigEndian(header.AsSpan(84)) : BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(84));
        FileLabel = Encoding.Latin1.GetString(header, 109, 64).TrimEnd();

        var longNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var veryLong = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var labelSets = new List<(List<(byte[] Value, byte[] Label)> Labels, int[] Vars)>();
        var longLabels = new List<(string Var, int Width, List<(byte[] Value, byte[] Label)> Labels)>();
        var rawLabels = new List<(Variable V, byte[] Label)>();
        var docs = new List<string>();
        string? encodingName = null;
        int characterCode = 0;

        while (true)
        {
            long at = _offset;
            int type = Int32();
            switch (type)
            {
                case 2: ReadVariable(rawLabels); break;
                case 3:
                {
                    int n = Count(Int32(), 9, "value label count");
                    var labels = new List<(byte[], byte[])>(Math.Min(n, 4096));
                    for (int i = 0; i < n; i++)
                    {
                        var value = Bytes(8, "a value");
                        var len = _eight.AsSpan(0, 1);
                        ReadExactly(len);
                        int padded = ((len[0] + 1 + 7) / 8 * 8) - 1;
                        var text = Bytes(padded, "a value label");
                        labels.Add((value, text.AsSpan(0, len[0]).ToArray()));   // decoded below, once the encoding is known
                    }
                    if (Int32() != 4) throw Bad("a value label record (type 3) is not followed by its variable list (type 4)", _offset - 4);
                    int nv = Count(Int32(), 4, "variable count of value labels");
                    var vars = new int[nv];
                    for (int i = 0; i < nv; i++) vars[i] = Int32();
                    labelSets.Add((labels, vars));
                    break;
                }
                case 6:
                {
                    int n = Count(Int32(), 80, "document line count");
                    for (int i = 0; i < n; i++) docs.Add(Encoding.Latin1.GetString(Bytes(80, "a document line")).TrimEnd());
                    break;
                }
                case 7:
                {
                    int subtype = Int32();
                    int size = Int32();
                    int count = Int32();
                    if (size < 0 || count < 0 || (long)size * count > _length - _offset)
                        throw Bad($"extension record {subtype.ToString(CultureInfo.InvariantCulture)} claims {size.ToString(CultureInfo.InvariantCulture)} × {count.ToString(CultureInfo.InvariantCulture)} bytes", at);
                    var data = Bytes((long)size * count, "an extension record");
                    switch (subtype)
                    {
                        case 3 when size == 4 && count >= 8:
                            characterCode = _swap ? BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(28)) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(28));
                            break;
                        case 4 when size == 8 && count >= 1:
                            _sysmis = ToDouble(data);
                            break;
                        case 13:
                            foreach (string pair in Encoding.UTF8.GetString(data).Split('\t', StringSplitOptions.RemoveEmptyEntries))
                                if (pair.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq) longNames[pair[..eq]] = pair[(eq + 1)..];
                            break;
                        case 14:
                            foreach (string pair in Encoding.UTF8.GetString(data).Split(['\t', '\0'], StringSplitOptions.RemoveEmptyEntries))
                                if (pair.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq
                                    && int.TryParse(pair.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int width) && width > 255 && width <= 32767)
                                    veryLong[pair[..eq]] = width;
                            break;
                        case 20:
                            encodingName = Encoding.ASCII.GetString(data).Trim('\0', ' ');
                            break;
                        case 21:
                            longLabels.AddRange(ParseLongStringLabels(data, at));
                            break;
                    }
                    break;
                }
                case 999:
                    Int32();
                    // With no variable a case has no bytes, so Read() returned a case forever (a hang found by fuzzing).
                    if (_variables.Count == 0) throw Bad("the dictionary ends (record type 999) before any variable record (type 2)", at);
                    goto Done;
                default:
                    throw Bad($"unknown record type {type.ToString(CultureInfo.InvariantCulture)}", at);
            }
        }
    Done:
        _encoding = encodingOverride is { Length: > 0 } ? TextInput.Resolve(encodingOverride) ?? _encoding
            : encodingName is { Length: > 0 } ? ResolveName(encodingName)
            : characterCode > 0 ? CodePage(characterCode) : _encoding;
        Documents = [.. docs];
        foreach (var (v, label) in rawLabels) v.Label = _encoding.GetString(label).TrimEnd();

        // Names: long names (subtype 13) by short name; very long strings (subtype 14) merge their segments.
        for (int i = 0; i < _variables.Count; i++)
        {
            var v = _variables[i];
            v.Name = longNames.TryGetValue(v.ShortName, out var ln) ? ln : v.ShortName;
            if (veryLong.TryGetValue(v.ShortName, out int width) && v.Width > 0)
            {
                int segments = (width + 251) / 252;
                if (i + segments > _variables.Count) throw Bad($"very long string {v.Name} needs {segments} segments, more than the variables that follow");
                v.Width = width;
                for (int s = 1; s < segments; s++)
                {
                    var seg = _variables[i + s];
                    if (seg.Width == 0) throw Bad($"very long string {v.Name}: segment {s + 1} is numeric");
                    seg.Continues = true;
                }
            }
        }
        // Map 1-based dictionary indices (8-byte units) to variables for the value labels.
        var bySlot = new Dictionary<int, Variable>();
        foreach (var v in _variables) bySlot[v.FirstSlot + 1] = v;
        foreach (var (labels, vars) in labelSets)
            foreach (int index in vars)
            {
                if (!bySlot.TryGetValue(index, out var v)) throw Bad($"value labels name dictionary index {index.ToString(CultureInfo.InvariantCulture)}, which is no variable");
                if (v.Width != 0) continue;   // short string value labels: not category anchors
                foreach (var (value, label) in labels) v.ValueLabels[ToDouble(value)] = _encoding.GetString(label);
            }
        _ = longLabels;

        // Slots → variables (segments of very long strings belong to the first segment's variable).
        var merged = new List<Variable>();
        foreach (var v in _variables)
        {
            if (!v.Continues) merged.Add(v);
            for (int s = 0; s < v.Slots; s++) _slots[v.FirstSlot + s].Variable = merged.Count - 1;
        }
        _variables.Clear();
        _variables.AddRange(merged);
        _slotCounts = new int[merged.Count];
        foreach (var s in _slots) _slotCounts[s.Variable]++;
        _fields = new string[_variables.Count];
        Columns = [.. _variables.Select(v => new SourceColumn(v.Name, v.Width == 0 ? ColumnKind.Number : ColumnKind.Text, v.Label)
        {
            MissingCodes = [.. MissingCodes(v)],
            ValueLabels = v.ValueLabels.ToImmutableSortedDictionary(),
        })];
        _data = _compression == 2 ? OpenZlibData() : _stream;
    }

    private static Encoding ResolveName(string name)
    {
        string n = name.ToLowerInvariant();
        if (n is "utf-8" or "utf8") return new UTF8Encoding(false);
        if (n.StartsWith("windows-", StringComparison.Ordinal) && int.TryParse(n.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out int page)) return CodePage(page);
        if (n.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(n.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out page)) return CodePage(page);
        try { return Encoding.GetEncoding(name); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException) { return n.Contains("8859-1", StringComparison.Ordinal) ? Encoding.Latin1 : CodePage(1252); }
    }

    private IEnumerable<string> MissingCodes(Variable v)
    {
        foreach (double m in v.MissingValues) yield return m.ToString("R", CultureInfo.InvariantCulture);
        if (v.MissingRange is { } r)
            yield return $"{(r.Low <= -double.MaxValue ? "LOWEST" : r.Low.ToString("R", CultureInfo.InvariantCulture))} THRU {(r.High >= double.MaxValue ? "HIGHEST" : r.High.ToString("R", CultureInfo.InvariantCulture))}";
        foreach (var s in v.MissingStrings) yield return _encoding.GetString(s).TrimEnd();
    }

    private void ReadVariable(List<(Variable, byte[])> rawLabels)
    {
        long at = _offset - 4;
        int width = Int32();
        int hasLabel = Int32();
        int nMissing = Int32();
        Int32(); Int32();   // print and write formats
        var name = Bytes(8, "a variable name");
        if (width == -1)
        {
            // Continuation of the previous string variable: one more 8-byte unit.
            if (_variables.Count == 0 || _variables[^1].Width == 0) throw Bad("a continuation record follows no string variable", at);
            _variables[^1].Slots++;
            _slots.Add(new Slot { IsString = true });
            if (hasLabel != 0 || nMissing != 0) throw Bad("a continuation record has a label or missing values", at);
            return;
        }
        if (width is < 0 or > 255) throw Bad($"variable width {width.ToString(CultureInfo.InvariantCulture)}", at);
        if (_variables.Count >= MaxVariables) throw Bad($"more than {MaxVariables} variables", at);
        var v = new Variable { ShortName = Encoding.ASCII.GetString(name).TrimEnd(' ', '\0'), Width = width, FirstSlot = _slots.Count, Slots = 1 };
        _slots.Add(new Slot { IsString = width > 0 });
        if (hasLabel == 1)
        {
            int len = Count(Int32(), 1, "variable label length");
            var label = Bytes((len + 3) / 4 * 4, "a variable label");
            rawLabels.Add((v, label.AsSpan(0, len).ToArray()));
        }
        else if (hasLabel != 0) throw Bad($"variable label flag {hasLabel.ToString(CultureInfo.InvariantCulture)}", at);
        if (nMissing is < -3 or > 3 or -1) throw Bad($"missing value count {nMissing.ToString(CultureInfo.InvariantCulture)}", at);
        if (width == 0)
        {
            if (nMissing < 0) { double lo = Float64(), hi = Float64(); v.MissingRange = (lo, hi); }
            int discrete = nMissing switch { -3 => 1, -2 => 0, _ => nMissing };
            v.MissingValues = [.. Enumerable.Range(0, discrete).Select(_ => Float64())];
        }
        else
        {
            if (nMissing < 0) throw Bad("a string variable has a missing-value range", at);
            v.MissingStrings = [.. Enumerable.Range(0, nMissing).Select(_ => Bytes(8, "a missing value"))];
        }
        _variables.Add(v);
    }

    private List<(string, int, List<(byte[], byte[])>)> ParseLongStringLabels(byte[] data, long at)
    {
        // Kept for completeness of parsing (bounds are checked); long string labels are not category anchors.
        var result = new List<(string, int, List<(byte[], byte[])>)>();
        int p = 0;
        int Next()
        {
            if (p + 4 > data.Length) throw Bad("long string value labels end early", at);
            int x = _swap ? BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(p)) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(p));
            p += 4;
            return x;
        }
        byte[] Take(int n)
        {
            if (n < 0 || p + (long)n > data.Length) throw Bad("long string value labels end early", at);
            var b = data.AsSpan(p, n).ToArray();
            p += n;
            return b;
        }
        while (p < data.Length)
        {
            string var = Encoding.ASCII.GetString(Take(Next()));
            int width = Next();
            int n = Next();
            if (n < 0 || n > data.Length) throw Bad("long string value label count", at);
            var labels = new List<(byte[], byte[])>();
            for (int i = 0; i < n; i++) labels.Add((Take(Next()), Take(Next())));
            result.Add((var, width, labels));
        }
        return result;
    }

    private Stream OpenZlibData()
    {
        long at = _offset;
        long zheader = Int64(), ztrailer = Int64(), ztrailerLength = Int64();
        if (zheader != at || ztrailer < _offset || ztrailerLength < 24 || ztrailer > _length - ztrailerLength || !_stream.CanSeek)
            throw Bad("the ZLIB data header does not point at its trailer", at);
        long dataStart = _offset;
        _stream.Position = ztrailer;
        _offset = ztrailer;
        Int64(); Int64();   // bias, zero
        Int32();            // block size
        int blocks = Count(Int32(), 24, "ZLIB block count");
        var list = new List<(long Compressed, int CompressedSize, int Size)>(blocks);
        for (int i = 0; i < blocks; i++)
        {
            Int64();
            long compressedAt = Int64();
            int size = Int32(), compressedSize = Int32();
            if (compressedAt < dataStart || compressedSize < 0 || size < 0 || compressedAt + compressedSize > ztrailer)
                throw Bad($"ZLIB block {i + 1} lies outside the data", _offset - 24);
            list.Add((compressedAt, compressedSize, size));
        }
        _stream.Position = dataStart;
        _offset = dataStart;
        return new ZlibBlocks(_stream, list, Name);
    }

    /// <summary>The decompressed bytes of a .zsav file's blocks, read one block at a time.</summary>
    private sealed class ZlibBlocks(Stream file, List<(long Compressed, int CompressedSize, int Size)> blocks, string name) : Stream
    {
        private int _block = -1;
        private byte[] _buffer = [];
        private int _pos;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            while (_pos >= _buffer.Length)
            {
                if (++_block >= blocks.Count) return 0;
                var (at, compressedSize, size) = blocks[_block];
                file.Position = at;
                var compressed = new byte[compressedSize];
                if (file.ReadAtLeast(compressed, compressedSize, throwOnEndOfStream: false) < compressedSize)
                    throw new DataSpecException($"{name}: not a readable SPSS system file: ZLIB block {_block + 1} is cut off (byte offset {at.ToString(CultureInfo.InvariantCulture)})");
                _buffer = new byte[size];
                try
                {
                    using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
                    int got = z.ReadAtLeast(_buffer, size, throwOnEndOfStream: false);
                    if (got != size) throw new InvalidDataException("short block");
                }
                catch (InvalidDataException)
                {
                    throw new DataSpecException($"{name}: not a readable SPSS system file: ZLIB block {_block + 1} is corrupt (byte offset {at.ToString(CultureInfo.InvariantCulture)})");
                }
                _pos = 0;
            }
            int n = Math.Min(destination.Length, _buffer.Length - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination);
            _pos += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // ---- cases ----

    /// <summary>Reads one 8-byte unit of case data; false at a clean end of data (before the first unit of a case only).</summary>
    private bool Unit(Span<byte> unit, bool isString, bool first, out bool sysmis)
    {
        sysmis = false;
        if (_compression == 0)
        {
            int got = _data!.ReadAtLeast(unit, 8, throwOnEndOfStream: false);
            if (got == 0 && first) return false;
            if (got < 8) throw Bad($"the data end inside case {_case}");
            return true;
        }
        while (true)
        {
            if (_command == 8)
            {
                int got = _data!.ReadAtLeast(_commands, 8, throwOnEndOfStream: false);
                if (got == 0 && first) return false;
                if (got < 8)
                {
                    // A final, partial block of commands is allowed only when the rest is end-of-data codes.
                    if (first && _commands.AsSpan(0, got).IndexOfAnyExcept((byte)0, (byte)252) < 0) return false;
                    throw Bad($"the compressed data end inside case {_case}");
                }
                _command = 0;
            }
            byte code = _commands[_command++];
            switch (code)
            {
                case 0: continue;
                case 252:
                    if (first) { _ended = true; return false; }
                    throw Bad($"the compressed data end inside case {_case}");
                case 253:
                    if (_data!.ReadAtLeast(unit, 8, throwOnEndOfStream: false) < 8) throw Bad($"the compressed data end inside case {_case}");
                    return true;
                case 254:
                    if (!isString) throw Bad($"compression code 254 (blanks) for a numeric value in case {_case}");
                    unit.Fill((byte)' ');
                    return true;
                case 255:
                    sysmis = true;
                    return true;
                default:
                    double value = code - _bias;
                    if (_swap) BinaryPrimitives.WriteDoubleBigEndian(unit, value); else BinaryPrimitives.WriteDoubleLittleEndian(unit, value);
                    return true;
            }
        }
    }

    /// <inheritdoc/>
    public bool Read()
    {
        if (_ended) return false;
        Span<byte> unit = stackalloc byte[8];
        _case++;
        int slot = 0;
        for (int vi = 0; vi < _variables.Count; vi++)
        {
            var v = _variables[vi];
            if (v.Width == 0)
            {
                if (!Unit(unit, false, slot == 0, out bool sysmis)) { _ended = true; _case--; return false; }
                slot++;
                double x = sysmis ? _sysmis : ToDouble(unit);
                _fields[vi] = x == _sysmis || double.IsNaN(x) || IsUserMissing(v, x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);
                continue;
            }
            // A string: its slots (all segments of a very long string), each segment contributing at most 255 bytes (252 but the last).
            var bytes = new List<byte>(v.Width);
            int slots = _slotCounts[vi];
            int segmentBytes = 0, segmentIndex = 0, segmentSlots = SegmentSlots(v, 0);
            for (int s = 0; s < slots; s++)
            {
                if (!Unit(unit, true, slot == 0, out bool sysmis)) { _ended = true; _case--; return false; }
                slot++;
                if (sysmis) throw Bad($"compression code 255 (system-missing) for string {v.Name} in case {_case}");
                foreach (byte b in unit)
                {
                    if (segmentBytes < SegmentWidth(v, segmentIndex) && bytes.Count < v.Width) bytes.Add(b);
                    segmentBytes++;
                }
                if (--segmentSlots == 0) { segmentIndex++; segmentBytes = 0; segmentSlots = SegmentSlots(v, segmentIndex); }
            }
            string text = _encoding.GetString([.. bytes]).TrimEnd(' ', '\0');
            _fields[vi] = v.MissingStrings.Any(m => _encoding.GetString(m).TrimEnd() == text) ? "" : text;
        }
        return true;
    }

    // Very long strings: (width + 251) / 252 segments, each but the last 255 bytes wide on disk (32 units); the value's
    // bytes run on through the segments, 255 to a segment, as R haven (ReadStat) writes and reads them.
    private static int SegmentWidth(Variable v, int segment) => v.Width <= 255 ? v.Width : segment < (v.Width + 251) / 252 - 1 ? 255 : Math.Max(0, v.Width - 255 * segment);

    private static int SegmentSlots(Variable v, int segment)
    {
        if (v.Width <= 255) return (v.Width + 7) / 8;
        int segments = (v.Width + 251) / 252;
        int width = segment < segments - 1 ? 255 : v.Width - 252 * segment;
        return (width + 7) / 8;
    }

    private static bool IsUserMissing(Variable v, double x)
    {
        foreach (double m in v.MissingValues) if (m == x) return true;
        return v.MissingRange is { } r && x >= r.Low && x <= r.High;
    }
}
