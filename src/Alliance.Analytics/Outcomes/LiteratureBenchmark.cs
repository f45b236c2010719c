using System.Collections.Immutable;
using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Outcomes;

/// <summary>A published pooled alliance–outcome correlation.</summary>
/// <param name="Citation">Authors and year.</param>
/// <param name="Studies">Number of studies (or independent sources).</param>
/// <param name="R">Pooled correlation.</param>
/// <param name="Lower">Lower 95% limit, or NaN when the paper's abstract gives none.</param>
/// <param name="Upper">Upper 95% limit, or NaN.</param>
/// <param name="Model">Meta-analytic model.</param>
public sealed record PublishedCorrelation(string Citation, int Studies, double R, double Lower, double Upper, string Model)
{
    /// <summary>The SE of the pooled Fisher z implied by the 95% interval, (atanh U − atanh L)/(2 · 1.96); 0 when no interval is published.</summary>
    public double StandardErrorZ => double.IsNaN(Lower) ? 0 : (Correlations.Atanh(Upper) - Correlations.Atanh(Lower)) / (2 * Normal.InvCDF(0, 1, 0.975));
}

/// <summary>The data's correlation beside one published value.</summary>
/// <param name="Published">The published value.</param>
/// <param name="Difference">r(data) − r(published), on the correlation scale.</param>
/// <param name="Z">(atanh r − atanh ρ) / √(1/(n − 3) + SE_pub²).</param>
/// <param name="PValue">Two-sided p of <paramref name="Z"/>.</param>
/// <param name="Verdict">In words: "in line with", "stronger than" or "weaker than".</param>
public sealed record BenchmarkComparison(PublishedCorrelation Published, double Difference, double Z, double PValue, string Verdict);

/// <summary>
/// The data's alliance–outcome correlation beside the published meta-analyses (Horvath &amp; Symonds 1991; Martin,
/// Garske &amp; Davis 2000; Horvath, Del Re, Flückiger &amp; Symonds 2011; Flückiger, Del Re, Wampold &amp; Horvath 2018):
/// a z test of the difference on Fisher's z scale per meta-analysis, and the share of published studies with a
/// weaker association.
/// </summary>
/// <param name="R">The data's correlation, signed so that positive means more alliance goes with better outcome.</param>
/// <param name="Lower">Its lower limit.</param>
/// <param name="Upper">Its upper limit.</param>
/// <param name="N">Clients behind it.</param>
/// <param name="Comparisons">One comparison per meta-analysis, newest first.</param>
/// <param name="StudyPercentile">Share of studies in Flückiger et al. (2018) with a weaker correlation (see <see cref="LiteratureBenchmark.StudyDistributionSd"/>).</param>
/// <param name="Interpretation">What the comparison means, in words a clinician understands.</param>
public sealed record BenchmarkResult(double R, double Lower, double Upper, int N, ImmutableArray<BenchmarkComparison> Comparisons, double StudyPercentile, string Interpretation);

/// <summary>Compares a correlation with the published pooled alliance–outcome correlations.</summary>
public static class LiteratureBenchmark
{
    /// <summary>The published pooled values (docs/methods/outcomes.md and shared/domain/alliance-measures.md).</summary>
    public static ImmutableArray<PublishedCorrelation> Published { get; } =
    [
        new("Flückiger, Del Re, Wampold & Horvath 2018", 295, 0.278, 0.256, 0.299, "three-level random effects, REML"),
        new("Horvath, Del Re, Flückiger & Symonds 2011", 190, 0.275, 0.25, 0.30, "random effects"),
        new("Martin, Garske & Davis 2000", 79, 0.22, double.NaN, double.NaN, "random effects (no interval in the abstract)"),
        new("Horvath & Symonds 1991", 24, 0.26, double.NaN, double.NaN, "pooled (no interval in the abstract)"),
    ];

    /// <summary>
    /// SD on Fisher's z scale of the study correlations in Flückiger et al. (2018), approximated as normal around the
    /// pooled z = atanh(.278): chosen so that 2% of studies fall below zero, as the paper reports (2% of the 295 effect
    /// sizes were negative): atanh(.278)/Φ⁻¹(.98) ≈ 0.139. An approximation for placing a clinic among published
    /// studies, not a published τ.
    /// </summary>
    public static double StudyDistributionSd { get; } = Correlations.Atanh(0.278) / Normal.InvCDF(0, 1, 0.98);

    /// <summary>Compares <paramref name="r"/> (n clients, signed so that positive = better outcome with more alliance) with each published value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When r is outside (−1, 1) or n &lt; 4.</exception>
    public static BenchmarkResult Compare(double r, double lower, double upper, int n)
    {
        if (!(r > -1 && r < 1)) throw new ArgumentOutOfRangeException(nameof(r), r, "A correlation must lie in (−1, 1).");
        if (n < 4) throw new ArgumentOutOfRangeException(nameof(n), n, "At least 4 clients are needed.");
        double z = Correlations.Atanh(r);
        var comparisons = Published.Select(pub =>
        {
            double se = Math.Sqrt(1.0 / (n - 3) + pub.StandardErrorZ * pub.StandardErrorZ);
            double zz = (z - Correlations.Atanh(pub.R)) / se;
            double p = 2 * Normal.CDF(0, 1, -Math.Abs(zz));
            string verdict = p >= 0.05 ? "in line with" : zz > 0 ? "stronger than" : "weaker than";
            return new BenchmarkComparison(pub, r - pub.R, zz, p, verdict);
        }).ToImmutableArray();
        double percentile = Normal.CDF(0, 1, (z - Correlations.Atanh(0.278)) / StudyDistributionSd);
        var main = comparisons[0];
        string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        string text = $"Here alliance and outcome correlate r = {F(r)} (95% CI {F(lower)} to {F(upper)}; {n} clients). " +
            $"The largest meta-analysis (Flückiger et al. 2018, 295 studies) found r = .28 (.26 to .30). " +
            (main.Verdict == "in line with"
                ? $"This clinic is in line with it: the difference ({(main.Difference >= 0 ? "+" : "")}{F(main.Difference)}) is within what chance allows with {n} clients (p = {main.PValue.ToString("F2", CultureInfo.InvariantCulture)}). "
                : $"The association here is {main.Verdict.Replace(" than", "", StringComparison.Ordinal)} than that, beyond chance (difference {(main.Difference >= 0 ? "+" : "")}{F(main.Difference)}, {(main.PValue < 0.001 ? "p < .001" : "p = " + main.PValue.ToString("F3", CultureInfo.InvariantCulture))}). ") +
            $"About {(100 * percentile).ToString("F0", CultureInfo.InvariantCulture)}% of published studies found a weaker association" +
            (percentile < 0.1 ? ", so a stronger alliance goes with better outcome less here than in most studies." :
             percentile > 0.9 ? ", so alliance matters more for outcome here than in most studies." : ", which is ordinary.") +
            $" r = .28 means alliance accounts for about 8% of the differences in outcome between clients; r = {F(r)} means {(100 * r * r).ToString("F0", CultureInfo.InvariantCulture)}%.";
        return new BenchmarkResult(r, lower, upper, n, comparisons, percentile, text);
    }
}
