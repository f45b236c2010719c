using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Presentation;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Data;

/// <summary>What reading a file produced: the data set (null when the file's structure made one impossible) and the full validation report.</summary>
/// <param name="Dataset">The loaded data set, or null when the header, item columns or instrument were unusable.</param>
/// <param name="Report">Every finding, with file, line, column and value.</param>
public sealed record LoadResult(AllianceDataset? Dataset, ValidationReport Report);

/// <summary>
/// A loaded, validated data set of item responses in wide format: one row per administration; the optional id
/// columns <c>client_id</c>, <c>therapist_id</c> (text), <c>session</c> (number) and <c>rater</c> (text); the item
/// columns as a <see cref="ResponseMatrix"/>; and every other column (outcomes, covariates) kept by name.
/// Rows with errors stay in the data set, marked invalid, so a report can name them; analyses take the prepared
/// stage, <see cref="AnalysisData.Prepare"/>, which refuses or drops them explicitly (and applies the reverse keys).
/// </summary>
/// <example><code>
/// var loaded = AllianceDataset.Load("clinic.csv", new DataSpec { Instrument = "WAI-SR" });
/// var data = AnalysisData.Prepare(loaded);           // throws DataValidationException on errors
/// var scores = InstrumentScoring.Score(data);
/// </code></example>
public sealed class AllianceDataset
{
    private readonly bool[] _invalidRows;

    internal AllianceDataset(string source, DataSpec spec, Instrument? instrument, ResponseMatrix items,
        ImmutableArray<DataColumn> columns, ImmutableArray<string> columnOrder, bool[] invalidRows, ValidationReport validation)
    {
        Source = source;
        Spec = spec;
        Instrument = instrument;
        Items = items;
        Columns = columns;
        ColumnOrder = columnOrder;
        _invalidRows = invalidRows;
        Validation = validation;
    }

    /// <summary>
    /// Labels of the response categories (the scale's anchors) and where they come from: the instrument's, else the
    /// value labels the file declares on its items (SPSS, Stata); null when neither has them.
    /// </summary>
    public CategoryAnchors? Anchors { get; init; }

    /// <summary>
    /// Reads and validates a CSV or TSV file, merging its sidecar (<c>&lt;file&gt;.alliance.json</c>) with
    /// <paramref name="spec"/> (the spec's fields win). Never throws for problems in the data: they are in
    /// <see cref="LoadResult.Report"/>.
    /// </summary>
    /// <param name="path">CSV (comma) or TSV (tab) file with a header line; a FIFO or pipe is read once as a stream, and <c>-</c> is standard input (no sidecar).</param>
    /// <param name="spec">What describes the file (typically from command-line flags); null for the sidecar alone.</param>
    /// <param name="registry">Instruments to resolve <see cref="DataSpec.Instrument"/> against; default the built-in ones.</param>
    /// <param name="cancellationToken">Cancels a long read.</param>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="DataSpecException">When the sidecar is invalid.</exception>
    public static LoadResult Read(string path, DataSpec? spec = null, InstrumentRegistry? registry = null, CancellationToken cancellationToken = default) =>
        Read(path, spec, registry, SourceFormatRegistry.BuiltIn, cancellationToken);

    /// <summary>
    /// Reads and validates a file in any format of <paramref name="formats"/> (chosen by <see cref="DataSpec.Format"/>,
    /// else the extension, else the first bytes; CSV/TSV otherwise), merging its sidecar with <paramref name="spec"/>.
    /// Never throws for problems in the data: they are in <see cref="LoadResult.Report"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="DataSpecException">When the sidecar is invalid, the format is unknown, or the file cannot be read as its format.</exception>
    public static LoadResult Read(string path, DataSpec? spec, InstrumentRegistry? registry, SourceFormatRegistry? formats, CancellationToken cancellationToken = default)
    {
        if (!TextInput.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var sidecar = TextInput.IsStandardInput(path) ? null : DataSpec.ReadSidecar(path);
        var merged = (sidecar ?? DataSpec.Empty).OverriddenBy(spec);
        var builder = new DatasetBuilder(path, merged, registry ?? InstrumentRegistry.BuiltIn)
        {
            // An item list from the sidecar is named as the sidecar's, so a wrong name there is not blamed on the caller.
            ItemsOrigin = spec?.Items is null && sidecar?.Items is not null ? $"the sidecar {DataSpec.SidecarPath(path)} (items)" : "DataSpec.Items",
        };
        if ((formats ?? SourceFormatRegistry.BuiltIn).Resolve(path, merged.Format) is { } format)
        {
            using var typed = format.Open(path, merged, cancellationToken);
            return builder.Build(typed, cancellationToken);
        }
        if (merged.Sheet is { Length: > 0 } sheet)
            throw new DataSpecException($"{path}: DataSpec.Sheet ('{sheet}') chooses a sheet of a workbook, but this file is read as CSV/TSV text, which has none", property: "DataSpec.Sheet");
        using var source = new CsvTableSource(path, merged.Delimiter, merged.Encoding);
        // A large regular file without quoted fields is parsed in parallel chunks (the result is the same as a sequential read).
        var chunks = !source.Stopped && source.Header is { } header && header.Count > 0 && !header.Any(h => h.Contains('\n') || h.Contains('\r'))
            ? CsvTableSource.TryChunk(path, source.Delimiter, header, Math.Min(Environment.ProcessorCount * 2, 16), encoding: merged.Encoding)
            : null;
        if (chunks is null) return builder.Build(source, cancellationToken);
        try { return builder.Build(source.Header, source.HeaderLine, chunks, cancellationToken); }
        finally { foreach (var c in chunks) c.Dispose(); }
    }

    /// <summary>
    /// Reads and validates any <see cref="IRecordSource"/> (a reader of another file format, a database query …) under
    /// <paramref name="spec"/>, applying the same rules as a CSV file. Never throws for problems in the data.
    /// </summary>
    /// <param name="source">The records; read once, from the start, and not disposed here.</param>
    /// <param name="spec">What describes the data (the source has no sidecar); null to infer everything.</param>
    /// <param name="registry">Instruments to resolve <see cref="DataSpec.Instrument"/> against; default the built-in ones.</param>
    /// <param name="cancellationToken">Cancels a long read.</param>
    public static LoadResult Read(IRecordSource source, DataSpec? spec, InstrumentRegistry? registry = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new DatasetBuilder(source.Name, spec ?? DataSpec.Empty, registry ?? InstrumentRegistry.BuiltIn).Build(source, cancellationToken);
    }

    /// <summary>
    /// Reads a file like <see cref="Read(string, DataSpec?, InstrumentRegistry?, CancellationToken)"/> and returns the data set, throwing when its structure made one impossible.
    /// Rows with errors are kept and marked; see <see cref="AnalysisData.Prepare"/>.
    /// </summary>
    /// <exception cref="DataValidationException">When no data set could be built (empty file, missing item columns …).</exception>
    public static AllianceDataset Load(string path, DataSpec? spec = null, InstrumentRegistry? registry = null, CancellationToken cancellationToken = default)
    {
        var result = Read(path, spec, registry, cancellationToken);
        return result.Dataset ?? throw new DataValidationException(result.Report);
    }

    /// <summary>
    /// Builds a data set from a <see cref="DataFrame"/>, applying the same rules as a file (messages give 1-based row
    /// numbers as lines).
    /// </summary>
    public static LoadResult FromDataFrame(DataFrame frame, DataSpec? spec = null, InstrumentRegistry? registry = null, string name = "DataFrame")
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var source = new DataFrameTableSource(frame, name);
        return new DatasetBuilder(name, spec ?? DataSpec.Empty, registry ?? InstrumentRegistry.BuiltIn).Build(source, CancellationToken.None);
    }

    /// <summary>The file (or source name) the data came from.</summary>
    public string Source { get; }

    /// <summary>The specification in force (sidecar merged with flags).</summary>
    public DataSpec Spec { get; }

    /// <summary>The instrument named by the spec, or null.</summary>
    public Instrument? Instrument { get; }

    /// <summary>The item responses (invalid values set to missing), in the order of <see cref="DataSpec.Items"/>.</summary>
    public ResponseMatrix Items { get; }

    /// <summary>Every non-item column (ids, outcomes, covariates), in file order.</summary>
    public ImmutableArray<DataColumn> Columns { get; }

    /// <summary>All column names in file order (items included).</summary>
    public ImmutableArray<string> ColumnOrder { get; }

    /// <summary>The validation report made when the data were read.</summary>
    public ValidationReport Validation { get; }

    /// <summary>Number of rows (administrations) held; rows with the wrong number of fields are not among them.</summary>
    public int RowCount => Items.RowCount;

    /// <summary>True when row <paramref name="row"/> has no validation error.</summary>
    public bool IsRowValid(int row) => !_invalidRows[row];

    /// <summary>Number of rows with a validation error.</summary>
    public int InvalidRowCount => _invalidRows.Count(b => b);

    /// <summary>Source line of a row.</summary>
    public int SourceLine(int row) => Items.SourceLine(row);

    /// <summary>The non-item column named <paramref name="name"/>, or null.</summary>
    public DataColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The <c>client_id</c> column, when present.</summary>
    public TextColumn? ClientId => Column("client_id") as TextColumn;

    /// <summary>The <c>therapist_id</c> column, when present.</summary>
    public TextColumn? TherapistId => Column("therapist_id") as TextColumn;

    /// <summary>The <c>session</c> column, when present.</summary>
    public NumericColumn? Session => Column("session") as NumericColumn;

    /// <summary>The <c>rater</c> column, when present.</summary>
    public TextColumn? Rater => Column("rater") as TextColumn;

    /// <summary>
    /// A numeric column by name: a numeric non-item column, or an item column (copied out of the matrix).
    /// </summary>
    /// <exception cref="ArgumentException">When there is no such column, or it holds text.</exception>
    public NumericColumn Numeric(string name)
    {
        int item = Items.Items.IndexOf(name);
        if (item >= 0) return NumericColumn.Wrap(name, Items.Column(item));
        return Column(name) switch
        {
            NumericColumn n => n,
            TextColumn => throw new ArgumentException($"Column '{name}' in {Source} holds text, not numbers.", nameof(name)),
            _ => throw new ArgumentException($"No column '{name}' in {Source} (columns: {string.Join(", ", ColumnOrder)}).", nameof(name)),
        };
    }

    /// <summary>
    /// The rows an analysis may use. With validation errors, throws unless <paramref name="dropInvalidRows"/> is
    /// true, in which case the rows with errors are left out and recorded in the returned usage (with their lines).
    /// </summary>
    /// <exception cref="DataValidationException">When there are errors and <paramref name="dropInvalidRows"/> is false.</exception>
    internal (AllianceDataset Data, DataUsage Usage) ForAnalysis(bool dropInvalidRows = false)
    {
        int invalid = InvalidRowCount;
        int unreadable = Validation.RowsRead - RowCount;
        var usage = DataUsage.All(Validation.RowsRead);
        if (Validation.ErrorCount == 0 && invalid == 0 && unreadable == 0) return (this, usage);
        if (!dropInvalidRows) throw new DataValidationException(Validation);
        var shortLines = Validation.Issues.Where(i => i.Code == "field_count" && i.Line.HasValue).Select(i => i.Line!.Value);
        usage = usage.Exclude("rows with the wrong number of fields (DropInvalidRows)", unreadable, shortLines);
        var keep = Enumerable.Range(0, RowCount).Where(IsRowValid).ToArray();
        var droppedLines = Enumerable.Range(0, RowCount).Where(r => !IsRowValid(r)).Select(SourceLine);
        usage = usage.Exclude("rows with invalid values (DropInvalidRows)", invalid, droppedLines);
        return (invalid == 0 ? this : SelectRows(keep), usage);
    }

    /// <summary>A data set with the rows at <paramref name="rows"/> only (validity flags and source lines kept).</summary>
    public AllianceDataset SelectRows(IReadOnlyList<int> rows) => new(
        Source, Spec, Instrument, Items.SelectRows(rows), [.. Columns.Select(c => c.SelectRows(rows))], ColumnOrder,
        [.. rows.Select(r => _invalidRows[r])], Validation);

    /// <summary>
    /// Converts to a <see cref="DataFrame"/> in file column order: items and numeric columns as nullable
    /// <see cref="DoubleDataFrameColumn"/> (full precision), text columns as <see cref="StringDataFrameColumn"/>.
    /// </summary>
    public DataFrame ToDataFrame()
    {
        var frameColumns = new List<Microsoft.Data.Analysis.DataFrameColumn>();
        foreach (string name in ColumnOrder)
        {
            int item = Items.Items.IndexOf(name);
            if (item >= 0)
            {
                frameColumns.Add(ToDouble(name, Items.Column(item)));
                continue;
            }
            switch (Column(name))
            {
                case NumericColumn n: frameColumns.Add(ToDouble(name, n.Values.ToArray())); break;
                case TextColumn t:
                    var s = new StringDataFrameColumn(name, t.Length);
                    for (int r = 0; r < t.Length; r++) s[r] = t[r];
                    frameColumns.Add(s);
                    break;
            }
        }
        return new DataFrame(frameColumns);

        static DoubleDataFrameColumn ToDouble(string name, double[] values)
        {
            var col = new DoubleDataFrameColumn(name, values.Length);
            for (int r = 0; r < values.Length; r++) col[r] = double.IsNaN(values[r]) ? null : values[r];
            return col;
        }
    }

    /// <summary>
    /// Writes the data set as CSV (file column order; missing as empty fields; numbers round-trip), whole or not at
    /// all (written to a temporary file, then moved into place).
    /// </summary>
    public void WriteCsv(string path)
    {
        AtomicFile.Write(path, writer =>
        {
            writer.WriteLine(string.Join(',', ColumnOrder.Select(CsvText.Quote)));
            var getters = ColumnOrder.Select<string, Func<int, string>>(name =>
            {
                int item = Items.Items.IndexOf(name);
                if (item >= 0) return r => CsvText.FormatValue(Items[r, item]);
                var col = Column(name)!;
                return r => col.Format(r) is { } s ? CsvText.Quote(s) : "";
            }).ToArray();
            var sb = new StringBuilder();
            for (int r = 0; r < RowCount; r++)
            {
                sb.Clear();
                for (int j = 0; j < getters.Length; j++)
                {
                    if (j > 0) sb.Append(',');
                    sb.Append(getters[j](r));
                }
                writer.WriteLine(sb);
            }
        });
    }

    /// <summary>"clinic.csv: 1,200 rows × 12 items (WAI-SR) on a 1–5 (5 points) scale".</summary>
    public override string ToString() =>
        $"{Path.GetFileName(Source)}: {RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows × {Items.ItemCount} items" +
        (Instrument is null ? "" : $" ({Instrument.Id})") + $" on a {Items.Scale} scale";
}

/// <summary>Labels of response categories and their origin.</summary>
/// <param name="Labels">Label per category value (1 → "Seldom" …).</param>
/// <param name="Source">Where they come from: "instrument WAI-SR" or "the file's value labels".</param>
public sealed record CategoryAnchors(ImmutableSortedDictionary<int, string> Labels, string Source)
{
    /// <summary>"1 Seldom, 2 Sometimes, …".</summary>
    public override string ToString() => string.Join(", ", Labels.Select(l => $"{l.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)} {l.Value}"));
}
