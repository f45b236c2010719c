namespace Alliance.Analytics.Irt;

/// <summary>
/// Category response functions of one item and their θ-derivatives, shared by estimation, person measures, fit and
/// plots. Divide-by-total models (RSM, PCM, GPCM): P_c(θ) ∝ exp(a·s_c·θ + d_c) with d_0 = 0 and integer scores s_c.
/// Graded: P*_c(θ) = logistic(a·θ + d_c) for c ≥ 1, P*_0 = 1, P*_m = 0, P_c = P*_c − P*_{c+1}. Arrays d have one
/// entry per category (d[0] is 0 and unused for the graded model).
/// </summary>
internal static class ItemResponseFunctions
{
    /// <summary>Category probabilities at θ.</summary>
    public static void Probabilities(bool graded, double a, ReadOnlySpan<double> d, ReadOnlySpan<int> s, double theta, Span<double> p)
    {
        int m = d.Length;
        if (graded)
        {
            double upper = 1;
            for (int c = 0; c < m - 1; c++)
            {
                double lower = Logistic(a * theta + d[c + 1]);
                p[c] = upper - lower;
                upper = lower;
            }
            p[m - 1] = upper;
            for (int c = 0; c < m; c++) if (p[c] < 1e-300) p[c] = 1e-300;
            return;
        }
        double max = double.NegativeInfinity;
        for (int c = 0; c < m; c++)
        {
            p[c] = a * s[c] * theta + d[c];
            if (p[c] > max) max = p[c];
        }
        double sum = 0;
        for (int c = 0; c < m; c++)
        {
            p[c] = Math.Exp(p[c] - max);
            sum += p[c];
        }
        double inv = 1 / sum;
        for (int c = 0; c < m; c++) p[c] *= inv;
    }

    /// <summary>Probabilities with first and second θ-derivatives.</summary>
    public static void Derivatives(bool graded, double a, ReadOnlySpan<double> d, ReadOnlySpan<int> s, double theta,
        Span<double> p, Span<double> dp, Span<double> d2p)
    {
        int m = d.Length;
        Probabilities(graded, a, d, s, theta, p);
        if (graded)
        {
            double w0 = 0, w0b = 0; // W and W(1−2P*) of the upper boundary (P*_0 = 1 has zero derivative)
            for (int c = 0; c < m; c++)
            {
                double w1 = 0, w1b = 0;
                if (c < m - 1)
                {
                    double ps = Logistic(a * theta + d[c + 1]);
                    w1 = ps * (1 - ps);
                    w1b = w1 * (1 - 2 * ps);
                }
                dp[c] = a * (w0 - w1);
                d2p[c] = a * a * (w0b - w1b);
                w0 = w1;
                w0b = w1b;
            }
            return;
        }
        double mean = 0, var = 0;
        for (int c = 0; c < m; c++) mean += p[c] * s[c];
        for (int c = 0; c < m; c++) var += p[c] * (s[c] - mean) * (s[c] - mean);
        for (int c = 0; c < m; c++)
        {
            double dev = s[c] - mean;
            dp[c] = a * p[c] * dev;
            d2p[c] = a * a * p[c] * (dev * dev - var);
        }
    }

    /// <summary>Expected score Σ s_c P_c and item information Σ (P'_c)² / P_c at θ.</summary>
    public static (double Expected, double Information) ExpectedAndInformation(bool graded, double a, ReadOnlySpan<double> d, ReadOnlySpan<int> s, double theta)
    {
        int m = d.Length;
        Span<double> p = stackalloc double[m], dp = stackalloc double[m], d2p = stackalloc double[m];
        Derivatives(graded, a, d, s, theta, p, dp, d2p);
        double e = 0, info = 0;
        for (int c = 0; c < m; c++)
        {
            e += s[c] * p[c];
            if (p[c] > 0) info += dp[c] * dp[c] / p[c];
        }
        return (e, info);
    }

    public static double Logistic(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
