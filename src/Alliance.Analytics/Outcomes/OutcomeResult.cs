using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Outcomes;

/// <summary>
/// What <see cref="OutcomeAnalysis"/>.<c>Analyze</c> found: the client-level data, the correlations with their intervals, the
/// between/within-therapist model and the comparison with the literature. <see cref="Usage"/> counts clients.
/// </summary>
public sealed record OutcomeResult : IAnalysisResult
{
    /// <summary>The options used.</summary>
    public required OutcomeOptions Options { get; init; }

    /// <summary>The clients used (alliance and outcome score present).</summary>
    public required ImmutableArray<ClientSummary> Clients { get; init; }

    /// <summary>Rows (sessions) the clients were summarised from.</summary>
    public required int SessionRows { get; init; }

    /// <summary>
    /// Session rows: as loaded (rows dropped at load, e.g. by <c>--drop-invalid</c>, are counted) and those left out before
    /// clients were summarised (no client id). JSON <c>session_data</c>, in the shape of <c>data</c>.
    /// </summary>
    public DataUsage SessionUsage { get; init; } = DataUsage.All(0);

    /// <summary>Pearson r with the Fisher-z interval.</summary>
    public required CorrelationEstimate Pearson { get; init; }

    /// <summary>Pearson r with the bootstrap interval (null when not asked for).</summary>
    public required CorrelationEstimate? BootstrapPearson { get; init; }

    /// <summary>Spearman's ρ.</summary>
    public required CorrelationEstimate Spearman { get; init; }

    /// <summary>Kendall's τ-b (null with fewer than 5 clients).</summary>
    public required CorrelationEstimate? Kendall { get; init; }

    /// <summary>Partial r controlling baseline severity (null without a baseline).</summary>
    public required CorrelationEstimate? Partial { get; init; }

    /// <summary>r corrected for unreliability (null unless both reliabilities were given).</summary>
    public required CorrelationEstimate? Disattenuated { get; init; }

    /// <summary>The between/within-therapist model (null without therapists, or when it could not be fitted; see <see cref="Warnings"/>).</summary>
    public required TherapistEffectsResult? Therapist { get; init; }

    /// <summary>The within-patient lagged model (null unless asked for).</summary>
    public required WithinPatientResult? WithinPatient { get; init; }

    /// <summary>The comparison with the published meta-analyses.</summary>
    public required BenchmarkResult? Benchmark { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        string F(double v, int d = 3) => v.ToString("F" + d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var o = Options;
        var lines = new List<string>
        {
            $"Alliance: {o.Alliance} ({Timing()}{(o.RaterValue is null ? "" : $", rater {o.RaterValue}")}); outcome: {OutcomeAnalysis.ScoreName(o.Score)} of {o.Outcome} " +
            $"({(o.HigherIsBetter ? "higher is better" : "lower is better")})" + (o.Baseline is null ? "" : $"; baseline: {o.Baseline}"),
            $"n = {Usage.RowsUsed.ToString("N0", CultureInfo.InvariantCulture)} of {Usage.RowsAvailable.ToString("N0", CultureInfo.InvariantCulture)} clients " +
            $"(from {SessionRows.ToString("N0", CultureInfo.InvariantCulture)} rows" +
            (SessionUsage.RowsExcluded == 0 ? ")" : $"; session rows left out: {string.Join("; ", SessionUsage.Exclusions.Select(e => e.ToString()))})") +
            (Usage.RowsExcluded == 0 ? "" : "; left out: " + string.Join("; ", Usage.Exclusions.Select(e => e.ToString()).Select(t => t.Replace(" rows:", " clients:", StringComparison.Ordinal).Replace("1 row:", "1 client:", StringComparison.Ordinal)))),
        };
        var corr = new List<IReadOnlyList<object?>>();
        void Add(string name, CorrelationEstimate? c)
        {
            if (c is not null) corr.Add([name, c.R, c.Interval.Lower, c.Interval.Upper, c.N, c.PValue, c.Interval.Method]);
        }
        Add("Pearson r", Pearson);
        Add("Pearson r (bootstrap)", BootstrapPearson);
        Add("Spearman rho", Spearman);
        Add("Kendall tau-b", Kendall);
        Add($"partial r | {o.Baseline ?? "pre"}", Partial);
        Add("disattenuated r", Disattenuated);
        var tables = new List<ResultTable>
        {
            new("Alliance–outcome correlations",
                [TableColumn.Label("statistic"), TableColumn.Number("estimate"), TableColumn.Number("lower"), TableColumn.Number("upper"),
                 TableColumn.Integer("n"), TableColumn.Number("p", 4), TableColumn.Label("interval")], corr),
        };
        if (Therapist is { } t)
        {
            tables.Add(new ResultTable("Between/within-therapist model (Baldwin, Wampold & Imel 2007), REML",
                [TableColumn.Label("effect"), TableColumn.Number("b", 4), TableColumn.Number("SE", 4), TableColumn.Number("df", 1), TableColumn.Number("p", 4),
                 TableColumn.Number("lower", 4), TableColumn.Number("upper", 4)],
                [
                    ["between therapists (therapist mean alliance)", t.BetweenTherapist.B, t.BetweenTherapist.StandardError, t.BetweenTherapist.DegreesOfFreedom, t.BetweenTherapist.PValue, t.BetweenTherapist.Interval.Lower, t.BetweenTherapist.Interval.Upper],
                    ["within therapists (client's deviation)", t.WithinTherapist.B, t.WithinTherapist.StandardError, t.WithinTherapist.DegreesOfFreedom, t.WithinTherapist.PValue, t.WithinTherapist.Interval.Lower, t.WithinTherapist.Interval.Upper],
                ]));
            lines.Add($"Therapists: {t.Therapists}; therapist variance {F(t.TherapistVariance, 4)}, residual variance {F(t.ResidualVariance, 4)}, therapist ICC {F(t.TherapistIcc)}");
        }
        if (Benchmark is { } bm)
        {
            tables.Add(new ResultTable("Beside the published meta-analyses (r signed: positive = more alliance, better outcome)",
                [TableColumn.Label("meta-analysis"), TableColumn.Integer("studies"), TableColumn.Number("published r"), TableColumn.Label("95% CI"),
                 TableColumn.Number("difference"), TableColumn.Number("z", 2), TableColumn.Number("p", 3), TableColumn.Label("this clinic is")],
                [.. bm.Comparisons.Select(c => (IReadOnlyList<object?>)[c.Published.Citation, c.Published.Studies, c.Published.R,
                    double.IsNaN(c.Published.Lower) ? "—" : $"{F(c.Published.Lower, 3)}–{F(c.Published.Upper, 3)}", c.Difference, c.Z, c.PValue, c.Verdict])]));
        }
        if (WithinPatient is { } wp)
        {
            lines.Add($"Within-patient lagged effect of alliance on next-session {Options.Outcome}: {wp.Within} ({wp.Pairs} session pairs, {wp.Clients} clients" +
                (wp.Detrended ? ", detrended" : "") + $"); between-client effect of mean alliance {wp.Between}");
        }
        var notes = new List<string>
        {
            "Fisher-z interval for r; Spearman with the Bonett–Wright SE; partial r controls baseline severity by least squares.",
            "Benchmark: z test on Fisher's z with the published interval's SE; where a meta-analysis gives no interval its value is treated as fixed.",
        };
        if (Benchmark is { } b2) notes.Add(b2.Interpretation);
        return new ResultSummary("Alliance and outcome", lines, tables, notes, Warnings);

        string Timing() => Options.Timing switch
        {
            AllianceTiming.Mean => "mean over sessions",
            AllianceTiming.First => "first session",
            AllianceTiming.Last => "last session",
            _ => $"session {Options.AtSession?.ToString(CultureInfo.InvariantCulture)}",
        };
    }

    /// <summary>
    /// <c>{"n", "data", "session_data", "warnings", "r", "r_ci", "r_p", "r_bootstrap_ci", "r_bootstrap_resamples", "spearman", "spearman_ci",
    /// "kendall", "partial_r", "partial_r_ci", "disattenuated_r", "between_therapist": {"b", "se", "p", "df", "ci"}, "within_therapist",
    /// "therapist_variance", "residual_variance", "therapist_icc", "therapists", "within_patient": {"within", "between", "pairs",
    /// "clients", "broken_pairs", "detrended"}, "benchmark": {…}, "settings": {…}}</c>; <c>data</c> counts clients,
    /// <c>session_data</c> session rows; absent analyses are <c>null</c>.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["session_data"] = JsonOutput.Usage(SessionUsage);
        o["r"] = JsonOutput.Number(Pearson.R);
        o["r_ci"] = JsonOutput.Interval(Pearson.Interval);
        o["r_p"] = JsonOutput.Number(Pearson.PValue);
        o["r_bootstrap_ci"] = BootstrapPearson is { } b ? JsonOutput.Interval(b.Interval) : null;
        o["r_bootstrap_resamples"] = BootstrapPearson is { Resamples: > 0 } b2 ? b2.Resamples : null;
        o["spearman"] = JsonOutput.Number(Spearman.R);
        o["spearman_ci"] = JsonOutput.Interval(Spearman.Interval);
        o["kendall"] = Kendall is { } k ? JsonOutput.Number(k.R) : null;
        o["partial_r"] = Partial is { } p ? JsonOutput.Number(p.R) : null;
        o["partial_r_ci"] = Partial is { } p2 ? JsonOutput.Interval(p2.Interval) : null;
        o["disattenuated_r"] = Disattenuated is { } d ? JsonOutput.Number(d.R) : null;
        o["between_therapist"] = Therapist is { } t ? EffectJson(t.BetweenTherapist) : null;
        o["within_therapist"] = Therapist is { } t2 ? EffectJson(t2.WithinTherapist) : null;
        o["therapist_variance"] = Therapist is { } t3 ? JsonOutput.Number(t3.TherapistVariance) : null;
        o["residual_variance"] = Therapist is { } t4 ? JsonOutput.Number(t4.ResidualVariance) : null;
        o["therapist_icc"] = Therapist is { } t5 ? JsonOutput.Number(t5.TherapistIcc) : null;
        o["therapists"] = Therapist?.Therapists;
        o["within_patient"] = WithinPatient is { } wp ? new JsonObject
        {
            ["within"] = EffectJson(wp.Within),
            ["between"] = EffectJson(wp.Between),
            ["pairs"] = wp.Pairs,
            ["clients"] = wp.Clients,
            ["broken_pairs"] = wp.BrokenPairs,
            ["detrended"] = wp.Detrended,
        } : null;
        o["benchmark"] = Benchmark is { } bm ? new JsonObject
        {
            ["r_signed"] = JsonOutput.Number(bm.R),
            ["ci_signed"] = JsonOutput.Interval(bm.Lower, bm.Upper),
            ["study_percentile"] = JsonOutput.Number(bm.StudyPercentile),
            ["comparisons"] = new JsonArray([.. bm.Comparisons.Select(c => (JsonNode?)new JsonObject
            {
                ["citation"] = c.Published.Citation,
                ["studies"] = c.Published.Studies,
                ["r"] = c.Published.R,
                ["ci"] = double.IsNaN(c.Published.Lower) ? null : JsonOutput.Interval(c.Published.Lower, c.Published.Upper),
                ["difference"] = JsonOutput.Number(c.Difference),
                ["z"] = JsonOutput.Number(c.Z),
                ["p"] = JsonOutput.Number(c.PValue),
                ["verdict"] = c.Verdict,
            })]),
            ["interpretation"] = bm.Interpretation,
        } : null;
        o["settings"] = new JsonObject
        {
            ["alliance"] = Options.Alliance,
            ["outcome"] = Options.Outcome,
            ["baseline"] = Options.Baseline,
            ["alliance_timing"] = Options.Timing.ToString().ToLowerInvariant(),
            ["at_session"] = Options.AtSession is { } s ? JsonOutput.Number(s) : null,
            ["outcome_score"] = Options.Score switch { OutcomeScore.Post => "post", OutcomeScore.Change => "change", OutcomeScore.ResidualizedGain => "residualized_gain", _ => "slope" },
            ["higher_is_better"] = Options.HigherIsBetter,
            ["rater"] = Options.RaterValue,
            ["session_rows"] = SessionRows,
            ["level"] = Options.Level,
            ["client"] = Options.Client,
            ["therapist"] = Options.Therapist,
            ["session"] = Options.Session,
            ["bootstrap_seed"] = Options.Bootstrap?.Seed,
        };
        return o;
    }

    internal static JsonObject EffectJson(EffectEstimate e) => new()
    {
        ["b"] = JsonOutput.Number(e.B),
        ["se"] = JsonOutput.Number(e.StandardError),
        ["p"] = JsonOutput.Number(e.PValue),
        ["df"] = JsonOutput.Number(e.DegreesOfFreedom),
        ["ci"] = JsonOutput.Interval(e.Interval),
    };

    /// <summary>"Alliance–outcome r = −.31 [−.40, −.22], n = 412".</summary>
    public override string ToString() => $"Alliance–outcome {Pearson}";
}
