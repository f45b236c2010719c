using System.Collections.Immutable;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Outcomes;

/// <summary>Which of a client's alliance ratings stands for the client.</summary>
public enum AllianceTiming
{
    /// <summary>The mean over the client's sessions (the most common choice in the meta-analyses).</summary>
    Mean,
    /// <summary>The first rated session.</summary>
    First,
    /// <summary>The last rated session.</summary>
    Last,
    /// <summary>The session numbered <see cref="ClientOutcomeOptions.AtSession"/> (e.g. 3, "early alliance").</summary>
    AtSession,
}

/// <summary>Which client-level outcome is correlated with alliance.</summary>
public enum OutcomeScore
{
    /// <summary>The outcome at the client's last session (post-treatment); with a baseline, "residualised" by the partial correlation.</summary>
    Post,
    /// <summary>Pre–post change: last minus first (needs a baseline or repeated outcome).</summary>
    Change,
    /// <summary>Residualised gain: post minus its prediction from pre by least squares across clients (Cronbach &amp; Furby 1970).</summary>
    ResidualizedGain,
    /// <summary>The client's least-squares slope of the outcome over session numbers (needs two or more sessions).</summary>
    Slope,
}

/// <summary>How long (session) data become one row per client (<see cref="ClientOutcomes.Summarize"/>); <see cref="OutcomeOptions"/> extends it.</summary>
public record ClientOutcomeOptions
{
    /// <summary>Alliance column (a score computed on the fly is added to the frame by the caller).</summary>
    public required string Alliance { get; init; }

    /// <summary>Outcome column: per-session symptoms, or a client-level outcome repeated on each row.</summary>
    public required string Outcome { get; init; }

    /// <summary>Baseline (pre-treatment severity) column: its value at the client's first session is "pre". Null: the outcome at the first session is "pre" when there are several sessions.</summary>
    public string? Baseline { get; init; }

    /// <summary>Client id column (default <c>client_id</c>); when absent from the data each row is a client.</summary>
    public string Client { get; init; } = "client_id";

    /// <summary>Therapist id column (default <c>therapist_id</c>; ignored when absent).</summary>
    public string? Therapist { get; init; } = "therapist_id";

    /// <summary>Session number column (default <c>session</c>; rows are taken in file order when absent).</summary>
    public string Session { get; init; } = "session";

    /// <summary>Rater column and the rater whose alliance ratings are used (e.g. <c>rater</c> = "client"); null uses every row.</summary>
    public string? Rater { get; init; }

    /// <summary>The rater value to keep for alliance (with <see cref="Rater"/>).</summary>
    public string? RaterValue { get; init; }

    /// <summary>Which alliance rating stands for a client (default the mean over sessions).</summary>
    public AllianceTiming Timing { get; init; } = AllianceTiming.Mean;

    /// <summary>The session number for <see cref="AllianceTiming.AtSession"/>.</summary>
    public double? AtSession { get; init; }
}

/// <summary>One client's summary of a course of sessions.</summary>
/// <param name="Client">Client id.</param>
/// <param name="Therapist">Therapist id, or null.</param>
/// <param name="Sessions">Rows (sessions) of the client.</param>
/// <param name="Alliance">Alliance under the chosen timing (NaN when not rated then).</param>
/// <param name="Pre">Baseline severity (NaN when unknown).</param>
/// <param name="Post">Outcome at the last session with an outcome.</param>
/// <param name="Change">Post − pre.</param>
/// <param name="ResidualizedGain">Post minus its least-squares prediction from pre across clients.</param>
/// <param name="Slope">Least-squares slope of the outcome on session number (NaN with fewer than two distinct sessions).</param>
/// <param name="FirstLine">Source line of the client's first row.</param>
public sealed record ClientSummary(string Client, string? Therapist, int Sessions, double Alliance, double Pre, double Post, double Change,
    double ResidualizedGain, double Slope, int FirstLine)
{
    /// <summary>The outcome score chosen.</summary>
    public double Score(OutcomeScore score) => score switch
    {
        OutcomeScore.Post => Post,
        OutcomeScore.Change => Change,
        OutcomeScore.ResidualizedGain => ResidualizedGain,
        _ => Slope,
    };
}

/// <summary>
/// Clients summarised from session rows, with the session rows' own account: <see cref="SessionUsage"/> counts session
/// rows (those dropped when the file was loaded and those without a client id are left out), <see cref="Warnings"/>
/// says how many rows of the clients did not enter their alliance or outcome.
/// </summary>
/// <param name="Clients">One summary per client.</param>
/// <param name="SessionUsage">Session rows: available (as loaded), left out and why.</param>
/// <param name="Warnings">Session rows that did not enter a client's alliance or outcome, and repeated sessions.</param>
public sealed record ClientOutcomeSet(ImmutableArray<ClientSummary> Clients, DataUsage SessionUsage, IReadOnlyList<string> Warnings);

/// <summary>Turns a long table of sessions into one row per client: alliance by timing and rater, pre, post, change, residualised gain and slope.</summary>
public static class ClientOutcomes
{
    /// <summary>
    /// Summarises each client. Pre is the first non-missing value of the baseline column in session order (or, without
    /// a baseline column, the outcome at the first session with an outcome when the client has two or more sessions
    /// with one); post the outcome at the last session with one; change = post − pre; residualised gain = post − (a + b·pre)
    /// with a, b from least squares across the clients that have both (R: <c>resid(lm(post ~ pre))</c>); slope the
    /// client's least-squares slope of outcome on session. When the data have no client column each row is a client.
    /// </summary>
    /// <exception cref="AllianceInputException">When a named column is missing or holds the wrong type, a session number is
    /// missing, or a client has rows with different therapists.</exception>
    public static ImmutableArray<ClientSummary> Summarize(ModelFrame frame, ClientOutcomeOptions options) => SummarizeSessions(frame, options).Clients;

    /// <summary>
    /// As <see cref="Summarize"/>, with the account of the session rows: <paramref name="loaded"/> (rows dropped when the
    /// file was loaded, e.g. by <c>--drop-invalid</c>) comes first in <see cref="ClientOutcomeSet.SessionUsage"/>, then
    /// rows without a client id; rows of a client without an alliance rating (of the chosen rater) or without an outcome
    /// are counted in the warnings, since the client's other sessions still stand for it.
    /// </summary>
    /// <exception cref="AllianceInputException">As <see cref="Summarize"/>.</exception>
    public static ClientOutcomeSet SummarizeSessions(ModelFrame frame, ClientOutcomeOptions options, DataUsage? loaded = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(options);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (options.Timing == AllianceTiming.AtSession && options.AtSession is null)
            throw new AllianceInputException("alliance timing 'at session' needs a session number (ClientOutcomeOptions.AtSession)", "ClientOutcomeOptions.AtSession");
        var alliance = frame.NumericFor(options.Alliance, "ClientOutcomeOptions.Alliance");
        var outcome = frame.NumericFor(options.Outcome, "ClientOutcomeOptions.Outcome");
        var baseline = options.Baseline is { } b ? frame.NumericFor(b, "ClientOutcomeOptions.Baseline") : null;
        bool hasClient = Has(frame, options.Client, "client_id", "client id", "ClientOutcomeOptions.Client");
        var (clientCodes, clientLevels) = hasClient ? frame.Factor(options.Client)
            : ([.. Enumerable.Range(0, frame.RowCount)], [.. Enumerable.Range(0, frame.RowCount).Select(i => "row " + frame.SourceLine(i).ToString(inv))]);
        (int[] Codes, ImmutableArray<string> Levels)? therapist = options.Therapist is { } t && Has(frame, t, "therapist_id", "therapist id", "ClientOutcomeOptions.Therapist") ? frame.Factor(t) : null;
        bool hasSession = Has(frame, options.Session, "session", "session number", "ClientOutcomeOptions.Session");
        double[] session = hasSession ? frame.Numeric(options.Session).ToArray() : [.. Enumerable.Range(1, frame.RowCount).Select(i => (double)i)];
        var noSession = Enumerable.Range(0, frame.RowCount).Where(r => double.IsNaN(session[r])).ToList();
        if (noSession.Count > 0)
            throw new AllianceInputException($"{frame.Source}: {noSession.Count} rows have no {options.Session} number (lines {string.Join(", ", noSession.Take(DataUsage.MaxLinesListed).Select(r => frame.SourceLine(r).ToString(inv)))}); sessions order each client's rows");
        bool[]? raterKeep = null;
        if (options.Rater is { } raterColumn)
        {
            if (options.RaterValue is null) throw new AllianceInputException("a rater column was named without the rater to keep (ClientOutcomeOptions.RaterValue)", "ClientOutcomeOptions.RaterValue");
            var (codes, levels) = frame.Factor(raterColumn);
            int want = levels.IndexOf(options.RaterValue);
            if (want < 0) throw new AllianceInputException($"{frame.Source}: no rater '{options.RaterValue}' in column '{raterColumn}' (raters: {string.Join(", ", levels)})");
            raterKeep = [.. codes.Select(c => c == want)];
        }

        var rowsOf = new List<int>[clientLevels.Length];
        var noClient = new List<int>();
        for (int r = 0; r < frame.RowCount; r++)
        {
            int c = clientCodes[r];
            if (c < 0) { noClient.Add(frame.SourceLine(r)); continue; }
            (rowsOf[c] ??= []).Add(r);
        }
        var usage = (loaded ?? DataUsage.All(frame.RowCount)).Then(DataUsage.All(frame.RowCount).Exclude($"no {options.Client}", noClient.Count, noClient));
        var unrated = new List<int>();
        var noOutcomeRows = new List<int>();
        var repeated = new List<int>();
        var summaries = new List<ClientSummary>();
        for (int c = 0; c < rowsOf.Length; c++)
        {
            var unordered = rowsOf[c];
            if (unordered is null) continue;
            // Stable: rows of the same session stay in file order.
            var rows = unordered.OrderBy(r => session[r]).ToList();
            var rater = rows.Where(r => raterKeep is null || raterKeep[r]).ToList();
            var rated = rater.Where(r => !double.IsNaN(alliance[r])).ToList();
            unrated.AddRange(rater.Where(r => double.IsNaN(alliance[r])));
            for (int k = 1; k < rated.Count; k++)
                if (session[rated[k]] == session[rated[k - 1]]) repeated.Add(rated[k]);
            double a = options.Timing switch
            {
                AllianceTiming.Mean => rated.Count == 0 ? double.NaN : rated.Average(r => alliance[r]),
                AllianceTiming.First => rated.Count == 0 ? double.NaN : alliance[rated[0]],
                AllianceTiming.Last => rated.Count == 0 ? double.NaN : alliance[rated[^1]],
                _ => rated.Where(r => session[r] == options.AtSession).Select(r => alliance[r]).DefaultIfEmpty(double.NaN).First(),
            };
            var withOutcome = rows.Where(r => !double.IsNaN(outcome[r])).ToList();
            noOutcomeRows.AddRange(rows.Where(r => double.IsNaN(outcome[r])));
            double post = withOutcome.Count == 0 ? double.NaN : outcome[withOutcome[^1]];
            double pre;
            if (baseline is not null) pre = rows.Select(r => baseline[r]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).First();
            else pre = withOutcome.Count >= 2 ? outcome[withOutcome[0]] : double.NaN;
            double slope = double.NaN;
            if (withOutcome.Select(r => session[r]).Distinct().Count() >= 2)
            {
                double ms = withOutcome.Average(r => session[r]), my = withOutcome.Average(r => outcome[r]), sxy = 0, sxx = 0;
                foreach (int r in withOutcome) { sxy += (session[r] - ms) * (outcome[r] - my); sxx += (session[r] - ms) * (session[r] - ms); }
                slope = sxy / sxx;
            }
            string? ther = null;
            if (therapist is { } th)
            {
                var codes = rows.Select(r => th.Codes[r]).Where(x => x >= 0).Distinct().ToList();
                if (codes.Count > 1)
                    throw new AllianceInputException($"{frame.Source}: client {clientLevels[c]} is seen by {codes.Count} therapists ({string.Join(", ", codes.Select(x => th.Levels[x]))}; lines " +
                        $"{string.Join(", ", rows.Take(DataUsage.MaxLinesListed).Select(r => frame.SourceLine(r).ToString(inv)))}); the therapist model needs one therapist per client");
                ther = codes.Count == 1 ? th.Levels[codes[0]] : null;
            }
            summaries.Add(new ClientSummary(clientLevels[c], ther, rows.Count, a, pre, post, post - pre, double.NaN, slope, frame.SourceLine(rows[0])));
        }
        var warnings = new List<string>();
        string Lines(List<int> rows) => string.Join(", ", rows.Order().Take(DataUsage.MaxLinesListed).Select(r => frame.SourceLine(r).ToString(inv))) + (rows.Count > DataUsage.MaxLinesListed ? ", …" : "");
        if (unrated.Count > 0)
            warnings.Add($"{unrated.Count} session rows have no {options.Alliance}{(options.RaterValue is null ? "" : $" from rater {options.RaterValue}")} (lines {Lines(unrated)}): their clients' alliance comes from their other sessions");
        if (noOutcomeRows.Count > 0)
            warnings.Add($"{noOutcomeRows.Count} session rows have no {options.Outcome} (lines {Lines(noOutcomeRows)}): their clients' outcome comes from their other sessions");
        if (repeated.Count > 0)
            warnings.Add($"{repeated.Count} rated rows repeat a client's session number (lines {Lines(repeated)}): they are taken in file order");

        // Residualised gain across clients with pre and post.
        var both = summaries.Where(s => !double.IsNaN(s.Pre) && !double.IsNaN(s.Post)).ToList();
        if (both.Count >= 3)
        {
            double mx = both.Average(s => s.Pre), my = both.Average(s => s.Post), sxy = 0, sxx = 0;
            foreach (var s in both) { sxy += (s.Pre - mx) * (s.Post - my); sxx += (s.Pre - mx) * (s.Pre - mx); }
            if (sxx > 0)
            {
                double slope = sxy / sxx, intercept = my - slope * mx;
                for (int i = 0; i < summaries.Count; i++)
                {
                    var s = summaries[i];
                    if (!double.IsNaN(s.Pre) && !double.IsNaN(s.Post)) summaries[i] = s with { ResidualizedGain = s.Post - (intercept + slope * s.Pre) };
                }
            }
        }
        return new ClientOutcomeSet([.. summaries], usage, warnings);
    }

    // A column named other than its default must exist; the default applies only when present.
    internal static bool Has(ModelFrame frame, string column, string defaultName, string what, string property)
    {
        bool present = frame.HasFactor(column) || frame.HasNumeric(column);
        if (!present && column != defaultName)
            throw new AllianceInputException($"{frame.Source}: no {what} column '{column}' for {property} (columns: {string.Join(", ", frame.NumericNames.Concat(frame.FactorNames))})", property);
        return present;
    }
}
