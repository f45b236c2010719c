using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;
using MathNet.Numerics.Distributions;

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
        if (input.Outcome is not null)
        {
            var (rows, _) = input.OutcomeRows(options);
            var x = rows.Select(r => raw.Totals[r]).ToArray();
            var y = rows.Select(r => input.Outcome[r]).ToArray();
            outcome = Correlations.Correlate(x, y);
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
            Change = change,
        };
    }

    /// <summary>
    /// Mean of I(θ)·σ² over the persons' measures (default) or over an even 41-point grid of θ = μ + σz on the target
    /// range of z; μ, σ from the latent normal fitted with the items fixed.
    /// </summary>
    internal static double TargetedInformation(IrtFit fit, FormatOptions options)
    {
        double mu = fit.LatentMean, sd = fit.LatentSd, v = sd * sd;
        if (options.TargetFrom is { } a && options.TargetTo is { } b)
        {
            const int points = 41;
            double s = 0;
            for (int q = 0; q < points; q++) s += fit.TestInformation(mu + sd * (a + (b - a) * q / (points - 1)));
            return s / points * v;
        }
        var cache = new Dictionary<double, double>();
        double sum = 0;
        int n = 0;
        foreach (var p in fit.Persons)
        {
            if (!double.IsFinite(p.Theta)) continue;
            if (!cache.TryGetValue(p.Theta, out double info)) cache[p.Theta] = info = fit.TestInformation(p.Theta);
            sum += info;
            n++;
        }
        return n == 0 ? double.NaN : sum / n * v;
    }

    private static ChangeSensitivity Change(FormatInput input, RawScoreStatistics raw, double from, double to, double level)
    {
        var pairs = input.ChangePairs(from, to).Where(p => !double.IsNaN(raw.Totals[p.From]) && !double.IsNaN(raw.Totals[p.To])).ToArray();
        if (pairs.Length < 3) throw new AllianceInputException($"only {pairs.Length} clients have complete rows at both sessions: too few to measure change");
        var d = pairs.Select(p => raw.Totals[p.To] - raw.Totals[p.From]).ToArray();
        var (_, mean, sdD) = Moments.MeanSd(d);
        var (_, _, sdFrom) = Moments.MeanSd(pairs.Select(p => raw.Totals[p.From]).ToArray());
        double z = Normal.InvCDF(0, 1, 0.5 + level / 2);
        // Jacobson & Truax (1991): S_diff = √2 · SE, SE = SD_pre · √(1 − r_xx) with the scale's α as r_xx.
        double critical = z * Math.Sqrt(2) * sdFrom * Math.Sqrt(Math.Max(0, 1 - raw.Alpha));
        int up = d.Count(x => x > critical), down = d.Count(x => x < -critical);
        return new ChangeSensitivity(from, to, pairs.Length, mean, mean / sdD, critical, (double)up / pairs.Length, (double)down / pairs.Length);
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
        var (complete2, _) = items.CompleteRows();
        double alpha = ScaleAlpha.Alpha(complete2);
        double w = omega ? ScaleAlpha.Omega(complete2) : double.NaN;
        return new RawScoreStatistics(totals, complete, mean, sd * sd, alpha, w, (double)floor / complete, (double)ceiling / complete,
            [.. counts.Select(c => c / total)]);
    }
}
