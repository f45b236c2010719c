using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Fitted item parameters in the form every downstream computation takes (person measures, fit, information,
/// category diagnostics): per item a slope a_j and intercepts d_j (d_j[0] = 0), the category scores and the model family.
/// </summary>
internal sealed class ItemSet
{
    public required bool Graded { get; init; }
    public required double[] A { get; init; }
    public required double[][] D { get; init; }
    public required int[][] Scores { get; init; }
    public int ItemCount => A.Length;

    public void Probabilities(int j, double theta, Span<double> p) =>
        ItemResponseFunctions.Probabilities(Graded, A[j], D[j], Scores[j], theta, p[..D[j].Length]);

    public void Derivatives(int j, double theta, Span<double> p, Span<double> dp, Span<double> d2p)
    {
        int m = D[j].Length;
        ItemResponseFunctions.Derivatives(Graded, A[j], D[j], Scores[j], theta, p[..m], dp[..m], d2p[..m]);
    }

    public int MaxCategories => D.Max(d => d.Length);

    /// <summary>Log-likelihood of a response pattern at θ, its first derivative, the test information I(θ) and J(θ) = Σ P'P''/P.</summary>
    public (double LogLik, double Score, double Information, double J) PatternTerms(ReadOnlySpan<byte> pattern, double theta)
    {
        int mx = MaxCategories;
        Span<double> p = stackalloc double[mx], dp = stackalloc double[mx], d2p = stackalloc double[mx];
        double ll = 0, g = 0, info = 0, jj = 0;
        for (int j = 0; j < ItemCount; j++)
        {
            byte x = pattern[j];
            if (x == ItemResponseData.Missing) continue;
            int m = D[j].Length;
            Derivatives(j, theta, p, dp, d2p);
            double px = Math.Max(p[x], 1e-300);
            ll += Math.Log(px);
            g += dp[x] / px;
            for (int c = 0; c < m; c++)
            {
                if (p[c] <= 1e-300) continue;
                info += dp[c] * dp[c] / p[c];
                jj += dp[c] * d2p[c] / p[c];
            }
        }
        return (ll, g, info, jj);
    }

    /// <summary>Where a pattern stands: −1 all answered items in their lowest category, +1 all in their highest, 0 otherwise.</summary>
    public int Extreme(ReadOnlySpan<byte> pattern)
    {
        bool low = true, high = true, any = false;
        for (int j = 0; j < ItemCount; j++)
        {
            byte x = pattern[j];
            if (x == ItemResponseData.Missing) continue;
            any = true;
            if (x != 0) low = false;
            if (x != D[j].Length - 1) high = false;
        }
        if (!any) return 0;
        return low ? -1 : high ? 1 : 0;
    }

    /// <summary>Item information at θ.</summary>
    public double Information(int j, double theta) => ItemResponseFunctions.ExpectedAndInformation(Graded, A[j], D[j], Scores[j], theta).Information;

    /// <summary>Expected item score at θ.</summary>
    public double Expected(int j, double theta) => ItemResponseFunctions.ExpectedAndInformation(Graded, A[j], D[j], Scores[j], theta).Expected;
}

/// <summary>log P_jc(θ_q) of every item category at every node of a grid, for fast posteriors (EAP).</summary>
internal sealed class LogProbabilityTable
{
    private readonly double[] _log;
    private readonly int[] _row;
    private readonly double[] _logWeight;
    public QuadratureGrid Grid { get; }

    public LogProbabilityTable(ItemSet items, QuadratureGrid grid)
    {
        Grid = grid;
        int m = items.ItemCount, q = grid.Count;
        _row = new int[m + 1];
        for (int j = 0; j < m; j++) _row[j + 1] = _row[j] + items.D[j].Length;
        _log = new double[_row[m] * q];
        var p = new double[items.MaxCategories];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < q; k++)
            {
                items.Probabilities(j, grid.Nodes[k], p);
                for (int c = 0; c < items.D[j].Length; c++) _log[(_row[j] + c) * q + k] = Math.Log(Math.Max(p[c], 1e-300));
            }
        _logWeight = [.. grid.Weights.ToArray().Select(w => w > 0 ? Math.Log(w) : double.NegativeInfinity)];
    }

    /// <summary>Posterior mean and SD of θ given a pattern.</summary>
    public Measure Eap(ReadOnlySpan<byte> pattern, int extreme)
    {
        int q = _logWeight.Length;
        Span<double> logs = stackalloc double[q];
        _logWeight.CopyTo(logs);
        for (int j = 0; j < pattern.Length; j++)
        {
            byte x = pattern[j];
            if (x == ItemResponseData.Missing) continue;
            var row = _log.AsSpan((_row[j] + x) * q, q);
            for (int k = 0; k < q; k++) logs[k] += row[k];
        }
        double max = double.NegativeInfinity;
        for (int k = 0; k < q; k++) max = Math.Max(max, logs[k]);
        var nodes = Grid.Nodes;
        double s = 0, m1 = 0, m2 = 0;
        for (int k = 0; k < q; k++)
        {
            double p = Math.Exp(logs[k] - max);
            s += p;
            m1 += p * nodes[k];
            m2 += p * nodes[k] * nodes[k];
        }
        m1 /= s;
        return new Measure(m1, Math.Sqrt(Math.Max(m2 / s - m1 * m1, 0)), extreme);
    }
}

/// <summary>One person measure: estimate, standard error, whether it is finite, and whether its iteration stopped at the limit.</summary>
internal readonly record struct Measure(double Theta, double StandardError, int Extreme, bool IterationLimit = false);

/// <summary>Person measures for one response pattern: ML, WLE (Warm 1989), MAP and EAP.</summary>
internal static class PersonScoring
{
    private const double Bound = 30;

    public static Measure Estimate(ItemSet items, ReadOnlySpan<byte> pattern, PersonEstimator estimator, QuadratureGrid grid)
    {
        int extreme = items.Extreme(pattern);
        switch (estimator)
        {
            case PersonEstimator.Eap: return new LogProbabilityTable(items, grid).Eap(pattern, extreme);
            case PersonEstimator.MaximumLikelihood when extreme != 0:
                return new Measure(extreme * double.PositiveInfinity, double.PositiveInfinity, extreme);
            default:
                return Solve(items, pattern, estimator, grid.Mean, grid.StandardDeviation, extreme);
        }
    }

    /// <summary>
    /// Root of the estimating equation by safeguarded Newton (scoring step g/I) inside a bracket: ML g(θ) = 0;
    /// WLE g(θ) + J(θ)/(2I(θ)) = 0; MAP g(θ) − (θ − μ)/σ² = 0.
    /// </summary>
    private static Measure Solve(ItemSet items, ReadOnlySpan<byte> pattern, PersonEstimator estimator, double mu, double sigma, int extreme)
    {
        double lo = -Bound, hi = Bound, theta = 0;
        double f = 0, info = 0;
        bool done = false;
        for (int it = 0; it < MaxIterations && !done; it++)
        {
            (f, info) = Equation(items, pattern, estimator, theta, mu, sigma);
            if (f > 0) lo = theta; else hi = theta;
            double step = f / Math.Max(info, 1e-10);
            double next = theta + Math.Clamp(step, -2, 2);
            if (next <= lo || next >= hi) next = 0.5 * (lo + hi);
            if (Math.Abs(next - theta) < 1e-10) { theta = next; done = true; break; }
            theta = next;
            if (hi - lo < 1e-10) done = true;
        }
        (_, info) = Equation(items, pattern, estimator, theta, mu, sigma);
        if (theta <= -Bound + 1e-6 || theta >= Bound - 1e-6)
            return new Measure(theta < 0 ? double.NegativeInfinity : double.PositiveInfinity, double.PositiveInfinity, extreme == 0 ? Math.Sign(theta) : extreme);
        return new Measure(theta, 1 / Math.Sqrt(info), extreme, IterationLimit: !done);
    }

    /// <summary>Iteration limit of the person-measure root finder.</summary>
    internal const int MaxIterations = 200;

    private static (double F, double Info) Equation(ItemSet items, ReadOnlySpan<byte> pattern, PersonEstimator estimator, double theta, double mu, double sigma)
    {
        var (_, g, info, j) = items.PatternTerms(pattern, theta);
        return estimator switch
        {
            PersonEstimator.Wle => (g + j / (2 * Math.Max(info, 1e-300)), info),
            PersonEstimator.Map => (g - (theta - mu) / (sigma * sigma), info + 1 / (sigma * sigma)),
            _ => (g, info),
        };
    }
}
