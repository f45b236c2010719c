namespace Alliance.Analytics.Numerics;

/// <summary>Sample quantiles and medians as R computes them by default.</summary>
public static class SampleQuantiles
{
    /// <summary>
    /// The p-quantile of sorted values by R's default rule (Hyndman &amp; Fan 1996, type 7): with h = (n − 1)p,
    /// x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎). R: <c>quantile(x, p)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When there are no values or p is outside [0, 1].</exception>
    public static double Type7(ReadOnlySpan<double> sorted, double p)
    {
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(sorted));
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "A probability must be in [0, 1].");
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        if (lo >= sorted.Length - 1) return sorted[^1];
        return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>The median (type 7 at p = ½); NaN when there are no values. R: <c>median(x)</c>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : Type7(sorted, 0.5);
    }
}
