using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Data;

/// <summary>
/// Writes a table as an SPSS system file (<c>.sav</c>, bytecode-compressed, little-endian, UTF-8), so SPSS users can
/// merge scores back into their data: numeric columns as numeric variables (missing as system-missing), text columns
/// as string variables (up to 255 bytes), each column's header as its long variable name (record 7.13) and variable
/// label, the file's encoding declared (record 7.20). Layout as in the PSPP manual's "System File Format".
/// </summary>
public static class SavWriter
{
    private const double SystemMissing = -double.MaxValue;

    /// <summary>Writes <paramref name="table"/> to <paramref name="stream"/>.</summary>
    /// <param name="stream">Destination (written forward only).</param>
    /// <param name="table">Columns and rows; a column is numeric when every non-null cell is a number.</param>
    /// <param name="fileLabel">File label (at most 64 bytes are kept).</param>
    /// <exception cref="ArgumentException">When a text cell is longer than 255 bytes in UTF-8.</exception>
    public static void Write(Stream stream, ResultTable table, string? fileLabel = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(table);
        var utf8 = new UTF8Encoding(false);
        int n = table.Columns.Count;
        var numeric = new bool[n];
        var widths = new int[n];
        for (int j = 0; j < n; j++)
        {
            numeric[j] = table.Rows.All(r => r[j] is null || IsNumber(r[j]));
            if (!numeric[j])
                widths[j] = Math.Max(1, table.Rows.Select(r => utf8.GetByteCount(Text(r[j]))).DefaultIfEmpty(1).Max());
            if (widths[j] > 255) throw new ArgumentException($"column {table.Columns[j].Header}: text longer than 255 bytes cannot be written to a .sav file", nameof(table));
        }
        var names = VariableNames([.. table.Columns.Select(c => c.Header)]);
        int slots = Enumerable.Range(0, n).Sum(j => numeric[j] ? 1 : (widths[j] + 7) / 8);

        var w = new BinaryWriter(stream, utf8, leaveOpen: true);
        void Pad(string s, int length) { var b = new byte[length]; b.AsSpan().Fill((byte)' '); utf8.GetBytes(s.Length > length ? s[..length] : s).AsSpan(0, Math.Min(length, utf8.GetByteCount(s))).CopyTo(b); w.Write(b); }

        // File header (176 bytes).
        w.Write("$FL2"u8);
        Pad("@(#) SPSS DATA FILE Alliance.Analytics", 60);
        w.Write(2);                       // layout code
        w.Write(slots);                   // nominal case size
        w.Write(1);                       // bytecode compression
        w.Write(0);                       // no weight variable
        w.Write(table.Rows.Count);
        w.Write(100.0);                   // compression bias
        var now = DateTime.UtcNow;
        Pad(now.ToString("dd MMM yy", CultureInfo.InvariantCulture), 9);
        Pad(now.ToString("HH:mm:ss", CultureInfo.InvariantCulture), 8);
        Pad(fileLabel ?? "", 64);
        Pad("", 3);

        // Variable records.
        for (int j = 0; j < n; j++)
        {
            int width = numeric[j] ? 0 : widths[j];
            int decimals = numeric[j] ? Decimals(table.Columns[j]) : 0;
            int format = numeric[j] ? (5 << 16) | (Math.Max(8, decimals + 6) << 8) | decimals : (1 << 16) | (width << 8);
            w.Write(2); w.Write(width); w.Write(1); w.Write(0); w.Write(format); w.Write(format);
            Pad(names[j].Short, 8);
            byte[] label = utf8.GetBytes(table.Columns[j].Header);
            if (label.Length > 255) label = label[..255];
            w.Write(label.Length);
            w.Write(label);
            w.Write(new byte[(4 - label.Length % 4) % 4]);
            for (int c = 1; c < (width + 7) / 8; c++)
            {
                w.Write(2); w.Write(-1); w.Write(0); w.Write(0); w.Write(0); w.Write(0);
                Pad("", 8);
            }
        }

        // Machine integer info (7.3), float info (7.4), long names (7.13), encoding (7.20), terminator (999).
        w.Write(7); w.Write(3); w.Write(4); w.Write(8);
        foreach (int x in new[] { 1, 0, 0, -1, 1, 1, 2, 65001 }) w.Write(x);
        w.Write(7); w.Write(4); w.Write(8); w.Write(3);
        w.Write(SystemMissing); w.Write(double.MaxValue); w.Write(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(-double.MaxValue) - 1));
        byte[] longNames = utf8.GetBytes(string.Join('\t', names.Select(x => x.Short + "=" + x.Long)));
        w.Write(7); w.Write(13); w.Write(1); w.Write(longNames.Length); w.Write(longNames);
        byte[] encoding = "UTF-8"u8.ToArray();
        w.Write(7); w.Write(20); w.Write(1); w.Write(encoding.Length); w.Write(encoding);
        w.Write(999); w.Write(0);

        // Cases, bytecode-compressed: blocks of 8 command bytes, each followed by the raw 8-byte units it announces.
        var commands = new byte[8];
        var raw = new List<byte[]>(8);
        int k = 0;
        void Flush() { w.Write(commands); foreach (var u in raw) w.Write(u); Array.Clear(commands); raw.Clear(); k = 0; }
        void Command(byte code, byte[]? unit = null) { commands[k++] = code; if (unit is not null) raw.Add(unit); if (k == 8) Flush(); }
        foreach (var row in table.Rows)
            for (int j = 0; j < n; j++)
            {
                if (numeric[j])
                {
                    double x = row[j] is null ? double.NaN : Convert.ToDouble(row[j], CultureInfo.InvariantCulture);
                    if (!double.IsFinite(x)) Command(255);
                    else if (x == Math.Floor(x) && x >= -99 && x <= 151) Command((byte)(x + 100));
                    else { var u = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(u, x); Command(253, u); }
                    continue;
                }
                var bytes = new byte[(widths[j] + 7) / 8 * 8];
                bytes.AsSpan().Fill((byte)' ');
                utf8.GetBytes(Text(row[j])).CopyTo(bytes, 0);
                for (int c = 0; c < bytes.Length; c += 8)
                {
                    var unit = bytes[c..(c + 8)];
                    if (unit.All(b => b == (byte)' ')) Command(254); else Command(253, unit);
                }
            }
        if (k > 0) { Command(252); if (k > 0) Flush(); }
        w.Flush();
    }

    private static bool IsNumber(object? v) => v is double or float or int or long or short or byte or decimal;

    private static string Text(object? v) => v switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static int Decimals(TableColumn column) =>
        column.NumberFormat is ['F', .. var d] && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int x) ? Math.Min(x, 16) : 2;

    /// <summary>
    /// SPSS names: a long name of at most 64 bytes (letters, digits, _ . @ #; starting with a letter) and a unique
    /// short name of at most 8 upper-case bytes for the variable record.
    /// </summary>
    internal static List<(string Short, string Long)> VariableNames(IReadOnlyList<string> headers)
    {
        var result = new List<(string, string)>();
        var usedLong = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var usedShort = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < headers.Count; i++)
        {
            var sb = new StringBuilder();
            foreach (char c in headers[i]) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '@' or '#' ? c : '_');
            string name = sb.Length == 0 || !char.IsAsciiLetter(sb[0]) ? "V" + sb : sb.ToString();
            if (name.Length > 64) name = name[..64];
            string candidate = name;
            for (int s = 2; !usedLong.Add(candidate); s++) candidate = name[..Math.Min(name.Length, 60)] + "_" + s.ToString(CultureInfo.InvariantCulture);
            string shortName = candidate.ToUpperInvariant()[..Math.Min(8, candidate.Length)];
            for (int s = 1; !usedShort.Add(shortName); s++) shortName = "V" + s.ToString("D7", CultureInfo.InvariantCulture);
            result.Add((shortName, candidate));
        }
        return result;
    }
}
