using System.Globalization;
using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Outcomes;

/// <summary>
/// Options for <see cref="OutcomeAnalysis"/>.<c>Analyze</c>: the columns and how sessions become clients (inherited from
/// <see cref="ClientOutcomeOptions"/>), and what to estimate.
/// </summary>
public sealed record OutcomeOptions : ClientOutcomeOptions
{
    /// <summary>Client-level outcome (default the outcome at the last session).</summary>
    public OutcomeScore Score { get; init; } = OutcomeScore.Post;

    /// <summary>True when higher outcome scores are better (well-being); false (default) for symptom measures, where lower is better. Sets the sign compared with the literature.</summary>
    public bool HigherIsBetter { get; init; }

    /// <summary>Confidence level of every interval.</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>Bootstrap interval for r (BCa, 2000 resamples by default); null to skip.</summary>
    public BootstrapOptions? Bootstrap { get; init; } = new();

    /// <summary>Reliability of the alliance score (e.g. α from the reliability analysis), for the disattenuated r.</summary>
    public double? AllianceReliability { get; init; }

    /// <summary>Reliability of the outcome, for the disattenuated r.</summary>
    public double? OutcomeReliability { get; init; }

    /// <summary>Also fit the within-patient lagged model on the session rows (<see cref="WithinPatientModel"/>).</summary>
    public bool Lagged { get; init; }

    /// <summary>With <see cref="Lagged"/>: detrend alliance within clients before centring.</summary>
    public bool Detrend { get; init; }
}

/// <summary>
/// The alliance–outcome analysis a researcher runs first on their own data: session data summarised per client, the
/// correlation with Fisher-z and bootstrap intervals, Spearman and Kendall, the partial correlation controlling
/// baseline severity, the between/within-therapist model (Baldwin, Wampold &amp; Imel 2007) and the comparison with the
/// published meta-analyses. The CLI's <c>alliance outcome</c>.
/// </summary>
public static class OutcomeAnalysis
{
    /// <summary>Runs the analysis. See <see cref="OutcomeOptions"/> for the choices and <see cref="OutcomeResult"/> for what comes back.</summary>
    /// <exception cref="AllianceInputException">When a column is missing or fewer than 4 clients have alliance and outcome.</exception>
    public static OutcomeResult Analyze(ModelFrame frame, OutcomeOptions options, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Analyze(frame, options, null, progress, cancellationToken);

    /// <summary>
    /// Runs the analysis on prepared data (<see cref="ModelFrame.From"/>: keyed items, every column, and the
    /// instrument's scores under their keys, so OutcomeOptions.Alliance may name <c>total</c> or a
    /// subscale), with the rows left out when the data were prepared reported in <see cref="OutcomeResult.SessionUsage"/>.
    /// </summary>
    /// <exception cref="AllianceInputException">When a column is missing or fewer than 4 clients have alliance and outcome.</exception>
    public static OutcomeResult Analyze(AnalysisData data, OutcomeOptions options, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var scores = data.Instrument is { RequiresUserKey: false } instrument && instrument.Scores().Any(s => s.Key == Instruments.Instrument.ToKey(options.Alliance))
            ? InstrumentScoring.Score(data)
            : null;
        var frame = ModelFrame.From(data, scores);
        // The score named by OutcomeOptions.Alliance ("Total", "bond") is the alliance, under the name given.
        if (scores is not null) frame = frame.WithNumeric(options.Alliance, scores[options.Alliance].AsSpan());
        return Analyze(frame, options, data.Usage, progress, cancellationToken);
    }

    /// <summary>
    /// Runs the analysis on a frame whose rows were loaded with <paramref name="loaded"/> (e.g. rows dropped by
    /// <c>--drop-invalid</c>): those rows are reported in <see cref="OutcomeResult.SessionUsage"/>.
    /// </summary>
    /// <exception cref="AllianceInputException">When a column is missing or fewer than 4 clients have alliance and outcome.</exception>
    public static OutcomeResult Analyze(ModelFrame frame, OutcomeOptions options, DataUsage? loaded, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(options);
        progress?.Report(new AnalysisProgress("summarising sessions per client", double.NaN));
        var summarised = ClientOutcomes.SummarizeSessions(frame, options, loaded);
        var clients = summarised.Clients;
        var usage = DataUsage.All(clients.Length);
        var noAlliance = clients.Where(c => double.IsNaN(c.Alliance)).ToList();
        usage = usage.Exclude(options.Timing == AllianceTiming.AtSession ? $"no alliance rating at session {options.AtSession?.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "no alliance rating", noAlliance.Count, noAlliance.Select(c => c.FirstLine));
        var noOutcome = clients.Where(c => !double.IsNaN(c.Alliance) && double.IsNaN(c.Score(options.Score))).ToList();
        usage = usage.Exclude($"no {ScoreName(options.Score)} of {options.Outcome}", noOutcome.Count, noOutcome.Select(c => c.FirstLine));
        var used = clients.Where(c => !double.IsNaN(c.Alliance) && !double.IsNaN(c.Score(options.Score))).ToImmutableArray();
        if (used.Length < 4)
            throw new AllianceInputException($"{frame.Source}: {used.Length} clients have both {options.Alliance} and {ScoreName(options.Score)} of {options.Outcome}; at least 4 are needed ({usage})");
        var x = used.Select(c => c.Alliance).ToArray();
        var y = used.Select(c => c.Score(options.Score)).ToArray();
        var pre = used.Select(c => c.Pre).ToArray();
        var warnings = new List<string>(summarised.Warnings);
        if (used.Length < 30) warnings.Add($"only {used.Length} clients: intervals are wide and the therapist model is fragile");

        double level = options.Level;
        var pearson = Correlations.Correlate(x, y, CorrelationMethod.Pearson, level);
        CorrelationEstimate? boot = null;
        if (options.Bootstrap is { } b)
        {
            progress?.Report(new AnalysisProgress("bootstrap interval", double.NaN));
            try { boot = Correlations.Bootstrap(x, y, CorrelationMethod.Pearson, level, b, cancellationToken); }
            catch (AnalysisFailedException e) { warnings.Add("bootstrap interval not computed: " + e.Message); }
        }
        var spearman = Correlations.Correlate(x, y, CorrelationMethod.Spearman, level);
        var kendall = used.Length >= 5 ? Correlations.Correlate(x, y, CorrelationMethod.Kendall, level) : null;
        CorrelationEstimate? partial = null;
        if (pre.Count(v => !double.IsNaN(v)) >= 5)
        {
            try { partial = Correlations.Partial(x, y, [pre], level); }
            catch (AllianceInputException e) { warnings.Add("partial correlation not computed: " + e.Message); }
        }
        // Checked here, in our words: Disattenuate's own guard would show a parameter name (reliabilityX).
        foreach (var (name, value) in new[] { ("OutcomeOptions.AllianceReliability", options.AllianceReliability), ("OutcomeOptions.OutcomeReliability", options.OutcomeReliability) })
            if (value is { } rel && !(rel > 0 && rel <= 1))
                throw new AllianceInputException($"{name} must lie in (0, 1] (a reliability), not {rel.ToString(CultureInfo.InvariantCulture)}");
        CorrelationEstimate? disattenuated = options.AllianceReliability is { } rxx && options.OutcomeReliability is { } ryy
            ? Correlations.Disattenuate(pearson, rxx, ryy) : null;

        TherapistEffectsResult? therapist = null;
        if (used.Any(c => c.Therapist is not null))
        {
            progress?.Report(new AnalysisProgress("between/within-therapist model", double.NaN));
            try
            {
                bool withBaseline = 2 * pre.Count(v => !double.IsNaN(v)) >= used.Length && options.Score == OutcomeScore.Post;
                therapist = TherapistEffects.Fit([.. used.Select(c => c.Therapist)], x, y, withBaseline ? pre : [], progress: progress, cancellationToken: cancellationToken);
                warnings.AddRange(therapist.Model.Warnings.Select(w => "therapist model: " + w));
            }
            catch (AllianceInputException e) { warnings.Add("between/within-therapist model not fitted: " + e.Message); }
            catch (AnalysisFailedException e) { warnings.Add("between/within-therapist model failed: " + e.Message); }
        }

        WithinPatientResult? within = null;
        if (options.Lagged)
        {
            progress?.Report(new AnalysisProgress("within-patient lagged model", double.NaN));
            within = WithinPatientModel.Fit(frame, new WithinPatientOptions
            {
                Alliance = options.Alliance, Symptoms = options.Outcome, Client = options.Client, Session = options.Session,
                Therapist = options.Therapist, Detrend = options.Detrend, Rater = options.Rater, RaterValue = options.RaterValue,
            }, progress, cancellationToken);
        }

        double sign = options.HigherIsBetter ? 1 : -1;
        var benchmark = Math.Abs(pearson.R) < 1
            ? LiteratureBenchmark.Compare(sign * pearson.R, Math.Min(sign * pearson.Interval.Lower, sign * pearson.Interval.Upper), Math.Max(sign * pearson.Interval.Lower, sign * pearson.Interval.Upper), pearson.N)
            : null;
        return new OutcomeResult
        {
            Options = options,
            Clients = used,
            SessionRows = frame.RowCount,
            SessionUsage = summarised.SessionUsage,
            Pearson = pearson,
            BootstrapPearson = boot,
            Spearman = spearman,
            Kendall = kendall,
            Partial = partial,
            Disattenuated = disattenuated,
            Therapist = therapist,
            WithinPatient = within,
            Benchmark = benchmark,
            Usage = usage,
            Warnings = [.. warnings],
        };
    }

    internal static string ScoreName(OutcomeScore score) => score switch
    {
        OutcomeScore.Post => "last-session value",
        OutcomeScore.Change => "pre–post change",
        OutcomeScore.ResidualizedGain => "residualised gain",
        _ => "slope over sessions",
    };
}
