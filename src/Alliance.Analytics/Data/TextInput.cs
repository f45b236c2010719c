using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Alliance.Analytics.Data;

/// <summary>
/// Opening text files as they are written: the path <c>-</c> is standard input, pipes and FIFOs are opened once and
/// read as streams, and the encoding is a byte-order mark's, the one named in <see cref="DataSpec.Encoding"/>, or
/// strict UTF-8 (never a silent U+FFFD).
/// </summary>
internal static class TextInput
{
    /// <summary>The path that names standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>Longest record (header or data row) read, in characters: 16 Mi (documented in docs/data-format.md).</summary>
    public const int MaxRecordChars = Limits.MaxRecordCharacters;

    /// <summary>True for <c>-</c> (standard input).</summary>
    public static bool IsStandardInput(string path) => path == StandardInput;

    /// <summary>True when <paramref name="path"/> names an existing input: a file, a FIFO or device, or <c>-</c>.</summary>
    public static bool Exists(string path) => IsStandardInput(path) || File.Exists(path);

    /// <summary>True for a regular file (not a FIFO, pipe, device or standard input), which may be opened more than once.</summary>
    public static bool IsRegularFile(string path)
    {
        if (IsStandardInput(path)) return false;
        try
        {
            return FileIdentity.Kind(FileIdentity.RealPath(path)) == FileKind.Regular;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Opens <paramref name="path"/> for one sequential read (standard input for <c>-</c>).</summary>
    public static Stream Open(string path) => IsStandardInput(path)
        ? Console.OpenStandardInput()
        : new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, BufferSize = 0, Options = FileOptions.SequentialScan });

    /// <summary>
    /// The encoding named by <paramref name="name"/>, or null for "detect" (null, empty or "auto"). UTF-8, Latin-1
    /// (ISO-8859-1) and UTF-16 are built in; code pages such as cp1252 need their provider registered by the host.
    /// </summary>
    /// <exception cref="DataSpecException">When the name is not an encoding this process knows.</exception>
    public static Encoding? Resolve(string? name)
    {
        string n = (name ?? "").Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal);
        switch (n)
        {
            case "" or "auto": return null;
            case "utf-8" or "utf8": return new UTF8Encoding(false, throwOnInvalidBytes: true);
            case "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" or "l1": return Encoding.Latin1;
            case "utf-16" or "utf-16le" or "utf16" or "utf16le": return new UnicodeEncoding(false, false, throwOnInvalidBytes: true);
            case "utf-16be" or "utf16be": return new UnicodeEncoding(true, false, throwOnInvalidBytes: true);
        }
        string lookup = n is "windows1252" or "win1252" ? "windows-1252" : n;
        try
        {
            return n.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(n.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int page)
                ? Encoding.GetEncoding(page)
                : Encoding.GetEncoding(lookup);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new DataSpecException(
                $"unknown text encoding '{name}' (DataSpec.Encoding): use utf-8, latin1, cp1252, utf-16le or utf-16be", e, "DataSpec.Encoding");
        }
    }

    /// <summary>Counts line breaks (LF, CRLF and CR alone each once) in <paramref name="text"/>; <paramref name="afterCr"/> carries a CR at the end of one span to the next.</summary>
    public static int CountLineBreaks(ReadOnlySpan<char> text, ref bool afterCr)
    {
        int count = 0;
        int i = 0;
        while (true)
        {
            int k = text[i..].IndexOfAny('\r', '\n');
            if (k < 0)
            {
                if (i < text.Length) afterCr = false;
                return count;
            }
            i += k;
            if (text[i] == '\r') { count++; afterCr = true; }
            else
            {
                if (!(k == 0 && afterCr)) count++;
                afterCr = false;
            }
            i++;
        }
    }

    /// <summary>Line breaks in a span that starts on a line of its own (no CR carried in).</summary>
    public static int CountLineBreaks(ReadOnlySpan<char> text)
    {
        bool afterCr = false;
        return CountLineBreaks(text, ref afterCr);
    }
}

/// <summary>A problem with the text itself (encoding, quoting, length), with where it was found.</summary>
internal sealed class SourceTextException(string code, int? line, string? value, string message) : Exception(message)
{
    /// <summary>The offending value (the byte, in hex), or null.</summary>
    public string? Value { get; } = value;

    /// <summary>Finding code ("encoding", "quoting", "record_too_long").</summary>
    public string Code { get; } = code;

    /// <summary>Line where the problem was found, or null.</summary>
    public int? Line { get; } = line;
}

/// <summary>
/// Decodes a byte stream strictly: a byte-order mark (UTF-8, UTF-16 LE/BE) or the given encoding, else UTF-8, and
/// bytes that do not decode stop the read with a <see cref="SourceTextException"/> naming line and byte offset (after
/// every character before them has been handed out). Tracks lines itself, so the error line is true for LF, CRLF and
/// CR-only files.
/// </summary>
internal sealed class CheckedTextReader : TextReader
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly Decoder? _decoder; // null: UTF-8 through Utf8.ToUtf16
    private readonly byte[] _bytes = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _bStart, _bEnd;
    private long _offset; // file offset of _bytes[_bStart]
    private bool _eof;
    private char[] _chars = ArrayPool<char>.Shared.Rent(1 << 16);
    private int _cStart, _cEnd;
    private int _line;
    private bool _afterCr;
    private SourceTextException? _pending;
    private int _badIndex;

    /// <summary>Reads <paramref name="stream"/> (owned) as <paramref name="encoding"/>, or detects it when null.</summary>
    /// <param name="stream">The bytes; disposed with the reader.</param>
    /// <param name="name">File name for messages.</param>
    /// <param name="encoding">Encoding to use, or null to detect (BOM, else strict UTF-8).</param>
    /// <param name="firstLine">Line of the first byte (for a chunk of a file).</param>
    /// <param name="firstOffset">File offset of the first byte (for a chunk of a file).</param>
    /// <param name="detectBom">False for a chunk that does not start the file.</param>
    public CheckedTextReader(Stream stream, string name, Encoding? encoding, int firstLine = 1, long firstOffset = 0, bool detectBom = true)
    {
        _stream = stream;
        _name = name;
        _line = firstLine;
        _offset = firstOffset;
        if (detectBom)
        {
            FillBytes(4);
            var head = _bytes.AsSpan(_bStart, _bEnd - _bStart);
            // UTF-16 without a byte-order mark is valid UTF-8 (ASCII and NULs): refuse it rather than read garbage names.
            if (encoding is null && head.Length >= 4 && ((head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0) || (head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0)))
                _pending = new SourceTextException("encoding", 1, null,
                    $"byte offset 0: the file looks like UTF-16 {(head[1] == 0 ? "little" : "big")}-endian without a byte-order mark; set DataSpec.Encoding to {(head[1] == 0 ? "utf-16le" : "utf-16be")}");
            if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) && (encoding is null || encoding is UTF8Encoding))
            {
                Skip(3);
                encoding = null;
            }
            else if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) && (encoding is null || encoding is UnicodeEncoding))
            {
                Skip(2);
                encoding = new UnicodeEncoding(false, false, throwOnInvalidBytes: true);
            }
            else if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) && (encoding is null || encoding is UnicodeEncoding))
            {
                Skip(2);
                encoding = new UnicodeEncoding(true, false, throwOnInvalidBytes: true);
            }
        }
        if (encoding is not null and not UTF8Encoding)
        {
            var strict = (Encoding)encoding.Clone();
            strict.DecoderFallback = DecoderFallback.ExceptionFallback;
            _decoder = strict.GetDecoder();
        }
        DetectedEncoding = encoding is null or UTF8Encoding ? "UTF-8" : encoding.WebName;
    }

    /// <summary>The encoding in force ("UTF-8", "utf-16BE", "iso-8859-1" …).</summary>
    public string DetectedEncoding { get; }

    private void Skip(int n)
    {
        _bStart += n;
        _offset += n;
    }

    /// <summary>Reads until at least <paramref name="min"/> bytes are buffered or the stream ends.</summary>
    private void FillBytes(int min)
    {
        if (_bStart > 0 && _bEnd - _bStart < min)
        {
            Buffer.BlockCopy(_bytes, _bStart, _bytes, 0, _bEnd - _bStart);
            _bEnd -= _bStart;
            _bStart = 0;
        }
        while (!_eof && _bEnd - _bStart < min && _bEnd < _bytes.Length)
        {
            int n = _stream.Read(_bytes, _bEnd, _bytes.Length - _bEnd);
            if (n == 0) _eof = true;
            else _bEnd += n;
        }
    }

    /// <summary>Decodes more characters after those buffered; false at the end of the stream.</summary>
    private bool FillChars()
    {
        if (_pending is not null) throw _pending;
        if (_cStart > 0)
        {
            Array.Copy(_chars, _cStart, _chars, 0, _cEnd - _cStart);
            _cEnd -= _cStart;
            _cStart = 0;
        }
        if (_chars.Length - _cEnd < 4) // room for a surrogate pair, so a conversion always makes progress
        {
            var bigger = ArrayPool<char>.Shared.Rent(_chars.Length * 2);
            Array.Copy(_chars, bigger, _cEnd);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = bigger;
        }
        while (true)
        {
            if (_bEnd - _bStart < 8) FillBytes(8);
            var src = _bytes.AsSpan(_bStart, _bEnd - _bStart);
            var dst = _chars.AsSpan(_cEnd);
            int read, written;
            bool invalid = false;
            if (_decoder is null)
            {
                var status = Utf8.ToUtf16(src, dst, out read, out written, replaceInvalidSequences: false, isFinalBlock: _eof);
                invalid = status == OperationStatus.InvalidData;
            }
            else
            {
                try
                {
                    _decoder.Convert(src, dst, _eof, out read, out written, out _);
                }
                catch (DecoderFallbackException e)
                {
                    // The block is not converted: the offset is the bad byte's (Index within the block), the line the block's.
                    read = 0;
                    written = 0;
                    invalid = true;
                    _badIndex = Math.Max(e.Index, 0);
                }
            }
            _line += TextInput.CountLineBreaks(dst[..written], ref _afterCr);
            _bStart += read;
            _offset += read;
            _cEnd += written;
            if (invalid)
            {
                _pending = InvalidBytes();
                if (written > 0) return true;
                throw _pending;
            }
            if (written > 0) return true;
            if (_eof && _bStart == _bEnd) return false;
            if (_eof && read == 0) return false;
        }
    }

    private SourceTextException InvalidBytes()
    {
        int at = Math.Min(_bStart + _badIndex, _bEnd - 1);
        string hex = at >= _bStart ? _bytes[at].ToString("X2", CultureInfo.InvariantCulture) : "";
        string what = DetectedEncoding;
        string offset = (_offset + (at - _bStart)).ToString(CultureInfo.InvariantCulture);
        string advice = what == "UTF-8"
            ? "; if the file was saved as Latin-1 or Windows-1252 (common for exports from Excel or SPSS), set DataSpec.Encoding to latin1 or cp1252. " +
              "Nothing was replaced: a character such as é is never guessed"
            : "";
        return new SourceTextException("encoding", _line, hex.Length == 0 ? null : "0x" + hex,
            $"byte offset {offset}: byte 0x{hex} is not valid {what} text{advice}");
    }

    /// <inheritdoc/>
    public override int Peek()
    {
        if (_cStart == _cEnd && !FillChars()) return -1;
        return _chars[_cStart];
    }

    /// <inheritdoc/>
    public override int Read()
    {
        if (_cStart == _cEnd && !FillChars()) return -1;
        return _chars[_cStart++];
    }

    /// <inheritdoc/>
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    /// <inheritdoc/>
    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_cStart == _cEnd && !FillChars()) return 0;
        int n = Math.Min(buffer.Length, _cEnd - _cStart);
        _chars.AsSpan(_cStart, n).CopyTo(buffer);
        _cStart += n;
        return n;
    }

    /// <inheritdoc/>
    public override int ReadBlock(char[] buffer, int index, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = Read(buffer.AsSpan(index + total, count - total));
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// The start of the first line, without consuming it (up to <paramref name="max"/> characters), for delimiter
    /// detection on a stream that can be read only once.
    /// </summary>
    public string PeekFirstLine(int max = 1 << 16)
    {
        while (true)
        {
            var have = _chars.AsSpan(_cStart, _cEnd - _cStart);
            int nl = have.IndexOfAny('\r', '\n');
            if (nl >= 0) return have[..nl].ToString();
            if (have.Length >= max) return have[..max].ToString();
            try
            {
                if (!FillChars()) return have.ToString();
            }
            catch (SourceTextException)
            {
                return _chars.AsSpan(_cStart, _cEnd - _cStart).ToString(); // the error is raised again on the first read
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
            ArrayPool<byte>.Shared.Return(_bytes);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
        base.Dispose(disposing);
    }
}

/// <summary>The text encodings a data file may be read in (<see cref="DataSpec.Encoding"/>).</summary>
public static class TextEncodings
{
    /// <summary>
    /// True when <paramref name="name"/> names an encoding this process can decode: utf-8, latin1 (ISO-8859-1),
    /// utf-16le and utf-16be always; code pages such as cp1252 once their provider is registered
    /// (<c>Encoding.RegisterProvider(CodePagesEncodingProvider.Instance)</c>, which the command line does).
    /// </summary>
    public static bool IsKnown(string name)
    {
        try
        {
            TextInput.Resolve(name);
            return true;
        }
        catch (DataSpecException)
        {
            return false;
        }
    }
}
