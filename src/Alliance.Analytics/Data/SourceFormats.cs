using System.Collections.Immutable;

namespace Alliance.Analytics.Data;

/// <summary>
/// A file format that yields records through <see cref="IRecordSource"/> (SPSS, Excel, Stata, Parquet, a database
/// query …). CSV and TSV are read by the text reader built into <see cref="AllianceDataset.Read(string, DataSpec?, Instruments.InstrumentRegistry?, CancellationToken)"/>;
/// every other format implements this interface and is found through a <see cref="SourceFormatRegistry"/>, by the
/// format name (<see cref="DataSpec.Format"/>), by the file's extension, or by its first bytes.
/// </summary>
public interface ISourceFormat
{
    /// <summary>Short name, as given to <see cref="DataSpec.Format"/> (e.g. <c>sav</c>, <c>xlsx</c>, <c>dta</c>).</summary>
    string Name { get; }

    /// <summary>File extensions of the format, with the dot, lower case (e.g. <c>.sav</c>).</summary>
    ImmutableArray<string> Extensions { get; }

    /// <summary>One line for help texts and docs: what is read.</summary>
    string Summary { get; }

    /// <summary>True when the first bytes of a file (up to 512) show this format (a magic number); false when they do not or the format has none.</summary>
    bool Recognizes(ReadOnlySpan<byte> head) => false;

    /// <summary>
    /// Opens <paramref name="path"/> for reading under <paramref name="spec"/> (the sidecar merged with the caller's
    /// spec: <see cref="DataSpec.Sheet"/>, <see cref="DataSpec.Encoding"/> … apply). Column metadata the file carries
    /// (labels, missing values, value labels) is declared in <see cref="IRecordSource.Columns"/>.
    /// </summary>
    /// <exception cref="DataSpecException">When the file cannot be read as this format; the message names the file and where (byte offset, cell, record).</exception>
    IRecordSource Open(string path, DataSpec spec, CancellationToken cancellationToken);
}

/// <summary>
/// The file formats a reader knows, immutable: <see cref="BuiltIn"/> holds those of this library; packages with other
/// dependencies (databases, Parquet) add theirs with <see cref="With"/>.
/// </summary>
public sealed class SourceFormatRegistry
{
    /// <summary>Name of the built-in text format (CSV, and TSV by extension or delimiter).</summary>
    public const string TextFormatName = "csv";

    private SourceFormatRegistry(ImmutableArray<ISourceFormat> formats) => Formats = formats;

    /// <summary>The formats of this library: SPSS <c>.sav</c>/<c>.zsav</c>, Stata <c>.dta</c>, Excel <c>.xlsx</c>/<c>.xlsm</c>/<c>.xls</c> and Parquet <c>.parquet</c> (CSV/TSV are always available and not listed).</summary>
    public static SourceFormatRegistry BuiltIn { get; } = new([new SavFormat(), new DtaFormat(), new ExcelFormat(), new ParquetFormat()]);

    /// <summary>The registered formats, in registration order.</summary>
    public ImmutableArray<ISourceFormat> Formats { get; }

    /// <summary>A registry with <paramref name="format"/> added (replacing a format of the same name).</summary>
    public SourceFormatRegistry With(ISourceFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return new([.. Formats.Where(f => !string.Equals(f.Name, format.Name, StringComparison.OrdinalIgnoreCase)), format]);
    }

    /// <summary>Every format name accepted by <see cref="Resolve"/>: csv, tsv and the registered ones.</summary>
    public IReadOnlyList<string> Names => ["csv", "tsv", .. Formats.Select(f => f.Name)];

    /// <summary>
    /// The format to read <paramref name="path"/> with: the one named by <paramref name="formatName"/> when given
    /// (<c>csv</c>/<c>tsv</c> mean the text reader); else the one whose extension the file has; else the one that
    /// recognizes the file's first bytes; null for the text reader.
    /// </summary>
    /// <exception cref="DataSpecException">When <paramref name="formatName"/> names no format.</exception>
    public ISourceFormat? Resolve(string path, string? formatName)
    {
        if (formatName is { Length: > 0 })
        {
            if (formatName.Equals("csv", StringComparison.OrdinalIgnoreCase) || formatName.Equals("tsv", StringComparison.OrdinalIgnoreCase)) return null;
            return Formats.FirstOrDefault(f => f.Name.Equals(formatName, StringComparison.OrdinalIgnoreCase))
                ?? throw new DataSpecException($"{path}: unknown input format '{formatName}' (formats: {string.Join(", ", Names)})", property: "DataSpec.Format");
        }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext.Length > 0 && Formats.FirstOrDefault(f => f.Extensions.Contains(ext)) is { } byExtension) return byExtension;
        if (Formats.Length == 0 || TextInput.IsStandardInput(path)) return null;
        // Only regular files are sniffed: a FIFO or pipe would lose the bytes read.
        try
        {
            if (FileIdentity.Kind(FileIdentity.RealPath(path)) != FileKind.Regular) return null;
            Span<byte> head = stackalloc byte[512];
            int n;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var bytes = head[..n];
            foreach (var f in Formats) if (f.Recognizes(bytes)) return f;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
