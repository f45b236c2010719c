using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Reliability;
using BenchmarkDotNet.Attributes;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Bench;

/// <summary>
/// Reliability against psych on the same data (bench/r/reliability.R times the R side; results in
/// bench/results/reliability.md). Targets (issue #4): α with item statistics and ω on 100,000 × 16 at least 20× faster
/// than psych::alpha + psych::omega; 1,000 bootstrap replicates of α on 100,000 × 16 in under 2 s; the polychoric
/// matrix of 20,000 × 16 at least 10× faster than psych::polychoric. The data are written once (fixed seed) to the
/// temp directory as CSV, where the R script reads them.
/// </summary>
[MemoryDiagnoser]
public class ReliabilityBenchmarks
{
    private ResponseMatrix _large = null!;
    private ResponseMatrix _ordinal = null!;

    /// <summary>The 100,000 × 16 file (7 points) and the 20,000 × 16 file (5 points).</summary>
    public static string LargePath => Path.Combine(Path.GetTempPath(), "alliance-bench-reliability-100k.csv");

    /// <summary>The 20,000 × 16 polychoric file.</summary>
    public static string OrdinalPath => Path.Combine(Path.GetTempPath(), "alliance-bench-reliability-20k.csv");

    [GlobalSetup]
    public void Setup()
    {
        if (!File.Exists(LargePath)) WriteScale(LargePath, 100_000, 16, 7, seed: 4);
        if (!File.Exists(OrdinalPath)) WriteScale(OrdinalPath, 20_000, 16, 5, seed: 5);
        _large = Read(LargePath, 7);
        _ordinal = Read(OrdinalPath, 5);
    }

    /// <summary>
    /// One-factor data cut into K ceiling-skewed categories, complete: y_j = λ_j f + √(1 − λ_j²) e_j with λ_j from
    /// 0.55 to 0.80, thresholds at the normal quantiles of a skewed category distribution.
    /// </summary>
    public static void WriteScale(string path, int rows, int items, int points, long seed)
    {
        var rng = RandomStream.Create(seed);
        double[] cuts = points == 7 ? [-2.3, -1.8, -1.2, -0.6, 0.0, 0.7] : [-1.9, -1.1, -0.25, 0.6];
        AtomicFile.Write(path, w =>
        {
            w.WriteLine(string.Join(',', Enumerable.Range(1, items).Select(j => "q" + j.ToString(CultureInfo.InvariantCulture))));
            var sb = new StringBuilder();
            for (int r = 0; r < rows; r++)
            {
                sb.Clear();
                double f = rng.NextNormal();
                for (int j = 0; j < items; j++)
                {
                    double lambda = 0.55 + 0.25 * j / (items - 1);
                    double y = lambda * f + Math.Sqrt(1 - lambda * lambda) * rng.NextNormal();
                    int c = 1;
                    while (c <= cuts.Length && y > cuts[c - 1]) c++;
                    if (j > 0) sb.Append(',');
                    sb.Append(c);
                }
                w.WriteLine(sb);
            }
        });
    }

    private static ResponseMatrix Read(string path, int points)
    {
        var lines = File.ReadAllLines(path);
        var items = lines[0].Split(',');
        var values = new double[(lines.Length - 1) * items.Length];
        int k = 0;
        for (int r = 1; r < lines.Length; r++)
            foreach (var field in lines[r].Split(',')) values[k++] = double.Parse(field, CultureInfo.InvariantCulture);
        return ResponseMatrix.Create(values, items, ItemScale.Likert(points));
    }

    /// <summary>α, standardized α, λ1–λ6, split-half over all 6,435 splits, ω total and ω if deleted, item analysis.</summary>
    [Benchmark]
    public double AlphaItemsOmega100k() => ReliabilityAnalysis.Analyze(_large).Alpha;

    /// <summary>The same without ω if deleted (psych::alpha + psych::omega compute no ω per deleted item).</summary>
    [Benchmark]
    public double AlphaItemsOmegaNoOmegaIfDeleted100k() => ReliabilityAnalysis.Analyze(_large, new ReliabilityOptions { OmegaIfDeleted = false }).Alpha;

    /// <summary>Everything above plus 1,000 bootstrap replicates of α (percentile and BCa).</summary>
    [Benchmark]
    public double Bootstrap1000Alpha100k() =>
        ReliabilityAnalysis.Analyze(_large, new ReliabilityOptions { Interval = AlphaIntervalMethod.Bootstrap, BootstrapReplicates = 1000, OmegaIfDeleted = false }).AlphaInterval.Lower;

    /// <summary>The polychoric matrix of 20,000 × 16 (120 pairs, global thresholds, as psych::polychoric).</summary>
    [Benchmark]
    public double Polychoric20k() => ReliabilityAnalysis.Polychoric(_ordinal)[0, 1];
}
