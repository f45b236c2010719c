using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// The F distribution with d1 and d2 degrees of freedom: CDF, upper tail and quantile, accurate for the very large
/// degrees of freedom of big samples (MathNet's <c>FisherSnedecor.InvCDF</c> is off in the fourth digit at
/// d1 = 99,999, d2 = 1,499,985). Built on <see cref="IncompleteBeta"/>: P(F ≤ f) = I_x(d1/2, d2/2) with
/// x = d1 f / (d1 f + d2). R: <c>pf</c>, <c>qf</c>.
/// </summary>
public static class FDistribution
{
    /// <summary>P(F ≤ f). R: <c>pf(f, d1, d2)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a degree of freedom is not positive.</exception>
    public static double Cdf(double f, double d1, double d2)
    {
        Check(d1, d2);
        if (double.IsNaN(f)) return double.NaN;
        if (f <= 0) return 0;
        if (double.IsPositiveInfinity(f)) return 1;
        double denom = d1 * f + d2;
        return IncompleteBeta.Regularized(d1 / 2, d2 / 2, d1 * f / denom, d2 / denom);
    }

    /// <summary>P(F &gt; f), computed directly so that tiny p-values keep their digits. R: <c>pf(f, d1, d2, lower.tail = FALSE)</c>.</summary>
    public static double UpperTail(double f, double d1, double d2)
    {
        Check(d1, d2);
        if (double.IsNaN(f)) return double.NaN;
        if (f <= 0) return 1;
        if (double.IsPositiveInfinity(f)) return 0;
        double denom = d1 * f + d2;
        return IncompleteBeta.Complement(d1 / 2, d2 / 2, d1 * f / denom, d2 / denom);
    }

    /// <summary>The density of F at f. R: <c>df(f, d1, d2)</c>.</summary>
    public static double Density(double f, double d1, double d2)
    {
        Check(d1, d2);
        if (!(f > 0) || double.IsPositiveInfinity(f)) return 0;
        double denom = d1 * f + d2;
        // dI_x/df = beta density(x) · dx/df with dx/df = d1 d2 / (d1 f + d2)².
        return IncompleteBeta.Density(d1 / 2, d2 / 2, d1 * f / denom, d2 / denom) * d1 * d2 / (denom * denom);
    }

    /// <summary>
    /// The p-quantile of F: the f with P(F ≤ f) = p, by safeguarded Newton iteration on the CDF (relative accuracy
    /// about 1e-12). R: <c>qf(p, d1, d2)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When p is outside (0, 1) or a degree of freedom is not positive.</exception>
    public static double Quantile(double p, double d1, double d2)
    {
        Check(d1, d2);
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be in (0, 1).");
        // Start from the Wilson–Hilferty-type normal approximation of the F distribution (Paulson 1942).
        double z = Normal.InvCDF(0, 1, p);
        double a = 2 / (9 * d1), b = 2 / (9 * d2);
        double start = 1;
        // Solve ((1 − b) y − (1 − a)) / sqrt(b y² + a) = z for y = f^{1/3}.
        double qa = (1 - b) * (1 - b) - z * z * b, qb = -2 * (1 - a) * (1 - b), qc = (1 - a) * (1 - a) - z * z * a;
        double root = qb * qb - 4 * qa * qc;
        if (qa > 0 && root >= 0)
        {
            double y = (-qb + Math.Sign(z == 0 ? 1 : z) * Math.Sqrt(root)) / (2 * qa);
            if (y > 0) start = y * y * y;
        }

        // Bracket the root, then Newton steps kept inside the bracket (bisection when a step leaves it).
        double lo = 0, hi = double.PositiveInfinity, f = start;
        for (int i = 0; i < 200; i++)
        {
            double c = Cdf(f, d1, d2) - p;
            if (c == 0) return f;
            if (c < 0) lo = f; else hi = f;
            double dens = Density(f, d1, d2);
            double next = dens > 0 ? f - c / dens : double.NaN;
            if (!(next > lo && next < hi))
                next = double.IsPositiveInfinity(hi) ? Math.Max(2 * f, 1) : 0.5 * (lo + hi);
            if (Math.Abs(next - f) <= 1e-14 * f) return next;
            f = next;
        }
        return f;
    }

    private static void Check(double d1, double d2)
    {
        if (!(d1 > 0)) throw new ArgumentOutOfRangeException(nameof(d1), d1, "Degrees of freedom must be positive.");
        if (!(d2 > 0)) throw new ArgumentOutOfRangeException(nameof(d2), d2, "Degrees of freedom must be positive.");
    }
}
