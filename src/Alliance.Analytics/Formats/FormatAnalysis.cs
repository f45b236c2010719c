using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>
/// Response formats: the front door. <see cref="Compare(AnalysisData, IReadOnlyList{CategoryMap}, FormatOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>
/// sets the original scoring of a rating scale beside collapses of it; <see cref="Explore(AnalysisData, FormatOptions?, IProgress{AnalysisProgress}?, CancellationToken)"/>
/// fits every merge of adjacent categories and ranks them; <see cref="ShortForms"/> chooses a short form;
/// <see cref="FormatLinking"/> links two formats answered by the same respondents with a crosswalk.
/// Methods: docs/methods/formats.md.
/// </summary>
/// <remarks>
/// Each scoring is fitted by a Rasch model by conditional ML (<see cref="IrtAnalysis.Fit(Data.AnalysisData, Irt.IrtOptions?, IProgress{Presentation.AnalysisProgress}?, CancellationToken)"/>): threshold order, category
/// diagnostics and person separation are the Rasch-family tools Mallinckrodt &amp; Tekie (2016) and Linacre (2002)
/// judge categories with, and CML needs no assumption about the (ceiling-skewed) distribution of alliance.
/// R: for one scoring, <c>eRm::PCM(x)</c> / <c>eRm::RSM(x)</c> on the recoded matrix, then <c>eRm::thresholds</c>,
/// <c>eRm::SepRel(person.parameter(fit))</c>, <c>psych::alpha</c>.
/// </remarks>
public static class FormatAnalysis
{
    /// <summary>
    /// Compares the original scoring of prepared data's items with the collapses <paramref name="maps"/> (the original
    /// is always first), on the keyed items (the reverse keys were applied when the data were prepared), so maps refer
    /// to the keyed direction.
    /// </summary>
    /// <exception cref="AllianceInputException">When the items are not on a Likert scale, a map does not fit its number of points, or an outcome or session option cannot be met.</exception>
    public static FormatComparison Compare(AnalysisData data, IReadOnlyList<CategoryMap> maps, FormatOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FormatOptions();
        options.Validate();
        return Compare(FormatInput.From(data, options), data.Reversed, maps, options, progress, cancellationToken);
    }

    /// <summary>
    /// Compares scorings of responses already in the keyed direction (no outcome or change figures).
    /// </summary>
    /// <exception cref="AllianceInputException">When the items are not on a Likert scale or a map does not fit.</exception>
    public static FormatComparison Compare(ResponseMatrix keyed, IReadOnlyList<CategoryMap> maps, FormatOptions? options = null, DataUsage? usage = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new FormatOptions();
        options.Validate();
        NoRowData(options);
        return Compare(FormatInput.From(keyed, usage), [], maps, options, progress, cancellationToken);
    }

    private static FormatComparison Compare(FormatInput input, ImmutableArray<string> reversed, IReadOnlyList<CategoryMap> maps, FormatOptions options,
        IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(maps);
        int k = input.Items.Scale.Points!.Value;
        foreach (var map in maps)
            if (map.Points != k) throw new AllianceInputException($"collapse map '{map}' has {map.Points} entries; the items have {k} points");
        var all = new List<CategoryMap> { CategoryMap.Identity(k) };
        all.AddRange(maps.Where(m => !m.IsIdentity && !all.Contains(m)));
        var model = options.ComparisonModel;
        var results = new ScoringResult[all.Count];
        ScoringEvaluator.Baseline? baseline = null;
        for (int i = 0; i < all.Count; i++)
        {
            token.ThrowIfCancellationRequested();
            progress?.Report(new AnalysisProgress($"scoring {all[i]}", (double)i / all.Count));
            results[i] = ScoringEvaluator.Evaluate(input, all[i], model, options, baseline, omega: true, options.Threads, token);
            baseline ??= new ScoringEvaluator.Baseline(results[0].ScoreVariance);
        }
        var warnings = new List<string>();
        foreach (var s in results)
        {
            if (!s.Fit.Convergence.Converged) warnings.Add($"scoring {s.Map}: {s.Fit.Convergence}");
            if (!s.ThresholdsOrdered) warnings.Add($"scoring {s.Map}: thresholds are disordered ({s.ItemThresholdsOrdered.Length - s.ItemsOrdered} of {s.ItemThresholdsOrdered.Length} items)");
            warnings.AddRange(s.Fit.Warnings.Where(w => !w.StartsWith("item ", StringComparison.Ordinal)).Select(w => $"scoring {s.Map}: {w}"));
        }
        double? session = input.Outcome is null ? null : input.OutcomeRows(options).Session;
        return new FormatComparison
        {
            Scorings = [.. results],
            Options = options,
            Model = model,
            Points = k,
            OutcomeLabel = input.OutcomeLabel,
            OutcomeSession = session,
            Reversed = reversed,
            Usage = results[0].Fit.Usage,
            Warnings = [.. warnings.Distinct()],
        };
    }

    /// <summary>
    /// Fits every merge of adjacent categories of the items' K-point scale (2^(K−1) maps; the single-category map is
    /// listed but cannot be fitted) in parallel, one fit per thread (the same results for any thread count), and ranks
    /// them (see <see cref="CollapseExploration"/>). Default model: the rating scale model by CML.
    /// </summary>
    /// <exception cref="AllianceInputException">When the items are not on a Likert scale of 2 to 16 points.</exception>
    public static CollapseExploration Explore(AnalysisData data, FormatOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new FormatOptions();
        options.Validate();
        return Explore(FormatInput.From(data, options with { Outcome = null, OutcomeBaseline = null }), options, progress, cancellationToken);
    }

    /// <summary>Explores the collapses of responses already in the keyed direction.</summary>
    public static CollapseExploration Explore(ResponseMatrix keyed, FormatOptions? options = null, DataUsage? usage = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new FormatOptions();
        options.Validate();
        NoRowData(options);
        return Explore(FormatInput.From(keyed, usage), options, progress, cancellationToken);
    }

    private static CollapseExploration Explore(FormatInput input, FormatOptions options, IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        if (!options.ExploreAllRows)
        {
            var (complete, listwise) = input.Items.CompleteRows();
            if (complete.RowCount < 3) throw new AllianceInputException($"only {complete.RowCount} rows have every item answered; explore all rows instead (--all-rows)");
            input = FormatInput.From(complete, input.Usage.Then(listwise));
        }
        int k = input.Items.Scale.Points!.Value;
        var maps = CategoryMap.All(k, minimumCategories: 1);
        var model = options.ExplorerModel;
        var baseline = new ScoringEvaluator.Baseline(RawScoreStatistics.Compute(input.Items, omega: false).Variance);
        var noChange = options with { ChangeSessions = [] };
        var candidates = new CollapseCandidate[maps.Length];
        var failures = new string?[maps.Length];
        int done = 0;
        var gate = new object();
        Parallel.For(0, maps.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = token }, i =>
        {
            var map = maps[i];
            if (map.Categories < options.MinimumCategories)
            {
                candidates[i] = new CollapseCandidate
                {
                    Map = map, Fitted = false,
                    NotFittedReason = map.Categories < 2 ? "a single category measures nothing" : $"fewer than {options.MinimumCategories} categories",
                };
            }
            else
            {
                try
                {
                    var s = ScoringEvaluator.Evaluate(input, map, model, noChange, baseline, omega: false, threads: 1, token);
                    candidates[i] = new CollapseCandidate
                    {
                        Map = map, Fitted = true, Converged = s.Fit.Convergence.Converged,
                        ThresholdsOrdered = s.ThresholdsOrdered, ItemsOrdered = s.ItemsOrdered,
                        Thresholds = FormatComparison.Thresholds(s),
                        PersonSeparation = s.PersonSeparation, PersonReliability = s.PersonReliability, ExtremePersons = s.ExtremePersons,
                        TargetedInformation = s.TargetedInformation, Alpha = s.Alpha, VarianceChange = s.VarianceChange,
                        GuidelinesFailed = [.. s.Guidelines.Where(g => !g.Passed).Select(g => g.Number)],
                    };
                }
                catch (AllianceInputException e)
                {
                    // e.g. a collapse that leaves every item constant: listed, not fitted
                    candidates[i] = new CollapseCandidate { Map = map, Fitted = false, NotFittedReason = e.Message };
                    failures[i] = $"{map}: {e.Message}";
                }
            }
            int n = Interlocked.Increment(ref done);
            if (progress is not null) lock (gate) progress.Report(new AnalysisProgress("fitting collapses", (double)n / maps.Length));
        });
        var ranked = CollapseExploration.RankAndMark(candidates);
        var warnings = new List<string>();
        foreach (var c in ranked.Where(c => c.Fitted && !c.Converged)) warnings.Add($"candidate {c.Map}: the CML fit did not converge (ranked last)");
        warnings.AddRange(failures.OfType<string>().Select(f => "not fitted: " + f));
        var original = ranked.First(c => c.Map.IsIdentity);
        if (!original.ThresholdsOrdered) warnings.Add($"the original {k}-point scoring has disordered thresholds");
        return new CollapseExploration
        {
            Candidates = ranked,
            Model = model,
            Points = k,
            Options = options,
            Usage = input.Usage,
            Warnings = warnings,
        };
    }

    /// <summary>A bare response matrix has no outcome, client or session columns: asking for figures that need them is an error, not a silent omission.</summary>
    private static void NoRowData(FormatOptions options)
    {
        if (options.Outcome is not null || options.OutcomeBaseline is not null || !options.ChangeSessions.IsDefaultOrEmpty || options.OutcomeSession.HasValue)
            throw new AllianceInputException("the outcome correlation and sensitivity to change need a data set with those columns (use the AnalysisData overload)");
    }
}
