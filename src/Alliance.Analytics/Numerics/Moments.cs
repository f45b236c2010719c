namespace Alliance.Analytics.Numerics;

/// <summary>
/// Descriptive moments of a sample that skip missing values (NaN), computed in two passes (mean, then centred sums)
/// for numerical stability. Kernels for <c>Descriptives</c> and any domain that needs a mean or SD.
/// </summary>
public static class Moments
{
    /// <summary>
    /// Count of non-missing values, their mean and sample standard deviation (denominator n − 1).
    /// Mean is NaN when n = 0; SD is NaN when n &lt; 2. R: <c>mean(x, na.rm = TRUE)</c>, <c>sd(x, na.rm = TRUE)</c>.
    /// </summary>
    public static (int Count, double Mean, double StandardDeviation) MeanSd(ReadOnlySpan<double> values)
    {
        int n = 0;
        double sum = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            n++;
            sum += v;
        }
        if (n == 0) return (0, double.NaN, double.NaN);
        double mean = sum / n, ss = 0, comp = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            double d = v - mean;
            ss += d * d;
            comp += d;
        }
        // Corrected two-pass formula (Chan, Golub & LeVeque 1983): subtract the rounding error of the mean.
        double variance = n < 2 ? double.NaN : (ss - comp * comp / n) / (n - 1);
        return (n, mean, Math.Sqrt(Math.Max(variance, 0)));
    }

    /// <summary>
    /// Sample skewness as psych::describe reports it (type 3): b1 = m3 / s³ with s the n − 1 standard deviation,
    /// i.e. g1 · ((n − 1)/n)^{3/2}, where g1 = m3 / m2^{3/2} and m_k are central moments with denominator n
    /// (Joanes &amp; Gill 1998). NaN when n &lt; 3 or the values do not vary.
    /// </summary>
    public static double Skewness(ReadOnlySpan<double> values)
    {
        var (n, mean, sd) = MeanSd(values);
        if (n < 3 || !(sd > 0)) return double.NaN;
        double m3 = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            double d = v - mean;
            m3 += d * d * d;
        }
        m3 /= n;
        return m3 / (sd * sd * sd);
    }

    /// <summary>Smallest non-missing value (NaN when there is none).</summary>
    public static double Min(ReadOnlySpan<double> values)
    {
        double m = double.PositiveInfinity;
        foreach (double v in values) if (v < m) m = v;
        return double.IsPositiveInfinity(m) ? double.NaN : m;
    }

    /// <summary>Largest non-missing value (NaN when there is none).</summary>
    public static double Max(ReadOnlySpan<double> values)
    {
        double m = double.NegativeInfinity;
        foreach (double v in values) if (v > m) m = v;
        return double.IsNegativeInfinity(m) ? double.NaN : m;
    }
}
