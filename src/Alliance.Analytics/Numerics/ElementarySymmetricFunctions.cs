namespace Alliance.Analytics.Numerics;

/// <summary>
/// Elementary symmetric functions of polytomous items, the normalising constants of the conditional likelihood of
/// Rasch models: for items j with category weights ε_jc at integer scores s_jc, γ_r = Σ over response patterns with
/// total score r of Π_j ε_{j,x_j}, computed by the summation algorithm (Fischer 1974; Verhelst, Glas &amp; van der
/// Sluis 1984; Andersen 1972): γ^(j)_r = Σ_c ε_jc γ^(j−1)_{r − s_jc}, adding one item at a time.
/// </summary>
/// <remarks>
/// Every term is positive, so the summation algorithm has no cancellation; its only hazard is the range of double
/// precision. Callers keep ε within range by dividing each item's weights by their largest (a constant factor per
/// item, which cancels from every conditional probability) and by tilting all weights by e^(s·t) (which multiplies
/// γ_r by e^(r·t), also cancelling); see <see cref="Tilt"/>. A log-domain version (<see cref="ComputeLog"/>) is the
/// reference in tests. R: <c>psychotools::elementary_symmetric_functions(par)</c>.
/// </remarks>
public static class ElementarySymmetricFunctions
{
    /// <summary>
    /// One step of the summation algorithm: next_r = Σ_c eps[c] · previous_{r − scores[c]}, for r = 0 …
    /// previous.Length − 1 + max(scores). <paramref name="next"/> must have that length; it is overwritten.
    /// </summary>
    public static void AddItem(ReadOnlySpan<double> previous, ReadOnlySpan<double> eps, ReadOnlySpan<int> scores, Span<double> next)
    {
        next.Clear();
        for (int c = 0; c < eps.Length; c++)
        {
            double e = eps[c];
            if (e == 0) continue;
            var target = next.Slice(scores[c], previous.Length);
            for (int r = 0; r < previous.Length; r++) target[r] += e * previous[r];
        }
    }

    /// <summary>
    /// γ_0 … γ_R for the given items (R = Σ_j max_c s_jc), by the summation algorithm in double precision.
    /// </summary>
    /// <param name="eps">Per item, the weight of each category (ε_jc ≥ 0).</param>
    /// <param name="scores">Per item, the integer score of each category (ascending, from 0).</param>
    public static double[] Compute(IReadOnlyList<double[]> eps, IReadOnlyList<int[]> scores)
    {
        ArgumentNullException.ThrowIfNull(eps);
        ArgumentNullException.ThrowIfNull(scores);
        double[] gamma = [1.0];
        for (int j = 0; j < eps.Count; j++)
        {
            var next = new double[gamma.Length + scores[j][^1]];
            AddItem(gamma, eps[j], scores[j], next);
            gamma = next;
        }
        return gamma;
    }

    /// <summary>
    /// log γ_0 … log γ_R in the log domain (log-sum-exp at every step): slower, immune to overflow and underflow;
    /// −∞ for a score no pattern reaches.
    /// </summary>
    /// <param name="logEps">Per item, log ε_jc (−∞ for a category with weight zero).</param>
    /// <param name="scores">Per item, the integer score of each category (ascending, from 0).</param>
    public static double[] ComputeLog(IReadOnlyList<double[]> logEps, IReadOnlyList<int[]> scores)
    {
        ArgumentNullException.ThrowIfNull(logEps);
        ArgumentNullException.ThrowIfNull(scores);
        double[] lg = [0.0];
        for (int j = 0; j < logEps.Count; j++)
        {
            var next = new double[lg.Length + scores[j][^1]];
            Array.Fill(next, double.NegativeInfinity);
            for (int r = 0; r < next.Length; r++)
            {
                double max = double.NegativeInfinity;
                for (int c = 0; c < scores[j].Length; c++)
                {
                    int prev = r - scores[j][c];
                    if (prev < 0 || prev >= lg.Length) continue;
                    max = Math.Max(max, logEps[j][c] + lg[prev]);
                }
                if (double.IsNegativeInfinity(max)) continue;
                double sum = 0;
                for (int c = 0; c < scores[j].Length; c++)
                {
                    int prev = r - scores[j][c];
                    if (prev < 0 || prev >= lg.Length) continue;
                    sum += Math.Exp(logEps[j][c] + lg[prev] - max);
                }
                next[r] = max + Math.Log(sum);
            }
            lg = next;
        }
        return lg;
    }

    /// <summary>
    /// Weights ε_jc = exp(logEps_jc + s_jc·t) divided by their largest per item, written to <paramref name="eps"/>;
    /// returns Σ_j log(max) so that log γ_r = log γ̃_r − r·t + returned value. Tilting by t centres the functions
    /// on the scores a person at θ = t tends to reach, which keeps γ_r near that score far from underflow.
    /// </summary>
    public static double Tilt(ReadOnlySpan<double> logEps, ReadOnlySpan<int> scores, double t, Span<double> eps)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < logEps.Length; c++) max = Math.Max(max, logEps[c] + scores[c] * t);
        for (int c = 0; c < logEps.Length; c++) eps[c] = Math.Exp(logEps[c] + scores[c] * t - max);
        return max;
    }

    /// <summary>
    /// Prefix and suffix functions of a list of items: prefix[i] over items 0 … i − 1, suffix[i] over items i … n − 1
    /// (prefix[0] = suffix[n] = [1]). The functions without item i are prefix[i] ⊛ suffix[i + 1].
    /// </summary>
    public static (double[][] Prefix, double[][] Suffix) PrefixSuffix(IReadOnlyList<double[]> eps, IReadOnlyList<int[]> scores)
    {
        ArgumentNullException.ThrowIfNull(eps);
        ArgumentNullException.ThrowIfNull(scores);
        int n = eps.Count;
        var prefix = new double[n + 1][];
        var suffix = new double[n + 1][];
        prefix[0] = [1.0];
        for (int i = 0; i < n; i++)
        {
            prefix[i + 1] = new double[prefix[i].Length + scores[i][^1]];
            AddItem(prefix[i], eps[i], scores[i], prefix[i + 1]);
        }
        suffix[n] = [1.0];
        for (int i = n - 1; i >= 0; i--)
        {
            suffix[i] = new double[suffix[i + 1].Length + scores[i][^1]];
            AddItem(suffix[i + 1], eps[i], scores[i], suffix[i]);
        }
        return (prefix, suffix);
    }

    /// <summary>The convolution (polynomial product) a ⊛ b.</summary>
    public static double[] Convolve(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var c = new double[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
        {
            double ai = a[i];
            if (ai == 0) continue;
            var target = c.AsSpan(i, b.Length);
            for (int k = 0; k < b.Length; k++) target[k] += ai * b[k];
        }
        return c;
    }
}
