using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// A data set's total score per client and session, for reliability across sessions (ICC) and reliable change:
/// the instrument's total (prorated as the instrument's rule says) when it can be scored and no extra item is
/// reversed, otherwise the sum of the keyed items (<see cref="AnalysisData.Items"/>) over rows with every item answered.
/// </summary>
internal sealed class SessionScores
{
    private SessionScores(Dictionary<string, Dictionary<double, (double Score, int Row)>> byClient, double[] sessions, string scoreName, DataUsage prior, int keyless, List<int> keylessLines)
    {
        ByClient = byClient;
        Sessions = sessions;
        ScoreName = scoreName;
        Prior = prior;
        Keyless = keyless;
        KeylessLines = keylessLines;
    }

    public Dictionary<string, Dictionary<double, (double Score, int Row)>> ByClient { get; }

    public double[] Sessions { get; }

    public string ScoreName { get; }

    /// <summary>The rows left out before the data reached this analysis (when they were prepared).</summary>
    private DataUsage Prior { get; }

    /// <summary>Rows with no client_id or no session: they belong to no client.</summary>
    private int Keyless { get; }

    private List<int> KeylessLines { get; }

    /// <summary>
    /// The usage of a client-level analysis before its own exclusions: clients, plus the rows that never reached a
    /// client (left out before this analysis, or without client_id/session) counted as left out.
    /// </summary>
    public DataUsage ClientUsage()
    {
        var prior = Prior.Exclusions.IsDefault ? ImmutableArray<RowExclusion>.Empty : Prior.Exclusions;
        return new DataUsage(Prior.RowsExcluded + Keyless + ByClient.Count, prior)
            .Exclude("rows without client_id or session", Keyless, KeylessLines);
    }

    /// <exception cref="AllianceInputException">When the data have no client_id or session column, or a client has two rows for one session.</exception>
    public static SessionScores From(AnalysisData data)
    {
        var clients = data.ClientId ?? throw new AllianceInputException($"{data.SourceName}: reliability across sessions needs a client_id column.");
        var session = data.Session ?? throw new AllianceInputException($"{data.SourceName}: reliability across sessions needs a session column.");
        double[] scores;
        string name;
        // The instrument's total (prorated by its rule) unless items beyond its key were reversed.
        bool onlyInstrumentKeys = data.Options.AlsoReverse.IsDefaultOrEmpty;
        if (onlyInstrumentKeys && data.Instrument is { RequiresUserKey: false, HasTotal: true } instrument && data.Items.ItemCount == instrument.ItemCount)
        {
            scores = [.. InstrumentScoring.Score(data)["total"]];
            name = $"{instrument.Id} total";
        }
        else
        {
            // The keyed items (reverse keys applied when the data were prepared), summed over rows with every item answered.
            var items = data.Items;
            scores = new double[data.RowCount];
            for (int r = 0; r < data.RowCount; r++)
            {
                double s = 0;
                foreach (double v in items.Row(r)) s += v;
                scores[r] = s;
            }
            name = data.Reversed.Length > 0 ? $"sum of items ({string.Join(", ", data.Reversed)} reversed)" : "sum of items";
        }
        var byClient = new Dictionary<string, Dictionary<double, (double, int)>>(StringComparer.Ordinal);
        int keyless = 0;
        var keylessLines = new List<int>();
        for (int r = 0; r < data.RowCount; r++)
        {
            string? id = clients[r];
            double s = session[r];
            if (string.IsNullOrWhiteSpace(id) || double.IsNaN(s))
            {
                keyless++;
                if (keylessLines.Count < DataUsage.MaxLinesListed) keylessLines.Add(data.SourceLine(r));
                continue;
            }
            if (!byClient.TryGetValue(id, out var sessions)) byClient[id] = sessions = [];
            if (!sessions.TryAdd(s, (scores[r], r)))
                throw new AllianceInputException($"line {data.SourceLine(r)}: client '{id}' has more than one row for session {s.ToString(CultureInfo.InvariantCulture)}.");
        }
        var all = byClient.Values.SelectMany(d => d.Keys).Distinct().Order().ToArray();
        return new SessionScores(byClient, all, name, data.Usage, keyless, keylessLines);
    }
}
