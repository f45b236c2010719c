using System.Collections.Immutable;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// Split-half reliabilities over splits of the items into two halves, each the Guttman–Flanagan–Rulon coefficient
/// r_split = 4 c_AB / V_t (c_AB the sum of correlations between the halves, V_t the sum of the whole matrix), which
/// equals the Spearman–Brown-stepped-up correlation of the halves when their variances are equal. As psych::splitHalf.
/// The maximum over splits is Guttman's λ4.
/// </summary>
/// <param name="Maximum">The largest split-half reliability (λ4).</param>
/// <param name="Minimum">The smallest (psych's β estimate when all splits are seen).</param>
/// <param name="Mean">The mean over the splits evaluated.</param>
/// <param name="SplitsEvaluated">How many splits were evaluated.</param>
/// <param name="DistinctSplits">How many distinct splits there are.</param>
/// <param name="Sampled">True when the splits were sampled (seeded) rather than enumerated.</param>
/// <param name="Enumeration">Which splits were enumerated (every distinct split, or psych's).</param>
/// <param name="BestHalf">The items in one half of the best split.</param>
/// <param name="WorstHalf">The items in one half of the worst split.</param>
public sealed record SplitHalfResult(double Maximum, double Minimum, double Mean, int SplitsEvaluated, double DistinctSplits, bool Sampled,
    SplitHalfEnumeration Enumeration, ImmutableArray<string> BestHalf, ImmutableArray<string> WorstHalf);

/// <summary>Enumerates or samples splits (kernel; the caller checks its input).</summary>
internal static class SplitHalf
{
    /// <summary>The random stream sampled splits use (bootstrap blocks use 0, 1, 2 …).</summary>
    private const long SplitStream = 1L << 40;

    /// <summary>Split-half reliabilities of correlation matrix <paramref name="r"/>. R: <c>psych::splitHalf(r)</c>.</summary>
    public static SplitHalfResult Compute(double[,] r, IReadOnlyList<string> items, SplitHalfEnumeration enumeration, int maximumSplits, long seed,
        CancellationToken cancellationToken = default)
    {
        int k = r.GetLength(0), h = k / 2;
        double vt = SymmetricMatrices.Sum(r);
        double combos = Choose(k, h);
        var inA = new bool[k];
        var combo = new int[h];
        double max = double.NegativeInfinity, min = double.PositiveInfinity, sum = 0;
        int[] best = [], worst = [];
        int evaluated = 0;

        void Evaluate(ReadOnlySpan<int> half)
        {
            if ((evaluated & 255) == 255) cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(inA);
            foreach (int i in half) inA[i] = true;
            double cab = 0;
            foreach (int i in half)
                for (int j = 0; j < k; j++)
                    if (!inA[j]) cab += r[i, j];
            double rab = 4 * cab / vt;
            sum += rab;
            evaluated++;
            if (rab > max) { max = rab; best = half.ToArray(); }
            if (rab < min) { min = rab; worst = half.ToArray(); }
        }

        double distinct = k % 2 == 0 ? combos / 2 : combos;
        bool sampled;
        double divisor;
        if (enumeration == SplitHalfEnumeration.PsychCompatible)
        {
            double count = Math.Round(combos) / 2;
            sampled = count > maximumSplits;
            if (!sampled)
            {
                int toEvaluate = (int)Math.Ceiling(count);
                for (int c = 0; c < h; c++) combo[c] = c;
                for (int i = 0; i < toEvaluate; i++)
                {
                    Evaluate(combo);
                    if (!NextCombination(combo, k)) break;
                }
                divisor = count;
            }
            else divisor = maximumSplits;
        }
        else
        {
            sampled = distinct > maximumSplits;
            if (!sampled)
            {
                if (k % 2 == 0)
                {
                    // Every distinct split once: the halves that contain item 0.
                    var rest = new int[h - 1];
                    for (int c = 0; c < h - 1; c++) rest[c] = c;
                    var half = new int[h];
                    do
                    {
                        half[0] = 0;
                        for (int c = 0; c < h - 1; c++) half[c + 1] = rest[c] + 1;
                        Evaluate(half);
                    } while (h > 1 && NextCombination(rest, k - 1));
                }
                else
                {
                    for (int c = 0; c < h; c++) combo[c] = c;
                    do Evaluate(combo); while (NextCombination(combo, k));
                }
            }
            divisor = sampled ? maximumSplits : evaluated;
        }
        if (sampled)
        {
            var random = RandomStream.Create(seed, SplitStream);
            var order = Enumerable.Range(0, k).ToArray();
            for (int s = 0; s < maximumSplits; s++)
            {
                // A uniformly random half of ⌊k/2⌋ items: a partial Fisher–Yates shuffle.
                for (int i = 0; i < h; i++)
                {
                    int j = i + random.NextInt(k - i);
                    (order[i], order[j]) = (order[j], order[i]);
                }
                Evaluate(order.AsSpan(0, h));
            }
        }
        return new SplitHalfResult(max, min, sum / divisor, evaluated, distinct, sampled, enumeration,
            [.. best.Order().Select(i => items[i])], [.. worst.Order().Select(i => items[i])]);
    }

    /// <summary>Advances a combination of indices (ascending) from 0 … n − 1 to the next in lexicographic order.</summary>
    private static bool NextCombination(int[] c, int n)
    {
        int m = c.Length, i = m - 1;
        while (i >= 0 && c[i] == n - m + i) i--;
        if (i < 0) return false;
        c[i]++;
        for (int j = i + 1; j < m; j++) c[j] = c[j - 1] + 1;
        return true;
    }

    private static double Choose(int n, int k)
    {
        double c = 1;
        for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return Math.Round(c);
    }
}
