using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// A data set's total score per client and session, for reliability across sessions (ICC) and reliable change:
/// the instrument's total (prorated as the instrument's rule says) when it can be scored, otherwise the sum of the
/// items over rows with every item answered.
/// </summary>
internal sealed class SessionScores
{
    private SessionScores(Dictionary<string, Dictionary<double, (double Score, int Row)>> byClient, double[] sessions, string scoreName)
    {
        ByClient = byClient;
        Sessions = sessions;
        ScoreName = scoreName;
    }

    public Dictionary<string, Dictionary<double, (double Score, int Row)>> ByClient { get; }

    public double[] Sessions { get; }

    public string ScoreName { get; }

    /// <exception cref="AllianceInputException">When the data have no client_id or session column, or a client has two rows for one session.</exception>
    public static SessionScores From(AllianceDataset data)
    {
        var clients = data.ClientId ?? throw new AllianceInputException($"{data.Source}: reliability across sessions needs a client_id column.");
        var session = data.Session ?? throw new AllianceInputException($"{data.Source}: reliability across sessions needs a session column.");
        double[] scores;
        string name;
        if (data.Instrument is { RequiresUserKey: false } instrument && data.Items.ItemCount == instrument.ItemCount && instrument.HasTotal)
        {
            scores = [.. InstrumentScoring.Score(data)["total"]];
            name = $"{instrument.Id} total";
        }
        else
        {
            scores = new double[data.RowCount];
            for (int r = 0; r < data.RowCount; r++)
            {
                double s = 0;
                foreach (double v in data.Items.Row(r)) s += v;
                scores[r] = s;
            }
            name = "sum of items";
        }
        var byClient = new Dictionary<string, Dictionary<double, (double, int)>>(StringComparer.Ordinal);
        for (int r = 0; r < data.RowCount; r++)
        {
            string? id = clients[r];
            double s = session[r];
            if (id is null || double.IsNaN(s)) continue;
            if (!byClient.TryGetValue(id, out var sessions)) byClient[id] = sessions = [];
            if (!sessions.TryAdd(s, (scores[r], r)))
                throw new AllianceInputException($"line {data.SourceLine(r)}: client '{id}' has more than one row for session {s.ToString(CultureInfo.InvariantCulture)}.");
        }
        var all = byClient.Values.SelectMany(d => d.Keys).Distinct().Order().ToArray();
        return new SessionScores(byClient, all, name);
    }
}
