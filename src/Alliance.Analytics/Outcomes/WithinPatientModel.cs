using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Outcomes;

/// <summary>Options for <see cref="WithinPatientModel.Fit"/>.</summary>
public sealed record WithinPatientOptions
{
    /// <summary>Alliance column (session-level).</summary>
    public required string Alliance { get; init; }

    /// <summary>Symptom column (session-level).</summary>
    public required string Symptoms { get; init; }

    /// <summary>Client id column.</summary>
    public string Client { get; init; } = "client_id";

    /// <summary>Session number column.</summary>
    public string Session { get; init; } = "session";

    /// <summary>Therapist column: when given and present, therapists get a random intercept too (clients nested in therapists).</summary>
    public string? Therapist { get; init; }

    /// <summary>Rater column and the rater whose rows are used (e.g. <c>rater</c> = "client"); null uses every row.</summary>
    public string? Rater { get; init; }

    /// <summary>The rater value to keep (with <see cref="Rater"/>).</summary>
    public string? RaterValue { get; init; }

    /// <summary>
    /// Remove each client's linear trend in alliance over sessions before centring (Wang &amp; Maxwell 2015;
    /// Falkenström, Finkel, Sandell, Rubel &amp; Holmqvist 2017), so a within-client effect is not a shared time trend.
    /// </summary>
    public bool Detrend { get; init; }

    /// <summary>
    /// Adjust for this session's symptoms (default true, the usual specification: the effect of alliance on the change
    /// to the next session). False fits next-session symptoms without it (Falkenström et al. 2017 compare both).
    /// </summary>
    public bool AdjustForCurrentSymptoms { get; init; } = true;

    /// <summary>Include the session number as a fixed covariate (the average symptom trajectory). Default true.</summary>
    public bool IncludeSession { get; init; } = true;

    /// <summary>Estimation options for the mixed model.</summary>
    public MixedModelOptions Model { get; init; } = new();
}

/// <summary>
/// The within-patient lagged model (Falkenström et al. 2013, 2017; Zilcha-Mano 2017): does a client's better-than-usual
/// alliance in a session go with fewer symptoms at the next one?
/// </summary>
/// <param name="Model">symptoms_next ~ alliance_within + alliance_mean [+ symptoms] [+ session] + (1 | client), REML.</param>
/// <param name="Within">The within-client (state-like) lagged effect of alliance.</param>
/// <param name="Between">The between-client (trait-like) effect of the client's mean alliance.</param>
/// <param name="Pairs">Session pairs (t, t + 1) used.</param>
/// <param name="Clients">Clients contributing.</param>
/// <param name="BrokenPairs">Adjacent complete rows of a client whose sessions are not consecutive (e.g. 2 then 5): not pairs, left out.</param>
/// <param name="Detrended">Whether alliance was detrended within clients.</param>
/// <param name="Usage">Rows used and left out.</param>
/// <param name="Warnings">Warnings.</param>
public sealed record WithinPatientResult(MixedModelFit Model, EffectEstimate Within, EffectEstimate Between, int Pairs, int Clients, int BrokenPairs, bool Detrended,
    DataUsage Usage, IReadOnlyList<string> Warnings) : IAnalysisResult
{
    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var m = Model.Summary();
        var lines = new List<string>
        {
            $"{Pairs} session pairs from {Clients} clients; alliance person-mean centred{(Detrended ? " after removing each client's linear trend" : "")}." +
            (BrokenPairs == 0 ? "" : $" {BrokenPairs} adjacent rated sessions were not consecutive (a session between them unrated or missing) and were not paired."),
            $"Within-client lagged effect of alliance on next-session symptoms: {Within}",
            $"Between-client effect of mean alliance: {Between}",
        };
        lines.AddRange(m.Lines);
        return new ResultSummary("Within-patient lagged model (alliance → next-session symptoms)", lines, m.Tables,
            [.. m.Notes, "Falkenström, Granström & Holmqvist (2013); Zilcha-Mano (2017). A lagged dependent variable with a random intercept is biased when clients have few sessions (Nickell 1981)."],
            Warnings);
    }

    /// <summary><c>{"within": {b, se, p}, "between": {…}, "pairs", "clients", "broken_pairs", "detrended", "model": {…}}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["within"] = OutcomeResult.EffectJson(Within);
        o["between"] = OutcomeResult.EffectJson(Between);
        o["pairs"] = Pairs;
        o["clients"] = Clients;
        o["broken_pairs"] = BrokenPairs;
        o["detrended"] = Detrended;
        o["model"] = Model.ToJson();
        return o;
    }

    /// <summary>One line.</summary>
    public override string ToString() => $"Within-patient lagged alliance effect {Within} ({Pairs} pairs, {Clients} clients)";
}

/// <summary>Fits the within-patient lagged model on session-level data.</summary>
public static class WithinPatientModel
{
    /// <summary>
    /// Builds, per client and in session order, pairs of consecutive rated sessions (t, t + 1) — the next row must have
    /// session number exactly one more, so a gap (2 then 5, or an unrated session 3 between 2 and 4) is not a pair and is
    /// counted in <see cref="WithinPatientResult.BrokenPairs"/>; sessions that are not whole numbers pair only when they
    /// differ by exactly 1 — and fits
    /// symptoms₍ₜ₊₁₎ ~ alliance_within₍ₜ₎ + alliance_mean + symptoms₍ₜ₎ [+ session₍ₜ₎] + (1 | client) by REML, where
    /// alliance_mean is the client's mean alliance over the sessions used and alliance_within₍ₜ₎ = alliance₍ₜ₎ −
    /// alliance_mean (or, with <see cref="WithinPatientOptions.Detrend"/>, the residual of the client's own
    /// regression of alliance on session). R: <c>lmerTest::lmer(y_next ~ a_within + a_mean + y + session + (1 | client))</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When columns are missing, a client has two complete rows with the same session
    /// number (of the chosen rater), or fewer than 3 clients have two consecutive rated sessions.</exception>
    public static WithinPatientResult Fit(ModelFrame frame, WithinPatientOptions options, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(options);
        var alliance = frame.NumericFor(options.Alliance, "WithinPatientOptions.Alliance");
        var symptoms = frame.NumericFor(options.Symptoms, "WithinPatientOptions.Symptoms");
        var session = frame.Numeric(options.Session).ToArray();
        var (client, levels) = frame.Factor(options.Client);
        (int[] Codes, ImmutableArray<string> Levels)? therapist = options.Therapist is { } t && (frame.HasFactor(t) || frame.HasNumeric(t)) ? frame.Factor(t) : null;
        bool[]? raterKeep = null;
        if (options.Rater is { } raterColumn)
        {
            if (options.RaterValue is null) throw new AllianceInputException("a rater column was named without the rater to keep (WithinPatientOptions.RaterValue)", "WithinPatientOptions.RaterValue");
            var (codes, raters) = frame.Factor(raterColumn);
            int want = raters.IndexOf(options.RaterValue);
            if (want < 0) throw new AllianceInputException($"{frame.Source}: no rater '{options.RaterValue}' in column '{raterColumn}' (raters: {string.Join(", ", raters)})");
            raterKeep = [.. codes.Select(c => c == want)];
        }
        var rowsOf = new List<int>[levels.Length];
        int incomplete = 0, otherRater = 0;
        var incompleteLines = new List<int>();
        var otherRaterLines = new List<int>();
        for (int r = 0; r < frame.RowCount; r++)
        {
            if (raterKeep is not null && !raterKeep[r])
            {
                otherRater++;
                otherRaterLines.Add(frame.SourceLine(r));
                continue;
            }
            if (client[r] < 0 || double.IsNaN(alliance[r]) || double.IsNaN(symptoms[r]) || double.IsNaN(session[r]))
            {
                incomplete++;
                incompleteLines.Add(frame.SourceLine(r));
                continue;
            }
            (rowsOf[client[r]] ??= []).Add(r);
        }
        var yNext = new List<double>();
        var within = new List<double>();
        var meanA = new List<double>();
        var yNow = new List<double>();
        var sess = new List<double>();
        var clientLabel = new List<string?>();
        var therapistLabel = new List<string?>();
        int lastRows = 0, clients = 0, broken = 0;
        var brokenLines = new List<int>();
        foreach (var unordered in rowsOf)
        {
            if (unordered is null || unordered.Count < 2) { lastRows += unordered?.Count ?? 0; continue; }
            var rows = unordered.OrderBy(r => session[r]).ToList();
            for (int k = 1; k < rows.Count; k++)
                if (session[rows[k]] == session[rows[k - 1]])
                    throw new AllianceInputException($"{frame.Source}: client {levels[client[rows[k]]]} has two rows for {options.Session} " +
                        $"{session[rows[k]].ToString(CultureInfo.InvariantCulture)} (lines {frame.SourceLine(rows[k - 1]).ToString(CultureInfo.InvariantCulture)}, " +
                        $"{frame.SourceLine(rows[k]).ToString(CultureInfo.InvariantCulture)}){(options.Rater is null ? "; with several raters name the one to use (WithinPatientOptions.Rater and RaterValue)" : "")}");
            double ma = rows.Average(r => alliance[r]);
            double ms = rows.Average(r => session[r]);
            double slope = 0;
            if (options.Detrend)
            {
                double sxy = 0, sxx = 0;
                foreach (int r in rows) { sxy += (session[r] - ms) * (alliance[r] - ma); sxx += (session[r] - ms) * (session[r] - ms); }
                slope = sxx > 0 ? sxy / sxx : 0;
            }
            int before = yNext.Count;
            lastRows++;
            for (int k = 0; k + 1 < rows.Count; k++)
            {
                int r = rows[k], next = rows[k + 1];
                if (session[next] != session[r] + 1)
                {
                    broken++;
                    brokenLines.Add(frame.SourceLine(r));
                    continue;
                }
                yNext.Add(symptoms[next]);
                within.Add(alliance[r] - ma - slope * (session[r] - ms));
                meanA.Add(ma);
                yNow.Add(symptoms[r]);
                sess.Add(session[r]);
                clientLabel.Add(levels[client[r]]);
                therapistLabel.Add(therapist is { } th && th.Codes[r] >= 0 ? th.Levels[th.Codes[r]] : null);
            }
            if (yNext.Count > before) clients++;
        }
        if (clients < 3) throw new AllianceInputException($"the lagged within-patient model needs at least 3 clients with two consecutive rated sessions; there are {clients}");
        int m = yNext.Count;
        var builder = ModelFrame.Create(m, frame.Source)
            .Numeric("symptoms_next", [.. yNext]).Numeric("alliance_within", [.. within]).Numeric("alliance_mean", [.. meanA])
            .Numeric("symptoms", [.. yNow]).Numeric("session", [.. sess]).Factor("client", clientLabel);
        bool withTherapist = therapist is not null && therapistLabel.All(x => x is not null);
        if (withTherapist) builder.Factor("therapist", therapistLabel);
        string formula = "symptoms_next ~ alliance_within + alliance_mean" + (options.AdjustForCurrentSymptoms ? " + symptoms" : "") + (options.IncludeSession ? " + session" : "") +
            (withTherapist ? " + (1 | therapist/client)" : " + (1 | client)");
        var fit = LinearMixedModel.Fit(formula, builder.Build(), options.Model, progress, cancellationToken);
        var usage = DataUsage.All(frame.RowCount)
            .Exclude($"rows of raters other than {options.RaterValue}", otherRater, otherRaterLines)
            .Exclude($"missing {options.Alliance}, {options.Symptoms}, {options.Session} or {options.Client}", incomplete, incompleteLines)
            .Exclude("each client's last rated session (no next session to predict) or a client's only session", lastRows)
            .Exclude("no rated next session (the next rated session is not session + 1)", broken, brokenLines);
        var warnings = fit.Warnings.ToList();
        if (therapist is not null && !withTherapist) warnings.Add("some rows have no therapist; therapists were left out of the random effects");
        return new WithinPatientResult(fit, EffectEstimate.From(fit["alliance_within"]), EffectEstimate.From(fit["alliance_mean"]), m, clients,
            broken, options.Detrend, usage, warnings);
    }
}
