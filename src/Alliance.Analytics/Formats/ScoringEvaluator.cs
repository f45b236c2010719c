using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Reliability;

namespace Alliance.Analytics.Formats;

/// <summary>
/// Evaluates one scoring: applies the map, fits the Rasch model by CML with diagnostics, and gathers the figures of a
/// <see cref="ScoringResult"/>. Used by the comparison (every figure) and by the explorer (the same, one fit per thread).
/// </summary>
internal static class ScoringEvaluator
{
    /// <summary>Raw-score figures of the original scoring that later scorings are compared with.</summary>
    internal sealed record Baseline(double ScoreVariance);

    public static ScoringResult Evaluate(FormatInput input, CategoryMap map, IrtModelType model, FormatOptions options, Baseline? baseline,
        bool omega, int threads, CancellationToken token)
    {
        var items = map.Apply(input.Items);
        var fit = IrtAnalysis.Fit(items, new IrtOptions { Model = model, MaxDegreeOfParallelism = threads }, input.Usage, cancellationToken: token);
        var raw = RawScoreStatistics.Compute(items, omega);
        var ordered = fit.Items.Select(i => i.ThresholdsOrdered).ToImmutableArray();
        bool overall = fit.ScaleCategories?.ThresholdsOrdered ?? fit.AllThresholdsOrdered;
        CorrelationEstimate? outcome = null;
        int outcomeIncomplete = 0;
        if (input.Outcome is not null)
        {
            var (rows, _) = input.OutcomeRows(options);
            var complete = rows.Where(r => !double.IsNaN(raw.Totals[r])).ToArray();
            outcomeIncomplete = rows.Length - complete.Length;
            if (complete.Length < 3) throw new AllianceInputException($"only {complete.Length} clients with the outcome answered every item: too few to correlate");
            outcome = Correlations.Correlate([.. complete.Select(r => raw.Totals[r])], [.. complete.Select(r => input.Outcome[r])]);
        }
        ChangeSensitivity? change = null;
        if (!options.ChangeSessions.IsDefaultOrEmpty)
            change = Change(input, raw, options.ChangeSessions[0], options.ChangeSessions[1], options.ReliableChangeLevel);
        return new ScoringResult
        {
            Map = map,
            Fit = fit,
            ItemThresholdsOrdered = ordered,
            ThresholdsOrdered = overall,
            Guidelines = fit.ScaleCategories?.Checks ?? [],
            PersonSeparation = fit.PersonSeparation,
            PersonReliability = fit.PersonReliability,
            ExtremePersons = fit.ExtremePersons,
            Alpha = raw.Alpha,
            Omega = raw.Omega,
            CompleteRows = raw.CompleteRows,
            ScoreMean = raw.Mean,
            ScoreVariance = raw.Variance,
            VarianceChange = baseline is null ? 0 : raw.Variance / baseline.ScoreVariance - 1,
            Floor = raw.Floor,
            Ceiling = raw.Ceiling,
            CategoryProportions = raw.CategoryProportions,
            TargetedInformation = TargetedInformation(fit, options),
            OutcomeCorrelation = outcome,
            OutcomeIncomplete = outcomeIncomplete,
            Change = change,
        };
    }

    /// <summary>
    /// Harmonic mean of I(θ)·σ² over the persons' WLE measures (default) or over an even 41-point grid of θ = μ + σz on
    /// the target range of z; μ, σ from the latent normal fitted with the items fixed. The harmonic mean is the
    /// reciprocal of the mean error variance (in units of the person variance), so a spike of information cannot hide
    /// a region measured poorly; H/(1 + H) is the reliability it implies.
    /// </summary>
    internal static double TargetedInformation(IrtFit fit, FormatOptions options)
    {
        double mu = fit.LatentMean, sd = fit.LatentSd, v = sd * sd;
        double inverse = 0;
        int n = 0;
        if (options.TargetFrom is { } a && options.TargetTo is { } b)
        {
            const int points = 41;
            for (int q = 0; q < points; q++) inverse += 1 / fit.TestInformation(mu + sd * (a + (b - a) * q / (points - 1)));
            n = points;
        }
        else
        {
            var cache = new Dictionary<double, double>();
            foreach (var p in fit.Persons)
            {
                if (!double.IsFinite(p.Theta)) continue;
                if (!cache.TryGetValue(p.Theta, out double info)) cache[p.Theta] = info = fit.TestInformation(p.Theta);
                inverse += 1 / info;
                n++;
            }
        }
        return n == 0 ? double.NaN : n / inverse * v;
    }

    private static ChangeSensitivity Change(FormatInput input, RawScoreStatistics raw, double from, double to, double level)
    {
        var all = input.ChangePairs(from, to);
        var pairs = all.Where(p => !double.IsNaN(raw.Totals[p.From]) && !double.IsNaN(raw.Totals[p.To])).ToArray();
        if (pairs.Length < 3) throw new AllianceInputException($"only {pairs.Length} clients have complete rows at both sessions: too few to measure change");
        var before = pairs.Select(p => raw.Totals[p.From]).ToArray();
        var after = pairs.Select(p => raw.Totals[p.To]).ToArray();
        var d = pairs.Select(p => raw.Totals[p.To] - raw.Totals[p.From]).ToArray();
        var (_, mean, sdD) = Moments.MeanSd(d);
        // Jacobson & Truax (1991) with the scoring's own α as r_xx and the SD at the first session.
        var rc = ReliabilityAnalysis.ReliableChange(before, after, new ReliableChangeOptions { Reliability = raw.Alpha, Level = level });
        return new ChangeSensitivity(from, to, pairs.Length, mean, mean / sdD, rc.CriticalDifference,
            (double)rc.Improved / rc.Pairs, (double)rc.Deteriorated / rc.Pairs, all.Length - pairs.Length);
    }
}

/// <summary>Raw (summed) scores of a scoring over its complete rows: totals per row, moments, α and ω, floor and ceiling, category shares.</summary>
internal sealed record RawScoreStatistics(double[] Totals, int CompleteRows, double Mean, double Variance, double Alpha, double Omega, double Floor,
    double Ceiling, ImmutableArray<double> CategoryProportions)
{
    public static RawScoreStatistics Compute(ResponseMatrix items, bool omega)
    {
        int n = items.RowCount, m = items.ItemCount, k = items.Scale.Points!.Value;
        double min = items.Scale.Min, max = items.Scale.Max;
        var totals = new double[n];
        var counts = new long[k];
        int complete = 0, floor = 0, ceiling = 0;
        for (int r = 0; r < n; r++)
        {
            var row = items.Row(r);
            double t = 0;
            bool all = true;
            foreach (double v in row)
            {
                if (double.IsNaN(v)) { all = false; continue; }
                counts[(int)(v - min)]++;
                t += v;
            }
            totals[r] = all ? t : double.NaN;
            if (!all) continue;
            complete++;
            if (t == min * m) floor++;
            if (t == max * m) ceiling++;
        }
        if (complete < 3) throw new AllianceInputException($"only {complete} rows have every item answered: too few for raw-score statistics");
        var (_, mean, sd) = Moments.MeanSd(totals);
        double total = counts.Sum();
        var (alpha, w) = AlphaOmega(items, omega);
        return new RawScoreStatistics(totals, complete, mean, sd * sd, alpha, w, (double)floor / complete, (double)ceiling / complete,
            [.. counts.Select(c => c / total)]);
    }

    /// <summary>
    /// Raw α (psych's raw_alpha) and one-factor ω total (minres, psych::omega(x, 1)) of the complete rows, with the
    /// reliability domain's kernels on the listwise covariance matrix.
    /// </summary>
    internal static (double Alpha, double Omega) AlphaOmega(ResponseMatrix items, bool omega)
    {
        var (complete, _) = items.CompleteRows();
        int m = complete.ItemCount;
        var moments = PairwiseMoments.Compute(complete.Values.ToArray(), m, Enumerable.Repeat(Math.Floor((items.Scale.Min + items.Scale.Max) / 2), m).ToArray());
        var c = new double[m, m];
        for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) c[i, j] = moments.Covariance(i, j);
        for (int i = 0; i < m; i++)
            if (!(c[i, i] > 0)) throw new AllianceInputException($"item {items.Items[i]} does not vary over the complete rows: α is undefined");
        var r = SymmetricMatrices.CovarianceToCorrelation(c);
        double alpha = Alliance.Analytics.Reliability.AlphaFigures.Of(c, r).Raw;
        double w = omega ? Alliance.Analytics.Reliability.Omega.OneFactor(r, FactorMethod.MinimumResidual).Total : double.NaN;
        return (alpha, w);
    }
}
