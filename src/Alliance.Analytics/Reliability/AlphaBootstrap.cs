using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// A nonparametric bootstrap of raw α over rows (psych::alpha's <c>n.iter</c>, with more replicates and BCa): the
/// replicate α values' standard error and bias, the percentile interval and the bias-corrected and accelerated (BCa)
/// interval (Efron &amp; Tibshirani 1993, §14.3: z₀ from the share of replicates below α̂, the acceleration from the
/// jackknife).
/// </summary>
/// <param name="Replicates">Number of usable bootstrap replicates (those with a defined α; a pairwise resample can
/// leave an item pair without rows); see <see cref="Requested"/> for the number asked for.</param>
/// <param name="Seed">The seed; the same seed gives the same replicates whatever the thread count.</param>
/// <param name="StandardError">SD of the replicate α values.</param>
/// <param name="Bias">Mean of the replicates minus α̂.</param>
/// <param name="Percentile">Percentile interval (type-7 quantiles of the replicates, as psych's <c>boot.ci</c>).</param>
/// <param name="Bca">BCa interval.</param>
/// <param name="BiasCorrection">z₀ = Φ⁻¹(share of replicates below α̂).</param>
/// <param name="Acceleration">a = Σ (θ̄ − θ₍ᵢ₎)³ / (6 [Σ (θ̄ − θ₍ᵢ₎)²]^{3/2}) over the n jackknife values.</param>
public sealed record AlphaBootstrapResult(int Replicates, long Seed, double StandardError, double Bias,
    ConfidenceInterval Percentile, ConfidenceInterval Bca, double BiasCorrection, double Acceleration)
{
    /// <summary>Replicates asked for; more than <see cref="Replicates"/> when some resamples had an undefined α.</summary>
    public int Requested { get; init; } = Replicates;
}

/// <summary>
/// The bootstrap kernel. Resampling is done with counts, not copies: each replicate block of 16 draws n row indices
/// per replicate from its own <see cref="RandomStream"/> and records how often each row was drawn; one pass over the
/// rows then accumulates the weighted sufficient statistics of all 16 replicates. With complete data these are
/// Σ w x_j, Σ w x_j², Σ w T and Σ w T² (T the row sum), since α = k/(k−1) (1 − Σ s²_j / s²_T); with missing data the
/// weighted pairwise moments, so each replicate's α is psych's pairwise α of the resample.
/// </summary>
internal static class AlphaBootstrap
{
    private const int BlockReplicates = 16;

    public static AlphaBootstrapResult Run(ScaleData data, double estimate, int replicates, long seed, double level,
        IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        int n = data.Rows, m = data.ItemCount;
        var values = data.Values;
        double shift = data.Shift;
        var alphas = new double[replicates];
        int blocks = (replicates + BlockReplicates - 1) / BlockReplicates;
        int done = 0;
        double[]? itemValues = data.HasMissing ? data.ItemValues() : null;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, block =>
        {
            int first = block * BlockReplicates, count = Math.Min(BlockReplicates, replicates - first);
            var random = RandomStream.Create(seed, block);
            // Draw counts replicate by replicate (each replicate's n counts are contiguous, so the increments stay in
            // cache). A row drawn 256 times would overflow a byte: impossible for n < 256, and for larger n the
            // probability is below 1e-400 (the count is binomial(n, 1/n)).
            var counts = new byte[count * n];
            for (int k = 0; k < count; k++) DrawCounts(random, counts.AsSpan(k * n, n));
            if (itemValues is null) CompleteBlock(values, n, m, shift, counts, count, alphas.AsSpan(first, count));
            else PairwiseBlock(itemValues, n, m, shift, counts, count, alphas.AsSpan(first, count));
            int finished = Interlocked.Add(ref done, count);
            progress?.Report(new AnalysisProgress("bootstrap", (double)finished / replicates));
        });

        var jackknife = data.HasMissing ? PairwiseJackknife(data) : CompleteJackknife(values, n, m, shift);
        return Summarise(alphas, jackknife, estimate, seed, level);
    }

    /// <summary>
    /// One multinomial resample of n rows as draw counts: n uniform row indices, two from each 64-bit random number
    /// (32 bits each, mapped to [0, n) by Lemire's multiply-and-reject, so without modulo bias).
    /// </summary>
    internal static void DrawCounts(RandomStream random, Span<byte> counts)
    {
        int n = counts.Length;
        uint range = (uint)n, threshold = (uint)(-n) % range;
        int drawn = 0;
        while (drawn < n)
        {
            ulong bits = random.NextUInt64();
            for (int half = 0; half < 2 && drawn < n; half++, bits >>= 32)
            {
                ulong product = (bits & 0xFFFFFFFFUL) * range;
                if ((uint)product < threshold) continue;   // reject: keeps every index equally likely
                counts[(int)(product >> 32)]++;
                drawn++;
            }
        }
    }

    /// <summary>Percentile and BCa intervals from replicate and jackknife values (Efron &amp; Tibshirani 1993, eq. 14.10, 14.14, 14.15).</summary>
    internal static AlphaBootstrapResult Summarise(double[] replicates, double[] jackknife, double estimate, long seed, double level)
    {
        var sorted = replicates.Where(double.IsFinite).Order().ToArray();
        // Intervals from a minority of the resamples would describe a different population of resamples.
        if (sorted.Length < 2 || 2 * sorted.Length < replicates.Length)
            throw new AllianceInputException($"The bootstrap of alpha is undefined: only {sorted.Length} of {replicates.Length} resamples gave a defined alpha " +
                "(with pairwise missing data a resample can leave two items without a row in common); use ReliabilityOptions.Missing = MissingData.Listwise or the Feldt interval.", "ReliabilityOptions.Missing");
        double mean = sorted.Average();
        double sd = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / (sorted.Length - 1));
        var (pl, pu) = BootstrapIntervals.Percentile(sorted, level);
        var (bl, bu, z0, a) = BootstrapIntervals.Bca(sorted, jackknife, estimate, level);
        return new AlphaBootstrapResult(sorted.Length, seed, sd, mean - estimate,
            new ConfidenceInterval(pl, pu, level, "percentile bootstrap"), new ConfidenceInterval(bl, bu, level, "BCa bootstrap"), z0, a)
        { Requested = replicates.Length };
    }

    /// <summary>
    /// For a block of replicates: Σ w x_j per replicate (a vector), Σ w Q and Σ w T² (T = Σ_j x_j, Q = Σ_j x_j² per
    /// row; Σ w T = Σ_j Σ w x_j). Rows are taken in chunks that stay in cache; within a chunk each replicate's sums are
    /// accumulated in turn, four vectors at a time in registers and without branches (a row drawn zero times adds
    /// zeros), so the per-row work is a handful of vector multiply-adds.
    /// </summary>
    private static void CompleteBlock(double[] values, int n, int m, double shift, byte[] counts, int reps, Span<double> alphas)
    {
        const int chunk = 1024;
        int stride = m + 1, width = Vector<double>.Count, group = 4 * width;
        int padded = (m + group - 1) / group * group;
        var x = new double[chunk * padded];
        var t2 = new double[chunk];
        var q = new double[chunk];
        var s1 = new double[reps * padded];
        var sq = new double[reps];
        var stt = new double[reps];
        ref double x0 = ref MemoryMarshal.GetArrayDataReference(x);
        for (int start = 0; start < n; start += chunk)
        {
            int rows = Math.Min(chunk, n - start);
            for (int r = 0; r < rows; r++)
            {
                var row = values.AsSpan((start + r) * stride, m);
                var dst = x.AsSpan(r * padded, padded);
                double t = 0, qq = 0;
                for (int j = 0; j < m; j++)
                {
                    double v = row[j] - shift;
                    dst[j] = v;
                    t += v;
                    qq += v * v;
                }
                t2[r] = t * t;
                q[r] = qq;
            }
            for (int k = 0; k < reps; k++)
            {
                var w = counts.AsSpan(k * n + start, rows);
                double sumQ = 0, sumT2 = 0;
                for (int r = 0; r < rows; r++)
                {
                    double wk = w[r];
                    sumT2 += wk * t2[r];
                    sumQ += wk * q[r];
                }
                sq[k] += sumQ;
                stt[k] += sumT2;
                for (int g = 0; g < padded; g += group)
                {
                    Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int r = 0; r < rows; r++)
                    {
                        var vw = new Vector<double>((double)w[r]);
                        nuint o = (nuint)(r * padded + g);
                        a0 += vw * Vector.LoadUnsafe(ref x0, o);
                        a1 += vw * Vector.LoadUnsafe(ref x0, o + (nuint)width);
                        a2 += vw * Vector.LoadUnsafe(ref x0, o + (nuint)(2 * width));
                        a3 += vw * Vector.LoadUnsafe(ref x0, o + (nuint)(3 * width));
                    }
                    var dst = s1.AsSpan(k * padded + g, group);
                    (new Vector<double>(dst) + a0).CopyTo(dst);
                    (new Vector<double>(dst[width..]) + a1).CopyTo(dst[width..]);
                    (new Vector<double>(dst[(2 * width)..]) + a2).CopyTo(dst[(2 * width)..]);
                    (new Vector<double>(dst[(3 * width)..]) + a3).CopyTo(dst[(3 * width)..]);
                }
            }
        }
        for (int k = 0; k < reps; k++)
        {
            double items = sq[k], st = 0;
            for (int j = 0; j < m; j++)
            {
                double a = s1[k * padded + j];
                items -= a * a / n;
                st += a;
            }
            double total = stt[k] - st * st / n;
            alphas[k] = m / (m - 1.0) * (1 - items / total);
        }
    }

    /// <summary>Weighted pairwise moments per replicate; α from the pairwise covariance matrix (psych's resample α).</summary>
    private static void PairwiseBlock(double[] itemValues, int n, int m, double shift, byte[] counts, int reps, Span<double> alphas)
    {
        var weights = new int[n];
        var shifts = Enumerable.Repeat(shift, m).ToArray();
        for (int k = 0; k < reps; k++)
        {
            for (int r = 0; r < n; r++) weights[r] = counts[k * n + r];
            var moments = new PairwiseMoments(m, shifts);
            moments.Add(itemValues, weights);
            moments.Finish();
            alphas[k] = AlphaOfMoments(moments, m);
        }
    }

    private static double AlphaOfMoments(PairwiseMoments moments, int m)
    {
        double trace = 0, sum = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double c = moments.Covariance(i, j);
                sum += c;
                if (i == j) trace += c;
            }
        return m / (m - 1.0) * (1 - trace / sum);
    }

    /// <summary>Leave-one-row-out α for complete data, from the full sums minus each row's contribution.</summary>
    private static double[] CompleteJackknife(double[] values, int n, int m, double shift)
    {
        int stride = m + 1;
        var s1 = new double[m];
        var s2 = new double[m];
        double st = 0, stt = 0;
        for (int r = 0; r < n; r++)
        {
            double t = 0;
            for (int j = 0; j < m; j++)
            {
                double v = values[r * stride + j] - shift;
                s1[j] += v;
                s2[j] += v * v;
                t += v;
            }
            st += t;
            stt += t * t;
        }
        var jack = new double[n];
        double nn = n - 1;
        Parallel.For(0, (n + 4095) / 4096, block =>
        {
            int end = Math.Min(n, (block + 1) * 4096);
            for (int r = block * 4096; r < end; r++)
            {
                double t = 0, items = 0;
                for (int j = 0; j < m; j++)
                {
                    double v = values[r * stride + j] - shift;
                    t += v;
                    double a = s1[j] - v;
                    items += s2[j] - v * v - a * a / nn;
                }
                double sT = st - t;
                double total = stt - t * t - sT * sT / nn;
                jack[r] = m / (m - 1.0) * (1 - items / total);
            }
        });
        return jack;
    }

    /// <summary>Leave-one-row-out pairwise α: each row's contribution removed from the pairs it answered.</summary>
    private static double[] PairwiseJackknife(ScaleData data)
    {
        int n = data.Rows, m = data.ItemCount;
        var itemValues = data.ItemValues();
        var shifts = Enumerable.Repeat(data.Shift, m).ToArray();
        var moments = new PairwiseMoments(m, shifts);
        moments.Add(itemValues, default);
        moments.Finish();
        var cov = new double[m * m];
        double trace = 0, sum = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                cov[i * m + j] = moments.Covariance(i, j);
                sum += cov[i * m + j];
                if (i == j) trace += cov[i * m + j];
            }
        var jack = new double[n];
        Parallel.For(0, (n + 1023) / 1024, block =>
        {
            Span<double> x = stackalloc double[m];
            Span<int> present = stackalloc int[m];
            int end = Math.Min(n, (block + 1) * 1024);
            for (int r = block * 1024; r < end; r++)
            {
                int q = 0;
                for (int j = 0; j < m; j++)
                {
                    double v = itemValues[r * m + j];
                    if (double.IsNaN(v)) continue;
                    x[j] = v - shifts[j];
                    present[q++] = j;
                }
                double s = sum, tr = trace;
                for (int a = 0; a < q; a++)
                    for (int b = 0; b < q; b++)
                    {
                        int i = present[a], j = present[b], k = i * m + j, t = j * m + i;
                        double nij = moments.Count[k] - 1;
                        double si = moments.Sum[k] - x[i], sj = moments.Sum[t] - x[j];
                        double c = nij < 2 ? double.NaN : (moments.Cross[k] - x[i] * x[j] - si * sj / nij) / (nij - 1);
                        s += c - cov[k];
                        if (i == j) tr += c - cov[k];
                    }
                jack[r] = m / (m - 1.0) * (1 - tr / s);
            }
        });
        return jack;
    }
}
