using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Meta;

/// <summary>
/// The front door of meta-analysis: <see cref="Fit"/> fits the equal-effects, random-effects or mixed-effects model
/// (metafor's <c>rma</c>), <see cref="FitMultilevel"/> the three-level model (<c>rma.mv</c>), <see cref="Subgroups"/>
/// a subgroup analysis; bias and influence analyses start from a fit (<see cref="PublicationBias"/>,
/// <see cref="RandomEffectsFit.LeaveOneOut"/>, <see cref="PermutationTest"/>).
/// </summary>
public static partial class MetaAnalysis
{
    /// <summary>
    /// Fits yᵢ = xᵢ′β + uᵢ + εᵢ with uᵢ ~ N(0, τ²) and εᵢ ~ N(0, vᵢ): τ² by the chosen estimator (Fisher scoring for
    /// ML/REML/EB, as metafor), β̂ = (X′WX)⁻¹X′Wy with wᵢ = 1/(vᵢ + τ̂²), z or Knapp–Hartung tests, Q, I², H², their
    /// Q-profile intervals, the prediction interval, and for moderators QM and R².
    /// R: <c>metafor::rma(yi, vi, mods = ~ …, method = "REML", test = "z")</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When there are no studies, fewer studies than coefficients, collinear moderators, or an option is out of range.</exception>
    /// <exception cref="AnalysisFailedException">When Paule–Mandel finds no root.</exception>
    public static RandomEffectsFit Fit(StudySet studies, MetaAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(studies);
        options ??= new MetaAnalysisOptions();
        options.Validate();
        var (design, rows, usage) = ModelMatrix.Build(studies, options.Moderators);
        var used = rows.Length == studies.Count ? studies : studies.Take(rows);
        var fullUsage = studies.Usage.Then(usage);
        return FitDesign(used, design, options, fullUsage);
    }

    /// <summary>Fits a model for studies and a design already matched row for row.</summary>
    internal static RandomEffectsFit FitDesign(StudySet studies, ModelMatrix design, MetaAnalysisOptions options, DataUsage usage, bool computeR2 = true)
    {
        int k = studies.Count, p = design.Columns;
        if (k == 0) throw new AllianceInputException($"{studies.Source}: no studies to pool{(usage.RowsExcluded > 0 ? " (" + usage + ")" : "")}.");
        if (p > 1 && k <= p) throw new AllianceInputException($"{studies.Source}: {k} studies cannot support a meta-regression with {p} coefficients.");
        var y = studies.Yi.AsSpan();
        var v = studies.Vi.AsSpan();
        var settings = KernelSettings.From(options);
        var kernel = new UnivariateKernel(k, p);
        var fit = kernel.Fit(y, v, design.Span, settings, FitDetail.Full);

        bool random = options.Estimator != TauEstimator.EqualEffects;
        var tau2Ci = ConfidenceInterval.Missing(options.Level);
        bool truncated = false;
        if (random && options.ProfileIntervals && options.FixedTau2 is null && k > p)
        {
            var (lo, hi, tr) = kernel.QProfile(y, v, design.Span, fit.Tau2, options.Level, options.RootTolerance);
            tau2Ci = new ConfidenceInterval(lo, hi, options.Level, "Q-profile");
            truncated = tr;
        }
        var i2Ci = tau2Ci.IsKnown ? tau2Ci.Map(t => 100 * t / (fit.Vt + t)) : ConfidenceInterval.Missing(options.Level);
        var h2Ci = tau2Ci.IsKnown ? tau2Ci.Map(t => t / fit.Vt + 1) : ConfidenceInterval.Missing(options.Level);

        double? r2 = null, tau2Base = null;
        if (p > 1 && computeR2)
        {
            if (random)
            {
                var baseFit = new UnivariateKernel(k, 1).Fit(y, v, ModelMatrix.InterceptOnly(k).Span, settings with { Test = MetaTest.Z }, FitDetail.Coefficients);
                tau2Base = baseFit.Tau2;
                r2 = baseFit.Tau2 == 0 ? 0 : Math.Max(0, 100 * (baseFit.Tau2 - fit.Tau2) / baseFit.Tau2);
            }
            else r2 = Math.Max(0, 100 * AdjustedWeightedR2(y, v, design));
        }

        var warnings = new List<string>();
        if (usage.RowsExcluded > 0) warnings.Add("studies left out: " + string.Join("; ", usage.Exclusions.Select(e => e.ToString())));
        if (!fit.Converged) warnings.Add($"Fisher scoring for τ² did not converge in {options.MaxIterations} iterations; try a smaller step adjustment or another estimator.");
        if (fit.ResetToZero) warnings.Add("Fisher scoring may have stopped at a local maximum: the likelihood is higher at τ² = 0, so τ² was set to 0 (as metafor does).");
        if (truncated) warnings.Add($"the upper bound of the τ² interval reached the search limit ({tau2Ci.Upper.ToString("G4", CultureInfo.InvariantCulture)}); the true bound is higher.");
        if (options.Test == MetaTest.KnappHartung && !random) warnings.Add("the Knapp–Hartung method is not meant for equal-effects models.");
        if (options.Test == MetaTest.KnappHartung && k == 1) warnings.Add("a single study: z test used instead of Knapp–Hartung (as metafor does).");
        double vmax = studies.Vi.Max(), vmin = studies.Vi.Min();
        if (vmax / vmin >= 1e7) warnings.Add("the ratio of the largest to the smallest sampling variance is extremely large; results may be unstable.");

        var convergence = fit.Iterations > 0
            ? new Convergence(fit.Converged, fit.Iterations, fit.FinalChange, options.Threshold, fit.ExitReason)
            : new Convergence(true, 0, 0, 0, random ? (options.FixedTau2 is null ? fit.ExitReason : "τ² fixed") : "closed form (τ² = 0)");
        double sumW = fit.Weights.Sum();
        var coefficients = ImmutableArray.CreateBuilder<MetaCoefficient>(p);
        for (int j = 0; j < p; j++)
            coefficients.Add(new MetaCoefficient(design.ColumnNames[j], fit.Beta[j], fit.StandardError[j], fit.Statistic[j], fit.PValue[j], new ConfidenceInterval(fit.CiLower[j], fit.CiUpper[j], options.Level))
            {
                DegreesOfFreedom = double.IsNaN(fit.Df) ? null : fit.Df,
            });
        var pi = ConfidenceInterval.Missing(options.Level);
        if (p == 1 && random)
        {
            double sd = Math.Sqrt(fit.Covariance[0] + fit.Tau2);
            pi = new ConfidenceInterval(fit.Beta[0] - fit.Critical * sd, fit.Beta[0] + fit.Critical * sd, options.Level, "prediction");
        }
        return new RandomEffectsFit
        {
            Studies = studies,
            Design = design,
            Options = options,
            Coefficients = coefficients.MoveToImmutable(),
            Covariance = [.. fit.Covariance],
            Tau2 = fit.Tau2,
            Tau2StandardError = random ? fit.Tau2StandardError : double.NaN,
            Tau2Interval = tau2Ci,
            Tau2IntervalTruncated = truncated,
            I2 = fit.I2,
            I2Interval = i2Ci,
            H2 = fit.H2,
            H2Interval = h2Ci,
            TypicalVariance = fit.Vt,
            Q = fit.QE,
            QPValue = fit.QEp,
            QM = fit.QM,
            QMDegreesOfFreedom = fit.QMdf,
            QMPValue = fit.QMp,
            R2 = r2,
            Tau2WithoutModerators = tau2Base,
            DegreesOfFreedom = double.IsNaN(fit.Df) ? null : fit.Df,
            PredictionInterval = pi,
            Weights = [.. fit.Weights.Select(w => 100 * w / sumW)],
            LogLikelihoodML = fit.LogLikML,
            LogLikelihoodREML = fit.LogLikREML,
            Convergence = convergence,
            KnappHartungScale = fit.S2w,
            Usage = usage,
            Warnings = warnings,
        };
    }

    /// <summary>The adjusted R² of the weighted least-squares regression (weights 1/vᵢ), metafor's R² for equal-effects models.</summary>
    private static double AdjustedWeightedR2(ReadOnlySpan<double> y, ReadOnlySpan<double> v, ModelMatrix design)
    {
        int k = y.Length, p = design.Columns;
        var w = new double[k];
        for (int i = 0; i < k; i++) w[i] = 1 / v[i];
        var beta = new double[p];
        var c = new double[p * p];
        if (!WeightedLeastSquares.Fit(design.Span, p, y, w, beta, c)) return double.NaN;
        double rss = WeightedLeastSquares.WeightedRss(design.Span, p, y, w, beta);
        double sw = 0, swy = 0;
        for (int i = 0; i < k; i++) { sw += w[i]; swy += w[i] * y[i]; }
        double mean = swy / sw, tss = 0;
        for (int i = 0; i < k; i++) tss += w[i] * (y[i] - mean) * (y[i] - mean);
        if (tss == 0) return 0;
        double r2 = 1 - rss / tss;
        return 1 - (1 - r2) * (k - 1) / (k - p);
    }

    /// <summary>
    /// Refits the model of <paramref name="fit"/> on the studies at <paramref name="rows"/> (design rows taken
    /// alongside), without intervals or R² — the inner step of leave-one-out, influence and cumulative analyses.
    /// </summary>
    /// <summary>
    /// <see cref="Refit"/> that returns null when the refit fails (collinear subset, no Paule–Mandel root) or its τ²
    /// did not converge: metafor's leave1out, cumul and influence wrap each refit in try() and write NA.
    /// </summary>
    internal static KernelFit? TryRefit(RandomEffectsFit fit, IReadOnlyList<int> rows)
    {
        try
        {
            var f = Refit(fit, rows);
            return f.Converged ? f : null;
        }
        catch (Exception e) when (e is AllianceInputException or AnalysisFailedException or ArithmeticException)
        {
            return null;
        }
    }

    internal static KernelFit Refit(RandomEffectsFit fit, IReadOnlyList<int> rows, ModelMatrix? design = null, FitDetail detail = FitDetail.Full)
    {
        var x = (design ?? fit.Design).TakeRows(rows);
        var y = rows.Select(r => fit.Studies.Yi[r]).ToArray();
        var v = rows.Select(r => fit.Studies.Vi[r]).ToArray();
        return new UnivariateKernel(rows.Count, x.Columns).Fit(y, v, x.Span, KernelSettings.From(fit.Options), detail);
    }
}
