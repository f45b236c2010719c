namespace Alliance.Analytics.Numerics;

/// <summary>
/// Kendall's rank correlation τ_b and its test, as R's <c>cor.test(x, y, method = "kendall")</c>: the exact null
/// distribution (permutations counted by their number of inversions) when n &lt; 50 and there are no ties, else the
/// normal approximation with the tie-corrected variance of S (Kendall 1970), without continuity correction.
/// </summary>
public static class KendallTau
{
    /// <summary>τ_b, the two-sided p value, and whether the p value is exact.</summary>
    /// <exception cref="ArgumentException">When the lengths differ or n &lt; 2.</exception>
    public static (double Tau, double PValue, bool Exact) Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        if (y.Length != n) throw new ArgumentException("x and y must have the same length.", nameof(y));
        if (n < 2) throw new ArgumentException("Kendall's τ needs at least two pairs.", nameof(x));
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiesX++;
                if (sy == 0) tiesY++;
                if (sx * sy > 0) concordant++;
                else if (sx * sy < 0) discordant++;
            }
        double n0 = n * (n - 1) / 2.0;
        double tau = (concordant - discordant) / Math.Sqrt((n0 - tiesX) * (n0 - tiesY));
        bool ties = tiesX > 0 || tiesY > 0;
        if (n < 50 && !ties)
        {
            double q = Math.Round((tau + 1) * n * (n - 1) / 4);
            double p = q > n * (n - 1) / 4.0 ? 1 - Cdf((int)q - 1, n) : Cdf((int)q, n);
            return (tau, Math.Min(2 * p, 1), true);
        }
        // Normal approximation with ties (R's cor.test.default).
        var tx = TieSizes(x);
        var ty = TieSizes(y);
        double t1 = tx.Sum(t => t * (t - 1.0)) / 2, t2 = ty.Sum(t => t * (t - 1.0)) / 2;
        double s = tau * Math.Sqrt((n0 - t1) * (n0 - t2));
        double v0 = n * (n - 1.0) * (2 * n + 5);
        double vt = tx.Sum(t => t * (t - 1.0) * (2 * t + 5)), vu = ty.Sum(t => t * (t - 1.0) * (2 * t + 5));
        double v1 = tx.Sum(t => t * (t - 1.0)) * ty.Sum(t => t * (t - 1.0));
        double v2 = tx.Sum(t => t * (t - 1.0) * (t - 2)) * ty.Sum(t => t * (t - 1.0) * (t - 2));
        double varS = (v0 - vt - vu) / 18 + v1 / (2.0 * n * (n - 1)) + v2 / (9.0 * n * (n - 1) * (n - 2));
        double z = s / Math.Sqrt(varS);
        return (tau, TailProbabilities.NormalTwoSided(z), false);
    }

    /// <summary>P(T ≤ q) for T the number of concordant pairs among n untied pairs under independence (R's pkendall).</summary>
    internal static double Cdf(int q, int n)
    {
        if (q < 0) return 0;
        int max = n * (n - 1) / 2;
        if (q >= max) return 1;
        // Mahonian numbers: counts of permutations of n with j inversions, built row by row.
        var counts = new double[max + 1];
        counts[0] = 1;
        int currentMax = 0;
        var next = new double[max + 1];
        for (int m = 2; m <= n; m++)
        {
            int newMax = currentMax + m - 1;
            Array.Clear(next);
            double window = 0;
            for (int j = 0; j <= newMax; j++)
            {
                if (j <= currentMax) window += counts[j];
                if (j - m >= 0 && j - m <= currentMax) window -= counts[j - m];
                next[j] = window;
            }
            (counts, next) = (next, counts);
            currentMax = newMax;
        }
        double total = 0, below = 0;
        for (int j = 0; j <= max; j++)
        {
            total += counts[j];
            if (j <= q) below += counts[j];
        }
        return below / total;
    }

    private static List<int> TieSizes(ReadOnlySpan<double> v)
    {
        var sorted = v.ToArray();
        Array.Sort(sorted);
        var sizes = new List<int>();
        int run = 1;
        for (int i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] == sorted[i - 1]) run++;
            else
            {
                if (run > 1) sizes.Add(run);
                run = 1;
            }
        }
        return sizes;
    }
}
