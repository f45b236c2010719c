using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// Confidence intervals from bootstrap replicates: percentile and bias-corrected and accelerated (BCa), the latter with
/// the jackknife acceleration (Efron &amp; Tibshirani 1993, §14.3, eq. 14.10, 14.14, 14.15). Quantiles are R's type 7.
/// </summary>
public static class BootstrapIntervals
{
    /// <summary>The percentile interval: type-7 quantiles (1 − level)/2 and (1 + level)/2 of the sorted replicates.</summary>
    public static (double Lower, double Upper) Percentile(ReadOnlySpan<double> sorted, double level) =>
        (SampleQuantiles.Type7(sorted, (1 - level) / 2), SampleQuantiles.Type7(sorted, (1 + level) / 2));

    /// <summary>
    /// The BCa interval: z₀ = Φ⁻¹(share of replicates below the estimate), a = Σ(θ̄ − θ₍ᵢ₎)³ / (6 [Σ(θ̄ − θ₍ᵢ₎)²]^{3/2})
    /// over the jackknife values, bounds at the replicate quantiles Φ(z₀ + (z₀ + z_p) / (1 − a(z₀ + z_p))).
    /// </summary>
    /// <param name="sorted">Bootstrap replicates, sorted ascending.</param>
    /// <param name="jackknife">Leave-one-out estimates.</param>
    /// <param name="estimate">The estimate from the full sample.</param>
    /// <param name="level">Confidence level (0.95).</param>
    public static (double Lower, double Upper, double BiasCorrection, double Acceleration) Bca(ReadOnlySpan<double> sorted, ReadOnlySpan<double> jackknife,
        double estimate, double level)
    {
        int b = sorted.Length, below = 0;
        foreach (double v in sorted) if (v < estimate) below++;
        double z0 = Normal.InvCDF(0, 1, Math.Clamp((double)below / b, 0.5 / b, 1 - 0.5 / b));
        double jm = 0;
        foreach (double t in jackknife) jm += t;
        jm /= jackknife.Length;
        double num = 0, den = 0;
        foreach (double t in jackknife)
        {
            double d = jm - t;
            num += d * d * d;
            den += d * d;
        }
        double a = den > 0 ? num / (6 * Math.Pow(den, 1.5)) : 0;
        double Adjusted(double p)
        {
            double z = Normal.InvCDF(0, 1, p);
            return Normal.CDF(0, 1, z0 + (z0 + z) / (1 - a * (z0 + z)));
        }
        return (SampleQuantiles.Type7(sorted, Adjusted((1 - level) / 2)), SampleQuantiles.Type7(sorted, Adjusted((1 + level) / 2)), z0, a);
    }
}
