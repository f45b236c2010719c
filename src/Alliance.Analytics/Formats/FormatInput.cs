using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Formats;

/// <summary>
/// What a format analysis works on: the item responses in the keyed direction, the rows behind them, and per row the
/// outcome (when asked for), client and session (for one row per client and for change).
/// </summary>
internal sealed class FormatInput
{
    public required ResponseMatrix Items { get; init; }
    public required DataUsage Usage { get; init; }
    public Instrument? Instrument { get; init; }
    public double[]? Outcome { get; init; }
    public string? OutcomeLabel { get; init; }
    public string?[]? Clients { get; init; }
    public double[]? Sessions { get; init; }
    public string Source { get; init; } = "responses";

    /// <summary>Keyed items of prepared data (reverse keys applied when they were prepared) with their outcome, clients and sessions.</summary>
    public static FormatInput From(AnalysisData data, FormatOptions options)
    {
        var items = data.Items;
        if (!items.Scale.IsInteger || items.Scale.Points is not { } k || k < 2)
            throw new AllianceInputException($"{data.SourceName}: format comparisons need ordered categories (a Likert scale); the items are on a {items.Scale} scale");
        Limits.CheckModelCategories(k, "a format comparison");
        double[]? outcome = null;
        string? label = null;
        if (options.Outcome is { } name)
        {
            outcome = data.Numeric(name).Values.ToArray();
            label = name;
            if (options.OutcomeBaseline is { } b)
            {
                var baseline = data.Numeric(b).Values;
                for (int r = 0; r < outcome.Length; r++) outcome[r] = baseline[r] - outcome[r];
                label = $"{b} − {name}";
            }
        }
        else if (options.OutcomeBaseline is not null)
            throw new AllianceInputException("FormatOptions.OutcomeBaseline needs FormatOptions.Outcome (the improvement is baseline − outcome)", "FormatOptions.Outcome");
        var sessions = data.Session?.Values.ToArray();
        if ((options.OutcomeSession.HasValue || !options.ChangeSessions.IsDefaultOrEmpty) && sessions is null)
            throw new AllianceInputException($"{data.SourceName} has no session column: FormatOptions.OutcomeSession and FormatOptions.ChangeSessions need one");
        var clients = data.ClientId is { } c ? Enumerable.Range(0, c.Length).Select(r => c[r]).ToArray() : null;
        if (!options.ChangeSessions.IsDefaultOrEmpty && clients is null)
            throw new AllianceInputException($"{data.SourceName} has no client_id column: change between sessions is paired by client");
        return new FormatInput
        {
            Items = items, Usage = data.Usage, Instrument = data.Instrument,
            Outcome = outcome, OutcomeLabel = label, Clients = clients, Sessions = sessions, Source = data.Source,
        };
    }

    /// <summary>Keyed responses alone (no outcome, clients or sessions).</summary>
    public static FormatInput From(ResponseMatrix keyed, DataUsage? usage)
    {
        ArgumentNullException.ThrowIfNull(keyed);
        if (!keyed.Scale.IsInteger || keyed.Scale.Points is not { } k || k < 2)
            throw new AllianceInputException($"format comparisons need ordered categories (a Likert scale); the items are on a {keyed.Scale} scale");
        Limits.CheckModelCategories(k, "a format comparison");
        return new FormatInput { Items = keyed, Usage = usage ?? DataUsage.All(keyed.RowCount) };
    }

    /// <summary>Rows whose outcome is correlated: one per client at the outcome session (default the earliest), outcome present.</summary>
    public (int[] Rows, double? Session) OutcomeRows(FormatOptions options)
    {
        if (Outcome is null) return ([], null);
        double? session = options.OutcomeSession ?? (Sessions is null ? null : Sessions.Where(s => !double.IsNaN(s)).DefaultIfEmpty(double.NaN).Min());
        if (session is { } s0 && double.IsNaN(s0)) session = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<int>();
        for (int r = 0; r < Items.RowCount; r++)
        {
            if (double.IsNaN(Outcome[r])) continue;
            if (session is { } s && Sessions![r] != s) continue;
            if (Clients is not null)
            {
                if (Clients[r] is not { } id || !seen.Add(id)) continue;
            }
            rows.Add(r);
        }
        if (rows.Count == 0)
            throw new AllianceInputException($"no rows with an outcome{(session is { } ss ? " at session " + ss.ToString(CultureInfo.InvariantCulture) : "")}: nothing to correlate");
        return ([.. rows], session);
    }

    /// <summary>Pairs (row at the first session, row at the second) of each client who has both.</summary>
    public (int From, int To)[] ChangePairs(double from, double to)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var second = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < Items.RowCount; r++)
        {
            if (Clients![r] is not { } id) continue;
            if (Sessions![r] == from) first.TryAdd(id, r);
            else if (Sessions[r] == to) second.TryAdd(id, r);
        }
        var pairs = first.Where(kv => second.ContainsKey(kv.Key)).Select(kv => (kv.Value, second[kv.Key])).OrderBy(p => p.Item1).ToArray();
        if (pairs.Length < 3)
            throw new AllianceInputException($"only {pairs.Length} clients have rows at both session {from.ToString(CultureInfo.InvariantCulture)} and session {to.ToString(CultureInfo.InvariantCulture)}: too few to measure change");
        return pairs;
    }
}
