using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Alliance.Analytics.Data;

/// <summary>
/// The Stata dataset format (<c>.dta</c>) as an input format: releases 117 (Stata 13), 118 (Stata 14–18) and 119
/// (more than 32,767 variables), and the older binary releases 113 (Stata 8–9), 114 (Stata 10–11) and 115 (Stata 12). Written from
/// StataCorp's published description (<c>help dta</c>, <c>dta_117</c>, <c>dta_119</c>, <c>dta_115</c>, <c>dta_113</c>): no NuGet
/// package reads these files.
/// </summary>
public sealed class DtaFormat : ISourceFormat
{
    /// <inheritdoc/>
    public string Name => "dta";

    /// <inheritdoc/>
    public ImmutableArray<string> Extensions { get; } = [".dta"];

    /// <inheritdoc/>
    public string Summary => "Stata dataset (.dta releases 113, 114, 115, 117, 118, 119; either byte order): variables, variable labels, value labels, missing values . and .a–.z, strL";

    /// <inheritdoc/>
    public bool Recognizes(ReadOnlySpan<byte> head) =>
        head.StartsWith("<stata_dta>"u8)
        || (head.Length >= 4 && head[0] is 113 or 114 or 115 && head[1] is 1 or 2 && head[2] == 1 && head[3] == 0);

    /// <inheritdoc/>
    public IRecordSource Open(string path, DataSpec spec, CancellationToken cancellationToken)
    {
        var stream = TextInput.Open(path);
        Stream? strls = null;
        try
        {
            if (!stream.CanSeek) return new DtaReader(stream, path, spec.Encoding);   // refused there, by name
            strls = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            return new DtaReader(new BufferedStream(stream, 1 << 16), path, spec.Encoding, strls);
        }
        catch { strls?.Dispose(); stream.Dispose(); throw; }
    }
}

/// <summary>
/// Reads a Stata <c>.dta</c> file observation by observation (<see cref="IRecordSource"/>). The header, the
/// variable descriptors, the value-label tables and an index of the strL objects (offsets only, not their text) are
/// read on construction; observations are then decoded one at a time from the data section, in either byte order.
/// Numbers are handed over in invariant round-trip form (floats by their shortest float form); the missing values
/// <c>.</c> and <c>.a</c>–<c>.z</c> as empty fields, i.e. missing, with the code kept in <see cref="MissingCode"/>.
/// String variables (<c>str1</c>–<c>str2045</c> and <c>strL</c>) are declared <see cref="ColumnKind.Text"/> and
/// decoded as UTF-8 (release 118 and later) or Windows-1252 (earlier releases), unless DataSpec.Encoding says
/// otherwise. Variable labels and value labels (the label set a variable names) are declared on the columns; labels
/// of extended missing values are not category anchors: their codes are declared in
/// <see cref="SourceColumn.MissingCodes"/> (<c>.a</c> …) and their texts in <see cref="MissingLabels"/>. Every count and
/// offset in the file is checked against the bytes there are before anything is allocated, so a truncated or lying
/// file is a <see cref="DataSpecException"/> naming the file, the byte offset and what was expected.
/// </summary>
public sealed class DtaReader : IRecordSource
{
    private const int MaxLabelSets = 1_000_000;
    private readonly Stream _stream;
    private readonly Stream? _strlStream;   // a second handle on the file for strLs, so the data's read buffer is kept
    private readonly long _length;
    private long _offset;
    private bool _swap;      // the file is MSF (big-endian)
    private int _release;
    private readonly byte[] _scratch = new byte[16];
    private Variable[] _variables = [];
    private string[] _fields = [];
    private string?[] _missing = [];
    private byte[] _row = [];
    private int _rowWidth;
    private long _observations;
    private long _observation;
    private long _dataStart;
    private Encoding _encoding = Windows1252();
    private readonly Dictionary<(long V, long O), (long At, int Length, bool Ascii)> _strls = [];

    /// <summary>Opens a Stata file from <paramref name="stream"/>, which must be seekable (value labels and strLs follow the data).</summary>
    /// <param name="stream">The file's bytes (not disposed until this reader is).</param>
    /// <param name="name">Name for messages.</param>
    /// <param name="encoding">Encoding that overrides the file's own (DataSpec.Encoding), or null.</param>
    /// <param name="strlStream">
    /// A second, seekable handle on the same bytes from which strL values are read as observations refer to them (so
    /// the sequential read of the data is not interrupted), or null to seek in <paramref name="stream"/>. Disposed with this reader.
    /// </param>
    /// <exception cref="DataSpecException">When the bytes are not a readable Stata file.</exception>
    public DtaReader(Stream stream, string name, string? encoding = null, Stream? strlStream = null)
    {
        _stream = stream;
        _strlStream = strlStream;
        Name = name;
        if (!stream.CanSeek) throw new DataSpecException($"{name}: a Stata file is read from a regular file, not a pipe (its value labels and long strings follow the data)");
        _length = stream.Length;
        ReadHeader(encoding);
    }

    /// <summary>Reads a whole file, for tests and fuzzing: throws only <see cref="DataSpecException"/> on bad bytes.</summary>
    /// <returns>The number of observations read.</returns>
    public static int ReadAll(Stream stream, string name = "input.dta")
    {
        using var reader = new DtaReader(stream, name);
        int n = 0;
        while (reader.Read()) { for (int i = 0; i < reader.FieldCount; i++) _ = reader.Field(i); n++; }
        return n;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The file's release: 113, 114, 115, 117, 118 or 119.</summary>
    public int Release => _release;

    /// <summary>True when the file is MSF (most significant byte first).</summary>
    public bool BigEndian => _swap;

    /// <summary>The dataset label; empty when none.</summary>
    public string DataLabel { get; private set; } = "";

    /// <summary>Number of observations the header declares.</summary>
    public long Observations => _observations;

    /// <summary>
    /// Labels of extended missing values, by column name: for a column whose label set labels <c>.a</c> ("refused"),
    /// <c>{".a": "refused"}</c>. Columns without such labels are absent.
    /// </summary>
    public ImmutableDictionary<string, ImmutableSortedDictionary<string, string>> MissingLabels { get; private set; } =
        ImmutableDictionary<string, ImmutableSortedDictionary<string, string>>.Empty;

    /// <inheritdoc/>
    public IReadOnlyList<SourceColumn>? Columns { get; private set; }

    /// <inheritdoc/>
    public int HeaderLine => 0;

    /// <inheritdoc/>
    public int Line => (int)Math.Min(_observation, int.MaxValue);

    /// <inheritdoc/>
    public int FieldCount => _variables.Length;

    /// <inheritdoc/>
    public int BlankLines => 0;

    /// <inheritdoc/>
    public int ExpectedRows => (int)Math.Min(_observations, int.MaxValue);

    /// <inheritdoc/>
    public ReadOnlySpan<char> Field(int index) => _fields[index];

    /// <summary>
    /// The missing-value code of field <paramref name="index"/> in the current observation: <c>"."</c> (system
    /// missing), <c>".a"</c>–<c>".z"</c> (extended missing), or null when the field holds a value (or is a string).
    /// </summary>
    public string? MissingCode(int index) => _missing[index];

    /// <inheritdoc/>
    public string RawRow() => $"observation {_observation.ToString(CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public void Dispose()
    {
        _strlStream?.Dispose();
        _stream.Dispose();
    }

    private DataSpecException Bad(string what, long? at = null) =>
        new($"{Name}: not a readable Stata file: {what} (byte offset {(at ?? _offset).ToString(CultureInfo.InvariantCulture)})");

    // ---- low-level reading ----

    private enum StorageType { Str, StrL, Byte, Int, Long, Float, Double }

    private sealed class Variable
    {
        public StorageType Type;
        public int Width;        // bytes in an observation
        public int StrWidth;     // str#: #
        public string Name = "";
        public string LabelSet = "";
        public string? Label;
        public int Offset;       // within an observation
    }

    private void ReadExactly(Span<byte> buffer, string what)
    {
        int got = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length) throw Bad($"the file ends inside {what} ({buffer.Length.ToString(CultureInfo.InvariantCulture)} bytes expected, {got.ToString(CultureInfo.InvariantCulture)} found)", _offset + got);
        _offset += buffer.Length;
    }

    private byte[] Bytes(long count, string what)
    {
        if (count < 0 || count > _length - _offset) throw Bad($"{what} of {count.ToString(CultureInfo.InvariantCulture)} bytes is longer than the rest of the file");
        var b = new byte[count];
        ReadExactly(b, what);
        return b;
    }

    private void Skip(long count, string what)
    {
        if (count < 0 || count > _length - _offset) throw Bad($"{what} of {count.ToString(CultureInfo.InvariantCulture)} bytes is longer than the rest of the file");
        Seek(_offset + count);
    }

    private void Seek(long at)
    {
        _stream.Position = at;
        _offset = at;
    }

    private ulong Unsigned(int bytes, string what)
    {
        Span<byte> b = _scratch.AsSpan(0, bytes);
        ReadExactly(b, what);
        return Unsigned(b);
    }

    private ulong Unsigned(ReadOnlySpan<byte> b)
    {
        ulong x = 0;
        if (_swap) foreach (byte c in b) x = (x << 8) | c;
        else for (int i = b.Length - 1; i >= 0; i--) x = (x << 8) | b[i];
        return x;
    }

    private int Int32(ReadOnlySpan<byte> b) => _swap ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b);

    private void Expect(ReadOnlySpan<byte> tag)
    {
        long at = _offset;
        Span<byte> b = stackalloc byte[tag.Length];
        int got = _stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
        if (got < b.Length || !b.SequenceEqual(tag))
            throw Bad(got < b.Length ? $"the file ends where {Encoding.ASCII.GetString(tag)} was expected" : $"{Encoding.ASCII.GetString(tag)} expected, found \"{Printable(b)}\"", at);
        _offset += tag.Length;
    }

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder(b.Length);
        foreach (byte c in b) sb.Append(c is >= 0x20 and < 0x7f ? (char)c : '?');
        return sb.ToString();
    }

    private string Text(ReadOnlySpan<byte> b)
    {
        int end = b.IndexOf((byte)0);
        return Decode(end < 0 ? b : b[..end]);
    }

    private string Decode(ReadOnlySpan<byte> b)
    {
        try { return _encoding.GetString(b); }
        catch (DecoderFallbackException) { throw Bad($"text that is not valid {_encoding.WebName}"); }
    }

    private static Encoding Windows1252()
    {
        try { return Encoding.GetEncoding(1252); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException) { return Encoding.Latin1; }
    }

    // ---- the header and descriptors ----

    private void ReadHeader(string? encodingOverride)
    {
        Span<byte> head = stackalloc byte[11];
        int got = _stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        _stream.Position = 0;
        if (got >= 11 && head.SequenceEqual("<stata_dta>"u8)) ReadTagged(encodingOverride);
        else if (got >= 4 && head[0] is 113 or 114 or 115 && head[1] is 1 or 2 && head[2] == 1) ReadOld(encodingOverride);
        else if (got >= 4 && head[0] is >= 102 and <= 112 && head[1] is 1 or 2 && head[2] == 1)
            throw new DataSpecException($"{Name}: Stata file release {head[0].ToString(CultureInfo.InvariantCulture)} (Stata 7 or earlier) is not read; save it again in Stata 8 or later (release 113–119)");
        else throw new DataSpecException($"{Name}: not a Stata file (it does not begin with <stata_dta> or a release 113–115 header)");
    }

    /// <summary>Releases 117, 118 and 119: tagged sections located by the map.</summary>
    private void ReadTagged(string? encodingOverride)
    {
        Expect("<stata_dta><header><release>"u8);
        long at = _offset;
        var release = Bytes(3, "the release");
        _release = release.AsSpan().SequenceEqual("117"u8) ? 117 : release.AsSpan().SequenceEqual("118"u8) ? 118 : release.AsSpan().SequenceEqual("119"u8) ? 119 : 0;
        if (_release == 0) throw Bad($"release \"{Printable(release)}\" (117, 118 or 119 expected)", at);
        Expect("</release><byteorder>"u8);
        at = _offset;
        var order = Bytes(3, "the byte order");
        if (order.AsSpan().SequenceEqual("MSF"u8)) _swap = true;
        else if (!order.AsSpan().SequenceEqual("LSF"u8)) throw Bad($"byte order \"{Printable(order)}\" (MSF or LSF expected)", at);
        _encoding = encodingOverride is { Length: > 0 } ? TextInput.Resolve(encodingOverride) ?? _encoding
            : _release >= 118 ? new UTF8Encoding(false) : Windows1252();
        bool wide = _release >= 118;
        Expect("</byteorder><K>"u8);
        at = _offset;
        ulong k = Unsigned(_release == 119 ? 4 : 2, "the number of variables");
        Expect("</K><N>"u8);
        long nAt = _offset;
        ulong n = Unsigned(wide ? 8 : 4, "the number of observations");
        Expect("</N><label>"u8);
        int labelLength = (int)Unsigned(wide ? 2 : 1, "the dataset label length");
        DataLabel = Text(Bytes(labelLength, "the dataset label"));
        Expect("</label><timestamp>"u8);
        int stampLength = (int)Unsigned(1, "the timestamp length");
        Skip(stampLength, "the timestamp");
        Expect("</timestamp></header><map>"u8);

        long mapAt = _offset;
        var map = new long[14];
        for (int i = 0; i < map.Length; i++)
        {
            ulong m = Unsigned(8, "the map");
            if (m > (ulong)_length) throw Bad($"map entry {(i + 1).ToString(CultureInfo.InvariantCulture)} points at byte {m.ToString(CultureInfo.InvariantCulture)}, past the end of the file ({_length.ToString(CultureInfo.InvariantCulture)} bytes): the file is truncated or corrupt", mapAt + 8 * i);
            map[i] = (long)m;
            if (i > 0 && map[i] < map[i - 1]) throw Bad($"map entry {(i + 1).ToString(CultureInfo.InvariantCulture)} ({map[i].ToString(CultureInfo.InvariantCulture)}) comes before entry {i.ToString(CultureInfo.InvariantCulture)} ({map[i - 1].ToString(CultureInfo.InvariantCulture)})", mapAt + 8 * i);
        }
        Expect("</map>"u8);

        // K descriptors need at least 2 (type) + names + formats + label names + labels bytes each: a lying K is refused here.
        int nameLength = wide ? 129 : 33, formatLength = wide ? 57 : 49, labelLen = wide ? 321 : 81;
        long perVariable = 2 + nameLength + 2 + formatLength + nameLength + labelLen;
        if (k > (ulong)((_length - _offset) / perVariable)) throw Bad($"{k.ToString(CultureInfo.InvariantCulture)} variables cannot be described in the {(_length - _offset).ToString(CultureInfo.InvariantCulture)} bytes that follow", at);
        int count = (int)k;
        _variables = new Variable[count];

        Seek(map[2]);
        Expect("<variable_types>"u8);
        int rowWidth = 0;
        for (int i = 0; i < count; i++)
        {
            long typeAt = _offset;
            int type = (int)Unsigned(2, "the variable types");
            var v = new Variable { Offset = rowWidth };
            switch (type)
            {
                case >= 1 and <= 2045: v.Type = StorageType.Str; v.StrWidth = type; v.Width = type; break;
                case 32768: v.Type = StorageType.StrL; v.Width = 8; break;
                case 65526: v.Type = StorageType.Double; v.Width = 8; break;
                case 65527: v.Type = StorageType.Float; v.Width = 4; break;
                case 65528: v.Type = StorageType.Long; v.Width = 4; break;
                case 65529: v.Type = StorageType.Int; v.Width = 2; break;
                case 65530: v.Type = StorageType.Byte; v.Width = 1; break;
                default: throw Bad($"variable {(i + 1).ToString(CultureInfo.InvariantCulture)} has storage type {type.ToString(CultureInfo.InvariantCulture)} (1–2045 for str#, 32768 strL, 65526–65530 numeric expected)", typeAt);
            }
            rowWidth += v.Width;
            _variables[i] = v;
        }
        Expect("</variable_types>"u8);

        Seek(map[3]);
        Expect("<varnames>"u8);
        for (int i = 0; i < count; i++) _variables[i].Name = Text(Bytes(nameLength, "the variable names"));
        Expect("</varnames>"u8);
        // Sort list and display formats are not needed to read values.
        Seek(map[6]);
        Expect("<value_label_names>"u8);
        for (int i = 0; i < count; i++) _variables[i].LabelSet = Text(Bytes(nameLength, "the value-label names"));
        Expect("</value_label_names>"u8);
        Seek(map[7]);
        Expect("<variable_labels>"u8);
        for (int i = 0; i < count; i++) { string label = Text(Bytes(labelLen, "the variable labels")); _variables[i].Label = label.Length > 0 ? label : null; }
        Expect("</variable_labels>"u8);

        // The data section must hold exactly N observations of the row width.
        Seek(map[9]);
        Expect("<data>"u8);
        long dataBytes = map[10] - map[9] - "<data></data>"u8.Length;
        if (dataBytes < 0 || (rowWidth == 0 ? dataBytes != 0 : n != (ulong)(dataBytes / rowWidth) || dataBytes % rowWidth != 0))
            throw Bad($"the header declares {n.ToString(CultureInfo.InvariantCulture)} observations of {rowWidth.ToString(CultureInfo.InvariantCulture)} bytes, but the data section holds {Math.Max(dataBytes, 0).ToString(CultureInfo.InvariantCulture)} bytes", nAt);
        _dataStart = _offset;
        _observations = rowWidth == 0 ? 0 : (long)n;
        _rowWidth = rowWidth;
        Seek(map[10] - "</data>"u8.Length);
        Expect("</data><strls>"u8);
        if (_variables.Any(v => v.Type == StorageType.StrL)) IndexStrls(map[11] - "</strls>"u8.Length);
        Seek(map[11] - "</strls>"u8.Length);
        Expect("</strls><value_labels>"u8);
        var sets = ReadLabelTables(wide ? 129 : 33, tagged: true, end: map[12]);
        Finish(sets);
    }

    /// <summary>Index of the strL objects (GSO): (v,o) → where its contents are; contents are read when an observation refers to them.</summary>
    private void IndexStrls(long end)
    {
        int oBytes = _release == 117 ? 4 : 8;
        while (_offset < end)
        {
            long at = _offset;
            var gso = Bytes(Math.Min(3, end - _offset), "a strL object");
            if (!gso.AsSpan().SequenceEqual("GSO"u8)) throw Bad($"a strL object (GSO) expected, found \"{Printable(gso)}\"", at);
            long v = (long)Unsigned(4, "a strL header");
            long o = (long)Unsigned(oBytes, "a strL header");
            byte t = (byte)Unsigned(1, "a strL header");
            long len = (long)Unsigned(4, "a strL header");
            if (t is not (129 or 130)) throw Bad($"strL ({v.ToString(CultureInfo.InvariantCulture)},{o.ToString(CultureInfo.InvariantCulture)}) has type {t.ToString(CultureInfo.InvariantCulture)} (129 binary or 130 ASCII expected)", at + 3 + 4 + oBytes);
            if (len > end - _offset || len > int.MaxValue) throw Bad($"strL ({v.ToString(CultureInfo.InvariantCulture)},{o.ToString(CultureInfo.InvariantCulture)}) claims {len.ToString(CultureInfo.InvariantCulture)} bytes, more than its section holds", at);
            if (!_strls.TryAdd((v, o), (_offset, (int)len, t == 130))) throw Bad($"strL ({v.ToString(CultureInfo.InvariantCulture)},{o.ToString(CultureInfo.InvariantCulture)}) is defined twice", at);
            Skip(len, "a strL");
        }
        if (_offset != end) throw Bad("the strL section does not end where the map says", _offset);
    }

    /// <summary>Releases 113, 114 and 115: a fixed header, descriptors, expansion fields, data, then value labels to the end.</summary>
    private void ReadOld(string? encodingOverride)
    {
        var header = Bytes(4, "the header");
        _release = header[0];
        _swap = header[1] == 1;
        _encoding = encodingOverride is { Length: > 0 } ? TextInput.Resolve(encodingOverride) ?? _encoding : Windows1252();
        long at = _offset;
        int count = (int)Unsigned(2, "the number of variables");
        long nAt = _offset;
        ulong n = Unsigned(4, "the number of observations");
        DataLabel = Text(Bytes(81, "the dataset label"));
        Skip(18, "the timestamp");
        int formatLength = _release == 113 ? 12 : 49;
        long perVariable = 1 + 33 + 2 + formatLength + 33 + 81;
        if (count > (_length - _offset) / perVariable) throw Bad($"{count.ToString(CultureInfo.InvariantCulture)} variables cannot be described in the {(_length - _offset).ToString(CultureInfo.InvariantCulture)} bytes that follow", at);
        _variables = new Variable[count];
        var types = Bytes(count, "the variable types");
        int rowWidth = 0;
        for (int i = 0; i < count; i++)
        {
            var v = new Variable { Offset = rowWidth };
            switch (types[i])
            {
                case >= 1 and <= 244: v.Type = StorageType.Str; v.StrWidth = types[i]; v.Width = types[i]; break;
                case 251: v.Type = StorageType.Byte; v.Width = 1; break;
                case 252: v.Type = StorageType.Int; v.Width = 2; break;
                case 253: v.Type = StorageType.Long; v.Width = 4; break;
                case 254: v.Type = StorageType.Float; v.Width = 4; break;
                case 255: v.Type = StorageType.Double; v.Width = 8; break;
                default: throw Bad($"variable {(i + 1).ToString(CultureInfo.InvariantCulture)} has storage type {types[i].ToString(CultureInfo.InvariantCulture)} (1–244 for str#, 251–255 numeric expected)", _offset - count + i);
            }
            rowWidth += v.Width;
            _variables[i] = v;
        }
        for (int i = 0; i < count; i++) _variables[i].Name = Text(Bytes(33, "the variable names"));
        Skip(2L * (count + 1), "the sort list");
        Skip((long)formatLength * count, "the display formats");
        for (int i = 0; i < count; i++) _variables[i].LabelSet = Text(Bytes(33, "the value-label names"));
        for (int i = 0; i < count; i++) { string label = Text(Bytes(81, "the variable labels")); _variables[i].Label = label.Length > 0 ? label : null; }
        // Expansion fields (characteristics): type byte and 4-byte length, until type 0 length 0.
        while (true)
        {
            long fieldAt = _offset;
            int type = (int)Unsigned(1, "an expansion field");
            long len = (long)Unsigned(4, "an expansion field");
            if (type == 0 && len == 0) break;
            if (type != 1) throw Bad($"expansion field type {type.ToString(CultureInfo.InvariantCulture)} (1, or 0 to end, expected)", fieldAt);
            Skip(len, "an expansion field");
        }
        _dataStart = _offset;
        if (rowWidth > 0 && n > (ulong)((_length - _offset) / rowWidth))
            throw Bad($"the header declares {n.ToString(CultureInfo.InvariantCulture)} observations of {rowWidth.ToString(CultureInfo.InvariantCulture)} bytes, but only {(_length - _offset).ToString(CultureInfo.InvariantCulture)} bytes follow the descriptors", nAt);
        _observations = rowWidth == 0 ? 0 : (long)n;
        _rowWidth = rowWidth;
        Seek(_dataStart + _observations * rowWidth);
        var sets = ReadLabelTables(33, tagged: false, end: _length);
        Finish(sets);
    }

    /// <summary>Value-label tables, by name: values (integers) → labels.</summary>
    private Dictionary<string, SortedDictionary<int, string>> ReadLabelTables(int nameLength, bool tagged, long end)
    {
        var sets = new Dictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
        while (true)
        {
            long at = _offset;
            if (tagged)
            {
                Span<byte> peek = _scratch.AsSpan(0, 5);
                ReadExactly(peek, "the value labels");
                if (!peek.SequenceEqual("<lbl>"u8))
                {
                    Seek(at);
                    Expect("</value_labels>"u8);
                    if (_offset != end) throw Bad("the value labels do not end where the map says", _offset);
                    return sets;
                }
            }
            else if (_offset >= end) return sets;
            if (sets.Count >= MaxLabelSets) throw Bad($"more than {MaxLabelSets} value-label sets", at);
            long len = (long)Unsigned(4, "a value-label table");
            string name = Text(Bytes(nameLength, "a value-label name"));
            Skip(3, "a value-label table");
            long tableAt = _offset;
            if (len < 8 || len > end - _offset) throw Bad($"value-label table {name} claims {len.ToString(CultureInfo.InvariantCulture)} bytes, {(len < 8 ? "fewer than its counts take" : "more than the file holds")}", at);
            var table = Bytes(len, "a value-label table");
            int n = Int32(table), textLength = Int32(table.AsSpan(4));
            if (n < 0 || textLength < 0 || 8L + 8L * n + textLength != len)
                throw Bad($"value-label table {name}: {n.ToString(CultureInfo.InvariantCulture)} entries and {textLength.ToString(CultureInfo.InvariantCulture)} bytes of text do not make its {len.ToString(CultureInfo.InvariantCulture)} bytes", tableAt);
            var labels = new SortedDictionary<int, string>();
            var text = table.AsSpan(8 + 8 * n);
            for (int i = 0; i < n; i++)
            {
                int off = Int32(table.AsSpan(8 + 4 * i));
                int value = Int32(table.AsSpan(8 + 4 * n + 4 * i));
                if (off < 0 || off >= textLength) throw Bad($"value-label table {name}: entry {(i + 1).ToString(CultureInfo.InvariantCulture)} points at text byte {off.ToString(CultureInfo.InvariantCulture)} of {textLength.ToString(CultureInfo.InvariantCulture)}", tableAt + 8 + 4 * i);
                labels[value] = Text(text[off..]);
            }
            sets[name] = labels;
            if (tagged) Expect("</lbl>"u8);
        }
    }

    private const int MaxLongValue = 2_147_483_620;

    private void Finish(Dictionary<string, SortedDictionary<int, string>> sets)
    {
        _fields = new string[_variables.Length];
        _missing = new string?[_variables.Length];
        if (_observations > 0) _row = new byte[_rowWidth];   // bounded: N observations of this width are in the file
        var missingLabels = ImmutableDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, string>>();
        var columns = new List<SourceColumn>(_variables.Length);
        foreach (var v in _variables)
        {
            bool numeric = v.Type is not (StorageType.Str or StorageType.StrL);
            var anchors = ImmutableSortedDictionary.CreateBuilder<double, string>();
            var missing = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            if (numeric && v.LabelSet.Length > 0 && sets.TryGetValue(v.LabelSet, out var set))
                foreach (var (value, label) in set)
                {
                    // Labels of .  .a … .z are stored at the long type's missing codes (2,147,483,621 + k).
                    if (value > MaxLongValue) missing[MissingName(value - MaxLongValue - 1)] = label;
                    else anchors[value] = label;
                }
            if (missing.Count > 0) missingLabels[v.Name] = missing.ToImmutable();
            columns.Add(new SourceColumn(v.Name, numeric ? ColumnKind.Number : ColumnKind.Text, v.Label)
            {
                MissingCodes = [.. missing.Keys],
                ValueLabels = anchors.ToImmutable(),
            });
        }
        MissingLabels = missingLabels.ToImmutable();
        Columns = columns;
        Seek(_dataStart);
    }

    private static string MissingName(int code) => code <= 0 ? "." : code <= 26 ? "." + (char)('a' + code - 1) : ".";

    // ---- observations ----

    /// <inheritdoc/>
    public bool Read()
    {
        if (_observation >= _observations) return false;
        long at = _offset;
        ReadExactly(_row, $"observation {(_observation + 1).ToString(CultureInfo.InvariantCulture)}");
        _observation++;
        for (int i = 0; i < _variables.Length; i++)
        {
            var v = _variables[i];
            var b = _row.AsSpan(v.Offset, v.Width);
            _missing[i] = null;
            switch (v.Type)
            {
                case StorageType.Str:
                    _fields[i] = Text(b);
                    break;
                case StorageType.StrL:
                    _fields[i] = StrL(b, i, at + v.Offset);
                    break;
                case StorageType.Byte:
                    Integer(i, (sbyte)b[0], 100);
                    break;
                case StorageType.Int:
                    Integer(i, (short)Unsigned(b), 32_740);
                    break;
                case StorageType.Long:
                    Integer(i, (int)Unsigned(b), MaxLongValue);
                    break;
                case StorageType.Float:
                {
                    int bits = (int)Unsigned(b);
                    float f = BitConverter.Int32BitsToSingle(bits);
                    if (float.IsNaN(f) || f > MaxFloat || float.IsInfinity(f)) Missing(i, bits > 0x7f000000 ? (bits - 0x7f000000) >> 11 : 0);
                    else _fields[i] = f.ToString("R", CultureInfo.InvariantCulture);
                    break;
                }
                case StorageType.Double:
                {
                    long bits = (long)Unsigned(b);
                    double d = BitConverter.Int64BitsToDouble(bits);
                    if (double.IsNaN(d) || d > MaxDouble || double.IsInfinity(d)) Missing(i, bits > 0x7fe0000000000000 ? (int)Math.Min((bits - 0x7fe0000000000000) >> 40, 27) : 0);
                    else _fields[i] = d.ToString("R", CultureInfo.InvariantCulture);
                    break;
                }
            }
        }
        return true;
    }

    private static readonly float MaxFloat = BitConverter.Int32BitsToSingle(0x7effffff);
    private static readonly double MaxDouble = BitConverter.Int64BitsToDouble(0x7fdfffffffffffff);

    private void Integer(int i, long value, long max)
    {
        if (value > max) Missing(i, (int)(value - max - 1));
        else _fields[i] = value.ToString(CultureInfo.InvariantCulture);
    }

    private void Missing(int i, int code)
    {
        _fields[i] = "";
        _missing[i] = MissingName(code);
    }

    private string StrL(ReadOnlySpan<byte> b, int variable, long at)
    {
        int vBytes = _release switch { 117 => 4, 118 => 2, _ => 3 };
        long v = (long)Unsigned(b[..vBytes]), o = (long)Unsigned(b[vBytes..]);
        if (v == 0 && o == 0) return "";
        if (!_strls.TryGetValue((v, o), out var gso)
            // Release 119 splits (v,o) 3 + 5 bytes; ReadStat (R haven, pandas via pyreadstat) writes 119 files with 118's 2 + 6.
            && !(_release == 119 && _strls.TryGetValue(((long)Unsigned(b[..2]), (long)Unsigned(b[2..])), out gso)))
            throw Bad($"observation {_observation.ToString(CultureInfo.InvariantCulture)}, variable {_variables[variable].Name} refers to strL ({v.ToString(CultureInfo.InvariantCulture)},{o.ToString(CultureInfo.InvariantCulture)}), which the file does not define", at);
        byte[] bytes;
        if (_strlStream is { } side)
        {
            side.Position = gso.At;
            bytes = new byte[gso.Length];   // bounded by the strL section when it was indexed
            int got = side.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length) throw Bad($"the file ends inside strL ({v.ToString(CultureInfo.InvariantCulture)},{o.ToString(CultureInfo.InvariantCulture)}) (it changed while being read?)", gso.At + got);
        }
        else
        {
            long back = _offset;
            Seek(gso.At);
            bytes = Bytes(gso.Length, "a strL");
            Seek(back);
        }
        var text = bytes.AsSpan();
        if (gso.Ascii && text.Length > 0 && text[^1] == 0) text = text[..^1];
        return Decode(text);
    }
}
