namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// Small, independent reference computations the recovery tests compare the simulator against. They are written here,
/// from textbook formulas, on purpose: the library's own engines for these statistics belong to other domains, and a
/// recovery test must not share code with what it checks.
/// </summary>
internal static class Reference
{
    /// <summary>Pearson correlation.</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Sample variance (n − 1).</summary>
    public static double Variance(IReadOnlyList<double> x)
    {
        double m = x.Average();
        return x.Sum(v => (v - m) * (v - m)) / (x.Count - 1);
    }

    /// <summary>
    /// One-way ANOVA intraclass correlation ICC(1) for unbalanced groups (Shrout &amp; Fleiss 1979; Donner 1986):
    /// (MSB − MSW) / (MSB + (n₀ − 1) MSW) with n₀ = (N − Σ n_j² / N) / (J − 1).
    /// </summary>
    public static double Icc1(IReadOnlyList<double> values, IReadOnlyList<int> groups)
    {
        var byGroup = values.Select((v, i) => (v, g: groups[i])).GroupBy(t => t.g).Select(g => g.Select(t => t.v).ToArray()).ToArray();
        int n = values.Count, j = byGroup.Length;
        double grand = values.Average();
        double ssb = byGroup.Sum(g => g.Length * Math.Pow(g.Average() - grand, 2));
        double ssw = byGroup.Sum(g => { double m = g.Average(); return g.Sum(v => (v - m) * (v - m)); });
        double msb = ssb / (j - 1), msw = ssw / (n - j);
        double n0 = (n - byGroup.Sum(g => (double)g.Length * g.Length) / n) / (j - 1);
        return (msb - msw) / (msb + (n0 - 1) * msw);
    }

    /// <summary>Cronbach's α of complete rows: k/(k − 1) (1 − Σ s²_item / s²_total).</summary>
    public static double Alpha(double[][] rows)
    {
        int k = rows[0].Length;
        double sumItemVar = Enumerable.Range(0, k).Sum(j => Variance(rows.Select(r => r[j]).ToArray()));
        return k / (k - 1.0) * (1 - sumItemVar / Variance(rows.Select(r => r.Sum()).ToArray()));
    }

    /// <summary>
    /// ∫ f(x) φ(x; μ, σ) dx by Gauss–Legendre quadrature of f·φ over μ ± 10σ with <paramref name="points"/> nodes
    /// (MathNet's rule; the integrands here are smooth, and the normal mass outside ±10σ is below 1e-22).
    /// </summary>
    public static double NormalExpectation(Func<double, double> f, double mean, double sd, int points = 96)
    {
        if (sd == 0) return f(mean);
        return MathNet.Numerics.Integration.GaussLegendreRule.Integrate(
            x => f(x) * Math.Exp(-0.5 * Math.Pow((x - mean) / sd, 2)) / (sd * Math.Sqrt(2 * Math.PI)), mean - 10 * sd, mean + 10 * sd, points);
    }

    /// <summary>
    /// DerSimonian–Laird random-effects estimate (DerSimonian &amp; Laird 1986): τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)),
    /// μ̂ = Σ w*y / Σ w* with w* = 1/(v + τ²), SE = 1/√Σw*.
    /// </summary>
    public static (double Mu, double Se, double Tau2) DerSimonianLaird(IReadOnlyList<double> y, IReadOnlyList<double> v)
    {
        int k = y.Count;
        var w = v.Select(x => 1 / x).ToArray();
        double sw = w.Sum(), fixedMu = w.Zip(y, (a, b) => a * b).Sum() / sw;
        double q = Enumerable.Range(0, k).Sum(i => w[i] * Math.Pow(y[i] - fixedMu, 2));
        double c = sw - w.Sum(a => a * a) / sw;
        double tau2 = Math.Max(0, (q - (k - 1)) / c);
        var ws = v.Select(x => 1 / (x + tau2)).ToArray();
        double mu = ws.Zip(y, (a, b) => a * b).Sum() / ws.Sum();
        return (mu, 1 / Math.Sqrt(ws.Sum()), tau2);
    }

    /// <summary>
    /// Partial credit model (Masters 1982) fitted by joint maximum likelihood, the method of Winsteps and of
    /// Mallinckrodt &amp; Tekie's analysis: P(X_ni = x) ∝ exp(Σ_{k ≤ x} (θ_n − δ_ik)), categories coded 0 … K − 1,
    /// missing as −1. Persons with extreme raw scores are left out (their θ is infinite). Alternates one Newton step
    /// per person and a Newton step per item's thresholds (full K − 1 × K − 1 information), centring mean item location
    /// at 0, until no parameter moves by more than 1e-4. Returns Andrich thresholds δ_ik, person estimates and their
    /// model standard errors.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static PcmFit FitPartialCredit(int[][] responses, int categories)
    {
        int m = responses[0].Length, kk = categories - 1;
        var persons = responses.Where(r =>
        {
            int score = 0, max = 0;
            foreach (int x in r) if (x >= 0) { score += x; max += kk; }
            return score > 0 && score < max;
        }).ToArray();
        int n = persons.Length;
        var theta = new double[n];
        var delta = new double[m][];
        for (int i = 0; i < m; i++) delta[i] = new double[kk];
        var p = new double[categories];
        double change = double.PositiveInfinity;
        int iteration = 0;
        for (; iteration < 500 && change > 1e-4; iteration++)
        {
            change = 0;
            // Persons.
            for (int v = 0; v < n; v++)
            {
                double observed = 0, expected = 0, information = 0;
                for (int i = 0; i < m; i++)
                {
                    int x = persons[v][i];
                    if (x < 0) continue;
                    Probabilities(theta[v], delta[i], p);
                    double e = 0, e2 = 0;
                    for (int c = 1; c < categories; c++) { e += c * p[c]; e2 += c * c * p[c]; }
                    observed += x;
                    expected += e;
                    information += e2 - e * e;
                }
                double step = Math.Clamp((observed - expected) / information, -1, 1);
                theta[v] += step;
                change = Math.Max(change, Math.Abs(step));
            }
            // Items: Newton on the thresholds; gradient of −log L in δ_ik is N(X ≥ k) − E N(X ≥ k).
            for (int i = 0; i < m; i++)
            {
                var g = new double[kk];
                var h = new double[kk, kk];
                var atLeast = new double[kk];
                for (int v = 0; v < n; v++)
                {
                    int x = persons[v][i];
                    if (x < 0) continue;
                    Probabilities(theta[v], delta[i], p);
                    double tail = 0;
                    for (int c = categories - 1; c >= 1; c--) { tail += p[c]; atLeast[c - 1] = tail; }
                    for (int k = 0; k < kk; k++)
                    {
                        g[k] += (x >= k + 1 ? 1 : 0) - atLeast[k];
                        for (int l = 0; l < kk; l++)
                            h[k, l] += atLeast[Math.Max(k, l)] - atLeast[k] * atLeast[l];
                    }
                }
                var step = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(h)
                    .Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(g));
                for (int k = 0; k < kk; k++)
                {
                    double s = Math.Clamp(-step[k], -1, 1);
                    delta[i][k] += s;
                    change = Math.Max(change, Math.Abs(s));
                }
            }
            double centre = delta.Average(d => d.Average());
            foreach (var d in delta) for (int k = 0; k < kk; k++) d[k] -= centre;
            for (int v = 0; v < n; v++) theta[v] -= centre;
        }
        var se = new double[n];
        for (int v = 0; v < n; v++)
        {
            double information = 0;
            for (int i = 0; i < m; i++)
            {
                if (persons[v][i] < 0) continue;
                Probabilities(theta[v], delta[i], p);
                double e = 0, e2 = 0;
                for (int c = 1; c < categories; c++) { e += c * p[c]; e2 += c * c * p[c]; }
                information += e2 - e * e;
            }
            se[v] = 1 / Math.Sqrt(information);
        }
        return new PcmFit(delta, theta, se, iteration, change <= 1e-4);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Probabilities(double theta, double[] delta, double[] p)
    {
        double s = 0, max = 0;
        p[0] = 0;
        for (int k = 0; k < delta.Length; k++)
        {
            s += theta - delta[k];
            p[k + 1] = s;
            max = Math.Max(max, s);
        }
        double total = 0;
        for (int c = 0; c < p.Length; c++) { p[c] = Math.Exp(p[c] - max); total += p[c]; }
        for (int c = 0; c < p.Length; c++) p[c] /= total;
    }
}

/// <summary>A joint-ML partial credit fit: Andrich thresholds per item, person measures and SEs.</summary>
internal sealed record PcmFit(double[][] Thresholds, double[] Theta, double[] StandardErrors, int Iterations, bool Converged)
{
    /// <summary>Items whose Andrich thresholds do not strictly increase.</summary>
    public int DisorderedItems => Thresholds.Count(d => d.Zip(d.Skip(1), (a, b) => b <= a).Any(x => x));

    /// <summary>Rasch person reliability (Wright &amp; Masters 1982): (var θ̂ − mean SE²) / var θ̂.</summary>
    public double PersonReliability
    {
        get
        {
            double observed = Reference.Variance(Theta);
            return (observed - StandardErrors.Average(s => s * s)) / observed;
        }
    }
}
