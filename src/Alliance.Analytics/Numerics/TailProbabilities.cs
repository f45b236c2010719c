using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// Upper-tail and two-sided p values and quantiles of the normal, t, χ² and F distributions, computed from the
/// regularized incomplete gamma and beta functions so that small p values keep their precision (1 − CDF would round a
/// p of 1e-20 to 0). Quantiles come from MathNet.Numerics.
/// </summary>
public static class TailProbabilities
{
    /// <summary>Two-sided normal p value, 2·P(Z ≥ |z|) = erfc(|z|/√2). R: <c>2 * pnorm(abs(z), lower.tail = FALSE)</c>.</summary>
    public static double NormalTwoSided(double z) => double.IsNaN(z) ? double.NaN : SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Upper normal tail P(Z ≥ z). R: <c>pnorm(z, lower.tail = FALSE)</c>.</summary>
    public static double NormalUpper(double z) => double.IsNaN(z) ? double.NaN : 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2));

    /// <summary>Two-sided t p value with <paramref name="df"/> degrees of freedom, I_{df/(df+t²)}(df/2, ½). R: <c>2 * pt(abs(t), df, lower.tail = FALSE)</c>.</summary>
    public static double StudentTwoSided(double t, double df)
    {
        if (double.IsNaN(t) || !(df > 0)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        return SpecialFunctions.BetaRegularized(df / 2, 0.5, df / (df + t * t));
    }

    /// <summary>Upper χ² tail P(X ≥ x) with <paramref name="df"/> degrees of freedom. R: <c>pchisq(x, df, lower.tail = FALSE)</c>.</summary>
    public static double ChiSquareUpper(double x, double df)
    {
        if (double.IsNaN(x) || !(df > 0)) return double.NaN;
        if (x <= 0) return 1;
        return SpecialFunctions.GammaUpperRegularized(df / 2, x / 2);
    }

    /// <summary>
    /// Upper F tail P(F ≥ x) with (d1, d2) degrees of freedom, by <see cref="FDistribution.UpperTail"/> (accurate at
    /// very large degrees of freedom, where MathNet's incomplete beta is not). R: <c>pf(x, d1, d2, lower.tail = FALSE)</c>.
    /// </summary>
    public static double FUpper(double x, double d1, double d2)
    {
        if (double.IsNaN(x) || !(d1 > 0) || !(d2 > 0)) return double.NaN;
        if (x <= 0) return 1;
        return FDistribution.UpperTail(x, d1, d2);
    }

    /// <summary>The normal quantile with upper tail <paramref name="upper"/>, e.g. 1.959964 for 0.025. R: <c>qnorm(upper, lower.tail = FALSE)</c>.</summary>
    public static double NormalQuantileUpper(double upper) => -Normal.InvCDF(0, 1, upper);

    /// <summary>The t quantile with upper tail <paramref name="upper"/>. R: <c>qt(upper, df, lower.tail = FALSE)</c>. NaN when it cannot be computed (df not positive, or so small that neither Newton nor MathNet reaches it).</summary>
    public static double StudentQuantileUpper(double upper, double df)
    {
        if (!(upper > 0 && upper < 1) || !(df > 0)) return double.NaN;
        if (upper == 0.5) return 0;
        if (upper > 0.5) return -StudentQuantileUpper(1 - upper, df);
        // Newton on the upper tail from the normal quantile; the upper tail is convex decreasing for t > 0, so Newton
        // from a point left of the root climbs to it monotonically. MathNet's StudentT.InvCDF is the fallback.
        double logNorm = SpecialFunctions.GammaLn((df + 1) / 2) - SpecialFunctions.GammaLn(df / 2) - 0.5 * Math.Log(df * Math.PI);
        double t = 0;
        for (int i = 0; i < 200; i++)
        {
            double tail = 0.5 * StudentTwoSided(t, df);
            double density = Math.Exp(logNorm - (df + 1) / 2 * Math.Log(1 + t * t / df));
            double step = (tail - upper) / density;
            t += step;
            if (!double.IsFinite(t)) break;
            if (Math.Abs(step) <= 1e-14 * Math.Max(1, Math.Abs(t))) return t;
        }
        try { return -StudentT.InvCDF(0, 1, df, upper); }
        catch (MathNet.Numerics.NonConvergenceException) { return double.NaN; } // df so small that the quantile is beyond reach
    }

    /// <summary>The χ² quantile with lower tail <paramref name="lower"/>. R: <c>qchisq(lower, df)</c>.</summary>
    public static double ChiSquareQuantile(double lower, double df)
    {
        if (!(lower > 0 && lower < 1) || !(df > 0)) return double.NaN;
        // Wilson–Hilferty start, then Newton on the CDF (a few steps to full precision); MathNet's InvCDF (a root
        // search, ~40 µs) is the fallback.
        double z = -NormalQuantileUpper(lower), h = 2 / (9 * df);
        double x = df * Math.Pow(Math.Max(1 - h + z * Math.Sqrt(h), 0.01), 3);
        double logNorm = -(df / 2) * Math.Log(2) - SpecialFunctions.GammaLn(df / 2);
        for (int i = 0; i < 100; i++)
        {
            double cdf = SpecialFunctions.GammaLowerRegularized(df / 2, x / 2);
            double density = Math.Exp(logNorm + (df / 2 - 1) * Math.Log(x) - x / 2);
            double step = (cdf - lower) / density;
            double next = x - step;
            if (next <= 0) next = x / 2;
            if (!double.IsFinite(next)) break;
            if (Math.Abs(next - x) <= 1e-14 * x) return next;
            x = next;
        }
        return ChiSquared.InvCDF(df, lower);
    }
}
