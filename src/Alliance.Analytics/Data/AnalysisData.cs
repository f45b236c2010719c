using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Data;

/// <summary>Which administrations of each client an analysis uses when clients have several (one row per session).</summary>
public enum AdministrationChoice
{
    /// <summary>Every administration (every row), as if each were a separate respondent.</summary>
    All,
    /// <summary>Each client's first administration (lowest session number; file order without a session column).</summary>
    First,
    /// <summary>Each client's last administration (highest session number; file order without a session column).</summary>
    Last,
    /// <summary>The administration at one session number (<see cref="AdministrationSelection.Session"/>).</summary>
    Session,
}

/// <summary>The administrations an analysis uses: all, each client's first or last, or those at one session number.</summary>
/// <param name="Choice">Which administrations.</param>
/// <param name="Session">The session number, with <see cref="AdministrationChoice.Session"/>.</param>
public sealed record AdministrationSelection(AdministrationChoice Choice, double? Session = null)
{
    /// <summary>Every administration (the default until the repeated-measurement work settles one).</summary>
    public static AdministrationSelection All { get; } = new(AdministrationChoice.All);

    /// <summary>Each client's first administration.</summary>
    public static AdministrationSelection First { get; } = new(AdministrationChoice.First);

    /// <summary>Each client's last administration.</summary>
    public static AdministrationSelection Last { get; } = new(AdministrationChoice.Last);

    /// <summary>The administrations at session number <paramref name="session"/>.</summary>
    public static AdministrationSelection AtSession(double session) => new(AdministrationChoice.Session, session);

    /// <summary>"all", "first", "last" or "session 3".</summary>
    public override string ToString() => Choice switch
    {
        AdministrationChoice.First => "first",
        AdministrationChoice.Last => "last",
        AdministrationChoice.Session => "session " + (Session ?? double.NaN).ToString(CultureInfo.InvariantCulture),
        _ => "all",
    };
}

/// <summary>
/// The analysis choices that turn a loaded data set into <see cref="AnalysisData"/>: what to do with rows that
/// failed validation, whether the instrument's reverse keys apply, items to reverse beyond them, and which
/// administrations to use.
/// </summary>
public sealed record PreparationOptions
{
    /// <summary>Leave out rows with validation errors (each reported with its line) instead of refusing the data (default false).</summary>
    public bool DropInvalidRows { get; init; }

    /// <summary>
    /// Apply the instrument's reverse keys (default true): every analysis then sees the keyed direction. Turn off only
    /// when the file is already reverse-scored.
    /// </summary>
    public bool ApplyReverseKeys { get; init; } = true;

    /// <summary>Item columns to reverse in addition to the instrument's key (by column name; e.g. data without an instrument).</summary>
    public ImmutableArray<string> AlsoReverse { get; init; } = [];

    /// <summary>Which administrations of each client to use (default all rows).</summary>
    public AdministrationSelection Administrations { get; init; } = AdministrationSelection.All;
}

/// <summary>One score an instrument defines: its name, output key and item columns (names, in item order).</summary>
/// <param name="Name">Name as published ("Bond", "Total").</param>
/// <param name="Key">Output key ("bond", "total").</param>
/// <param name="Items">The item columns that form it.</param>
public sealed record ScoreDefinition(string Name, string Key, ImmutableArray<string> Items);

/// <summary>The categories one item's keyed responses use: lowest and highest observed (NaN when nobody answered).</summary>
/// <param name="Item">Item column.</param>
/// <param name="Lowest">Lowest keyed response observed.</param>
/// <param name="Highest">Highest keyed response observed.</param>
/// <param name="Answered">Non-missing responses.</param>
public sealed record ItemRange(string Item, double Lowest, double Highest, int Answered);

/// <summary>
/// The prepared-data stage every analysis takes: made once from a loaded <see cref="AllianceDataset"/> and the
/// analysis choices (<see cref="PreparationOptions"/>), so that no analysis can forget a choice. It holds the
/// instrument and its key, the item columns, the missing codes in force, the rows used and every row left out with
/// its line and reason (<see cref="Usage"/>), the keyed item matrix (reverse keys applied in exactly this one place,
/// as <c>min + max − x</c> on the declared scale (the stated points, else the instrument's), never the range observed)
/// with the responses as
/// answered kept beside it for category tables, the subscale and score map, the categories each item uses, and the
/// id columns (client, therapist, session, rater, study).
/// </summary>
/// <remarks>
/// Memory: when nothing is reversed the keyed and raw matrices are one object; otherwise the keyed copy costs
/// 8 bytes per response. Models of ordered categories read <see cref="CategoryCodes"/> (one byte per response).
/// </remarks>
/// <example><code>
/// var data = AnalysisData.Load("clinic.csv");                 // sidecar names the instrument
/// var alpha = ReliabilityAnalysis.Analyze(data);              // keyed items, n and rows left out carried along
/// var fit = IrtAnalysis.Fit(data, new IrtOptions { Model = IrtModelType.PartialCredit });
/// </code></example>
public sealed class AnalysisData
{
    private readonly Lazy<byte[]> _codes;

    private AnalysisData(AllianceDataset dataset, PreparationOptions options, ResponseMatrix keyed, ImmutableArray<string> reversed,
        DataUsage usage, ImmutableArray<string> notes)
    {
        Dataset = dataset;
        Options = options;
        Items = keyed;
        Reversed = reversed;
        Usage = usage;
        Notes = notes;
        _codes = new Lazy<byte[]>(() => Items.ToCategoryCodes());
        var instrument = dataset.Instrument;
        if (instrument is not null && instrument.ItemCount == keyed.ItemCount)
        {
            ScoreDefinition Map(Subscale s) => new(s.Name, s.Key, [.. s.Items.Select(i => keyed.Items[i - 1])]);
            Scores = [.. instrument.Scores().Select(Map)];
            Subscales = [.. instrument.Subscales.Where(s => s.HasItems).Select(Map)];
        }
        else
        {
            Scores = [];
            Subscales = [];
        }
    }

    /// <summary>
    /// Prepares a loaded data set: refuses it when it has validation errors (unless
    /// <see cref="PreparationOptions.DropInvalidRows"/>), selects the administrations, and applies the reverse keys.
    /// </summary>
    /// <exception cref="DataValidationException">When the data have errors and invalid rows are not to be dropped.</exception>
    /// <exception cref="AllianceInputException">When an item to reverse is not an item column, or an administration
    /// choice needs a client_id column the data lack.</exception>
    public static AnalysisData Prepare(AllianceDataset dataset, PreparationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new PreparationOptions();
        var (usable, usage) = dataset.ForAnalysis(options.DropInvalidRows);
        (usable, usage) = SelectAdministrations(usable, usage, options.Administrations);
        // A workbook with several sheets: which one was read (ExcelReader's "sheet" note).
        var notes = new List<string>(usable.Validation.Issues.Where(i => i.Code == "sheet").Select(i => i.Message));
        bool inferred = usable.Validation.CountsByCode.ContainsKey("scale_inferred");
        var (keyed, reversed) = Keying.Apply(usable.Items, usable.Instrument, options, usable.Source, notes, inferred);
        if (options.Administrations.Choice != AdministrationChoice.All)
            notes.Add($"administrations: {options.Administrations} per client");
        else if (RepeatedAdministrations(usable) is { Clients: > 0 } repeated)
            notes.Add($"{repeated.Clients.ToString("N0", CultureInfo.InvariantCulture)} of {repeated.Of.ToString("N0", CultureInfo.InvariantCulture)} clients have several administrations " +
                $"(up to {repeated.Most.ToString(CultureInfo.InvariantCulture)}): every row is analysed as a separate respondent, so intervals of cross-sectional " +
                "figures are too narrow; PreparationOptions.Administrations chooses first, last or one session");
        return new AnalysisData(usable, options, keyed, reversed, usage, [.. notes]);
    }

    /// <summary>Reads a file (<see cref="AllianceDataset.Load"/>) and prepares it (<see cref="Prepare"/>).</summary>
    /// <exception cref="DataValidationException">When no data set could be built, or it has errors and invalid rows are not to be dropped.</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="DataSpecException">When the sidecar is invalid.</exception>
    public static AnalysisData Load(string path, DataSpec? spec = null, PreparationOptions? options = null, InstrumentRegistry? registry = null,
        CancellationToken cancellationToken = default) =>
        Load(path, spec, options, registry, SourceFormatRegistry.BuiltIn, cancellationToken);

    /// <summary>Reads a file in any format of <paramref name="formats"/> (<see cref="AllianceDataset.Read(string, DataSpec?, InstrumentRegistry?, SourceFormatRegistry?, CancellationToken)"/>) and prepares it.</summary>
    /// <exception cref="DataValidationException">When no data set could be built, or it has errors and invalid rows are not to be dropped.</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="DataSpecException">When the sidecar is invalid or the file cannot be read as its format.</exception>
    public static AnalysisData Load(string path, DataSpec? spec, PreparationOptions? options, InstrumentRegistry? registry, SourceFormatRegistry? formats,
        CancellationToken cancellationToken = default)
    {
        var read = AllianceDataset.Read(path, spec, registry, formats, cancellationToken);
        return Prepare(read.Dataset ?? throw new DataValidationException(read.Report), options);
    }

    /// <summary>The loaded data set, restricted to the rows used (every non-item column available by name).</summary>
    public AllianceDataset Dataset { get; }

    /// <summary>The choices this stage was made with.</summary>
    public PreparationOptions Options { get; }

    /// <summary>The file (or source name) the data came from.</summary>
    public string Source => Dataset.Source;

    /// <summary>The file name without its folder, for messages.</summary>
    public string SourceName => Path.GetFileName(Dataset.Source);

    /// <summary>The specification in force (sidecar merged with the caller's).</summary>
    public DataSpec Spec => Dataset.Spec;

    /// <summary>The instrument, or null.</summary>
    public Instrument? Instrument => Dataset.Instrument;

    /// <summary>The item responses in the keyed direction (reverse keys applied): what every analysis uses.</summary>
    public ResponseMatrix Items { get; }

    /// <summary>The item responses as answered (before reverse keying), for category tables and exports.</summary>
    public ResponseMatrix RawItems => Dataset.Items;

    /// <summary>The item columns, in order.</summary>
    public ImmutableArray<string> ItemNames => Items.Items;

    /// <summary>The response scale of the items.</summary>
    public ItemScale Scale => Items.Scale;

    /// <summary>The items reversed (instrument key and <see cref="PreparationOptions.AlsoReverse"/>), in item order; empty when none.</summary>
    public ImmutableArray<string> Reversed { get; }

    /// <summary>True when item column <paramref name="item"/> (index) was reversed.</summary>
    public bool IsReversed(int item) => Reversed.Contains(Items.Items[item]);

    /// <summary>The instrument's subscales with known items, as item columns; empty without an instrument.</summary>
    public ImmutableArray<ScoreDefinition> Subscales { get; }

    /// <summary>The scores the instrument defines (subscales with known items, then the total), as item columns; empty without an instrument.</summary>
    public ImmutableArray<ScoreDefinition> Scores { get; }

    /// <summary>All missing-value codes in force (empty field, NA and the spec's codes).</summary>
    public ImmutableArray<string> MissingCodes => Spec.AllMissingCodes;

    /// <summary>The rows used and every row left out, with lines and reasons (invalid rows, administrations not chosen).</summary>
    public DataUsage Usage { get; }

    /// <summary>What the preparation did, in words (reverse keys applied, administrations chosen …), for reports.</summary>
    public ImmutableArray<string> Notes { get; }

    /// <summary>Rows used.</summary>
    public int RowCount => Items.RowCount;

    /// <summary>Source line of a row.</summary>
    public int SourceLine(int row) => Items.SourceLine(row);

    /// <summary>Keyed category codes, row-major, one byte per response: code = keyed value − scale minimum, <see cref="ResponseMatrix.MissingCode"/> for missing.</summary>
    /// <exception cref="InvalidOperationException">When the scale is not an integer scale of at most 255 points.</exception>
    public ReadOnlyMemory<byte> CategoryCodes => _codes.Value;

    /// <summary>Per item, the lowest and highest keyed response observed and how many answered.</summary>
    public ImmutableArray<ItemRange> CategoryRanges()
    {
        var lo = Enumerable.Repeat(double.PositiveInfinity, Items.ItemCount).ToArray();
        var hi = Enumerable.Repeat(double.NegativeInfinity, Items.ItemCount).ToArray();
        var answered = new int[Items.ItemCount];
        for (int r = 0; r < RowCount; r++)
        {
            var row = Items.Row(r);
            for (int j = 0; j < row.Length; j++)
            {
                double v = row[j];
                if (double.IsNaN(v)) continue;
                answered[j]++;
                if (v < lo[j]) lo[j] = v;
                if (v > hi[j]) hi[j] = v;
            }
        }
        return [.. Items.Items.Select((name, j) => answered[j] == 0 ? new ItemRange(name, double.NaN, double.NaN, 0) : new ItemRange(name, lo[j], hi[j], answered[j]))];
    }

    /// <summary>The <c>client_id</c> column, when present.</summary>
    public TextColumn? ClientId => Dataset.ClientId;

    /// <summary>The <c>therapist_id</c> column, when present.</summary>
    public TextColumn? TherapistId => Dataset.TherapistId;

    /// <summary>The <c>session</c> column, when present.</summary>
    public NumericColumn? Session => Dataset.Session;

    /// <summary>The <c>rater</c> column, when present.</summary>
    public TextColumn? Rater => Dataset.Rater;

    /// <summary>The <c>study</c> column, when present (study tables and pooled data sets).</summary>
    public DataColumn? Study => Dataset.Column("study");

    /// <summary>The non-item column named <paramref name="name"/>, or null.</summary>
    public DataColumn? Column(string name) => Dataset.Column(name);

    /// <summary>A numeric column by name: a numeric non-item column, or an item column in the keyed direction.</summary>
    /// <exception cref="ArgumentException">When there is no such column, or it holds text.</exception>
    public NumericColumn Numeric(string name)
    {
        int item = Items.Items.IndexOf(name);
        return item >= 0 ? NumericColumn.Wrap(name, Items.Column(item)) : Dataset.Numeric(name);
    }

    /// <summary>The values of a column as text per row (null for missing), e.g. for grouping.</summary>
    /// <exception cref="AllianceInputException">When there is no such column.</exception>
    public string?[] Labels(string column)
    {
        int item = Items.Items.IndexOf(column);
        if (item >= 0) return [.. Enumerable.Range(0, RowCount).Select(r => double.IsNaN(Items[r, item]) ? null : Items[r, item].ToString("R", CultureInfo.InvariantCulture))];
        var col = Dataset.Column(column) ?? throw new AllianceInputException(
            $"{SourceName}: no column '{column}' (columns: {string.Join(", ", Dataset.ColumnOrder)})");
        return [.. Enumerable.Range(0, RowCount).Select(col.Format)];
    }

    /// <summary>A copy with the rows at <paramref name="rows"/> only (same choices), the rows not kept recorded under <paramref name="reason"/>.</summary>
    public AnalysisData SelectRows(IReadOnlyList<int> rows, string reason)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var kept = new HashSet<int>(rows);
        var dropped = Enumerable.Range(0, RowCount).Where(r => !kept.Contains(r)).ToArray();
        var usage = Usage.Exclude(reason, dropped.Length, dropped.Select(SourceLine));
        var keyed = ReferenceEquals(Items, Dataset.Items) ? null : Items.SelectRows(rows);
        var dataset = Dataset.SelectRows(rows);
        return new AnalysisData(dataset, Options, keyed ?? dataset.Items, Reversed, usage, Notes);
    }

    /// <summary>"clinic.csv: 1,200 rows × 12 items (WAI-SR), 3 reversed".</summary>
    public override string ToString() =>
        $"{SourceName}: {RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows × {Items.ItemCount} items" +
        (Instrument is null ? "" : $" ({Instrument.Id})") + $" on a {Scale} scale" +
        (Reversed.IsDefaultOrEmpty ? "" : $", {Reversed.Length} reversed");

    /// <summary>How many clients have more than one row, of how many clients, and the most rows one client has.</summary>
    private static (int Clients, int Of, int Most) RepeatedAdministrations(AllianceDataset data)
    {
        if (data.ClientId is not { } clients) return (0, 0, 0);
        var counts = new int[clients.Levels.Length];
        foreach (int c in clients.Codes) if (c >= 0) counts[c]++;
        int seen = counts.Count(n => n > 0);
        return (counts.Count(n => n > 1), seen, counts.Length == 0 ? 0 : counts.Max());
    }

    private static (AllianceDataset, DataUsage) SelectAdministrations(AllianceDataset data, DataUsage usage, AdministrationSelection selection)
    {
        if (selection.Choice == AdministrationChoice.All) return (data, usage);
        var session = data.Session;
        if (selection.Choice == AdministrationChoice.Session)
        {
            if (session is null) throw new AllianceInputException($"{Path.GetFileName(data.Source)} has no session column: administrations at session {selection} cannot be chosen");
            double s = selection.Session ?? throw new AllianceInputException("an administration choice of one session needs its session number");
            var keepAt = Enumerable.Range(0, data.RowCount).Where(r => session[r] == s).ToArray();
            var others = Enumerable.Range(0, data.RowCount).Where(r => session[r] != s).ToArray();
            return (data.SelectRows(keepAt), usage.Exclude($"administrations at other sessions than {s.ToString(CultureInfo.InvariantCulture)}", others.Length, others.Select(data.SourceLine)));
        }
        var clients = data.ClientId ?? throw new AllianceInputException(
            $"{Path.GetFileName(data.Source)} has no client_id column: each client's {selection} administration cannot be chosen");
        var best = new Dictionary<int, int>();
        var noClient = new List<int>();
        for (int r = 0; r < data.RowCount; r++)
        {
            int c = clients.Codes[r];
            if (c < 0) { noClient.Add(r); continue; }
            if (!best.TryGetValue(c, out int b)) { best[c] = r; continue; }
            double sr = session?[r] ?? r, sb = session?[b] ?? b;
            if (double.IsNaN(sr)) continue;
            bool better = double.IsNaN(sb) || (selection.Choice == AdministrationChoice.First ? sr < sb : sr > sb);
            if (better) best[c] = r;
        }
        var keep = best.Values.Order().ToArray();
        var keepSet = keep.ToHashSet();
        var later = Enumerable.Range(0, data.RowCount).Where(r => !keepSet.Contains(r) && clients.Codes[r] >= 0).ToArray();
        usage = usage
            .Exclude("rows without client_id (administrations are chosen per client)", noClient.Count, noClient.Select(data.SourceLine))
            .Exclude($"other administrations of the same client (the {selection} is used)", later.Length, later.Select(data.SourceLine));
        return (data.SelectRows(keep), usage);
    }
}

/// <summary>
/// Reverse keying, written once: the instrument's reverse-keyed items (and any named in addition) become
/// <c>min + max − x</c> on the declared scale (the data's stated points and minimum, else the instrument's), never on
/// a range inferred from the responses. Every
/// analysis that starts from data gets its keyed items from here, through <see cref="AnalysisData"/>.
/// </summary>
internal static class Keying
{
    /// <summary>The keyed matrix and the names of the items reversed; <paramref name="notes"/> receives what was done.</summary>
    public static (ResponseMatrix Keyed, ImmutableArray<string> Reversed) Apply(ResponseMatrix items, Instrument? instrument, PreparationOptions options,
        string source, List<string>? notes = null, bool scaleInferred = false)
    {
        var names = new List<string>();
        if (options.ApplyReverseKeys && instrument is not null && !instrument.ReverseKeyed.IsDefaultOrEmpty)
        {
            if (instrument.ItemCount != items.ItemCount)
                throw new AllianceInputException($"{instrument.Id} has {instrument.ItemCount} items and {Path.GetFileName(source)} {items.ItemCount} item columns: " +
                    "its reverse keys cannot be matched to the columns");
            names.AddRange(instrument.ReverseKeyed.Select(i => items.Items[i - 1]));
        }
        var also = options.AlsoReverse.IsDefault ? [] : options.AlsoReverse;
        foreach (string name in also)
        {
            if (!items.Items.Contains(name))
                throw new AllianceInputException($"item '{name}' is to be reversed but is not an item column (items: {string.Join(", ", items.Items)})");
            if (names.Contains(name))
                throw new AllianceInputException($"item '{name}' is to be reversed twice: {instrument?.Id} already reverse-keys it (reversing it again would undo the key)");
            names.Add(name);
        }
        if (names.Count == 0)
        {
            if (!options.ApplyReverseKeys && instrument is { ReverseKeyed.IsDefaultOrEmpty: false })
                notes?.Add($"reverse keys of {instrument.Id} not applied (turned off: the file is taken as already keyed)");
            return (items, []);
        }
        // The scale in force is the declared one (DataSpec.Points/Min, else the instrument's); one inferred from the
        // responses would make the reversal depend on which categories happened to be used, so it is refused.
        if (scaleInferred)
            throw new AllianceInputException($"{Path.GetFileName(source)}: the response scale was inferred from the data ({items.Scale}), so items cannot be reversed on it: " +
                "state the scale (DataSpec.Points and DataSpec.Min, or an instrument)");
        var scale = items.Scale;
        if (instrument is not null && instrument.Scale != items.Scale)
            notes?.Add($"the data's declared scale ({items.Scale}) differs from {instrument.Id}'s ({instrument.Scale}); reverse keys use the declared scale");
        var keyed = items.Reverse(names);
        var ordered = items.Items.Where(names.Contains).ToImmutableArray();
        notes?.Add($"reversed (min + max − x on the {scale} scale): {string.Join(", ", ordered)}");
        return (keyed, ordered);
    }
}
