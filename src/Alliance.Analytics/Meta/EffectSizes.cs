namespace Alliance.Analytics.Meta;

/// <summary>The scale a study set's effect sizes are on, which decides the variance formula and the back-transformation.</summary>
public enum EffectMeasure
{
    /// <summary>Effect sizes given directly as yᵢ with sampling variances vᵢ (no back-transformation).</summary>
    Generic,
    /// <summary>Fisher's z of a correlation, z = atanh(r), v = 1/(n − 3); estimates are shown back as r = tanh(z). metafor "ZCOR".</summary>
    FisherZ,
    /// <summary>The raw correlation r with v = (1 − r²)²/(n − 1). metafor "COR".</summary>
    RawCorrelation,
}

/// <summary>
/// Effect sizes for correlational meta-analysis: correlations to Fisher z or raw r with their sampling variances, and
/// conversions from t, F, Cohen's d and odds ratios to r (Borenstein, Hedges, Higgins &amp; Rothstein 2009,
/// <i>Introduction to Meta-Analysis</i>, ch. 6–7; Rosenthal 1991). Back-transformation of estimates to r.
/// </summary>
public static class EffectSizes
{
    /// <summary>
    /// Fisher's z and its sampling variance: z = atanh(r) = ½ ln((1 + r)/(1 − r)), v = 1/(n − 3).
    /// R: <c>metafor::escalc("ZCOR", ri = r, ni = n)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When r is not in (−1, 1) or n ≤ 3.</exception>
    public static (double Yi, double Vi) FisherZ(double r, double n)
    {
        CheckCorrelation(r, n, 3);
        return (Math.Atanh(r), 1 / (n - 3));
    }

    /// <summary>
    /// The raw correlation and its large-sample variance v = (1 − r²)²/(n − 1). R: <c>metafor::escalc("COR", ri = r, ni = n)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When r is not in (−1, 1) or n ≤ 1.</exception>
    public static (double Yi, double Vi) RawCorrelation(double r, double n)
    {
        CheckCorrelation(r, n, 1);
        double a = 1 - r * r;
        return (r, a * a / (n - 1));
    }

    /// <summary>The effect size and variance of a correlation on the given scale (Fisher z or raw r).</summary>
    /// <exception cref="ArgumentException">For <see cref="EffectMeasure.Generic"/>, which has no correlation formula.</exception>
    public static (double Yi, double Vi) FromCorrelation(double r, double n, EffectMeasure measure) => measure switch
    {
        EffectMeasure.FisherZ => FisherZ(r, n),
        EffectMeasure.RawCorrelation => RawCorrelation(r, n),
        _ => throw new ArgumentException("A correlation needs the FisherZ or RawCorrelation measure.", nameof(measure)),
    };

    /// <summary>Back-transforms a value on the measure's scale to r: tanh for Fisher z, identity otherwise. R: <c>transf.ztor</c>.</summary>
    public static double ToCorrelation(double value, EffectMeasure measure) => measure == EffectMeasure.FisherZ ? Math.Tanh(value) : value;

    /// <summary>
    /// r from a t statistic with <paramref name="df"/> degrees of freedom: r = t/√(t² + df) (the sign of t is kept).
    /// For a Pearson correlation df = n − 2; for a two-group comparison df = n₁ + n₂ − 2 gives the point-biserial r.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When df ≤ 0 or t is not finite.</exception>
    public static double CorrelationFromT(double t, double df)
    {
        if (!double.IsFinite(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "t must be a finite number.");
        if (!(df > 0)) throw new ArgumentOutOfRangeException(nameof(df), df, "Degrees of freedom must be positive.");
        return t / Math.Sqrt(t * t + df);
    }

    /// <summary>
    /// r from an F statistic with one numerator degree of freedom: |r| = √(F/(F + df₂)), signed by
    /// <paramref name="positive"/> (F carries no direction). Rosenthal (1991), eq. 2.16.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When F &lt; 0 or df₂ ≤ 0.</exception>
    public static double CorrelationFromF(double f, double dfDenominator, bool positive = true)
    {
        if (!(f >= 0) || !double.IsFinite(f)) throw new ArgumentOutOfRangeException(nameof(f), f, "F must be a non-negative number.");
        if (!(dfDenominator > 0)) throw new ArgumentOutOfRangeException(nameof(dfDenominator), dfDenominator, "Degrees of freedom must be positive.");
        double r = Math.Sqrt(f / (f + dfDenominator));
        return positive ? r : -r;
    }

    /// <summary>
    /// r from a standardized mean difference d of two groups of sizes n₁ and n₂: r = d/√(d² + a) with
    /// a = (n₁ + n₂)²/(n₁n₂) (a = 4 for equal groups), and its variance v_r = a² v_d/(d² + a)³ when
    /// <paramref name="varianceD"/> is given. Borenstein et al. (2009), eq. 7.5–7.6.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a group size is not positive.</exception>
    public static (double R, double Variance) CorrelationFromD(double d, double n1, double n2, double varianceD = double.NaN)
    {
        if (!(n1 > 0)) throw new ArgumentOutOfRangeException(nameof(n1), n1, "Group sizes must be positive.");
        if (!(n2 > 0)) throw new ArgumentOutOfRangeException(nameof(n2), n2, "Group sizes must be positive.");
        double a = (n1 + n2) * (n1 + n2) / (n1 * n2);
        double den = d * d + a;
        return (d / Math.Sqrt(den), a * a * varianceD / (den * den * den));
    }

    /// <summary>
    /// Cohen's d from a log odds ratio by the logistic approximation d = ln(OR)·√3/π, variance v_d = v_lnOR·3/π²
    /// (Hasselblad &amp; Hedges 1995; Borenstein et al. 2009, eq. 7.1–7.2).
    /// </summary>
    public static (double D, double Variance) DFromLogOddsRatio(double logOddsRatio, double varianceLogOddsRatio = double.NaN) =>
        (logOddsRatio * Math.Sqrt(3) / Math.PI, varianceLogOddsRatio * 3 / (Math.PI * Math.PI));

    /// <summary>
    /// r from an odds ratio of two groups (sizes n₁, n₂): the odds ratio to d (<see cref="DFromLogOddsRatio"/>), then d
    /// to r (<see cref="CorrelationFromD"/>). The variance is carried through when that of ln(OR) is given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the odds ratio is not positive or a group size is not positive.</exception>
    public static (double R, double Variance) CorrelationFromOddsRatio(double oddsRatio, double n1, double n2, double varianceLogOddsRatio = double.NaN)
    {
        if (!(oddsRatio > 0) || !double.IsFinite(oddsRatio)) throw new ArgumentOutOfRangeException(nameof(oddsRatio), oddsRatio, "An odds ratio must be a positive number.");
        var (d, vd) = DFromLogOddsRatio(Math.Log(oddsRatio), varianceLogOddsRatio);
        return CorrelationFromD(d, n1, n2, vd);
    }

    /// <summary>Cohen's d from r for two groups: d = 2r/√(1 − r²) (equal groups; Borenstein et al. 2009, eq. 7.7–7.8), with v_d = 4v_r/(1 − r²)³.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When r is not in (−1, 1).</exception>
    public static (double D, double Variance) DFromCorrelation(double r, double varianceR = double.NaN)
    {
        if (!(Math.Abs(r) < 1)) throw new ArgumentOutOfRangeException(nameof(r), r, "A correlation must lie strictly between −1 and 1.");
        double a = 1 - r * r;
        return (2 * r / Math.Sqrt(a), 4 * varianceR / (a * a * a));
    }

    private static void CheckCorrelation(double r, double n, double minimumN)
    {
        if (!(Math.Abs(r) < 1)) throw new ArgumentOutOfRangeException(nameof(r), r, "A correlation must lie strictly between −1 and 1.");
        if (!(n > minimumN) || !double.IsFinite(n)) throw new ArgumentOutOfRangeException(nameof(n), n, $"The sample size must be larger than {minimumN}.");
    }
}
