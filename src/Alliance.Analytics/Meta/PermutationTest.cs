using System.Globalization;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Meta;

/// <summary>Options of a permutation test.</summary>
public sealed record PermutationOptions
{
    /// <summary>Number of permutations (metafor's <c>iter</c>, default 1000); the observed arrangement counts as the first.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Seed of the random permutations (results are the same bytes on any machine and thread count).</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Enumerate every distinct permutation instead of sampling; by default this happens when there are no more of them than <see cref="Iterations"/> (as metafor).</summary>
    public bool? Exact { get; init; }

    /// <summary>Use at most this many threads (default: all cores).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>The permutation p value of one coefficient.</summary>
/// <param name="Name">Coefficient.</param>
/// <param name="Statistic">Observed z (or t).</param>
/// <param name="PValue">Share of permutations with |z| at least the observed one.</param>
public sealed record PermutationCoefficient(string Name, double Statistic, double PValue);

/// <summary>
/// A permutation test of a meta-regression (Higgins &amp; Thompson 2004; Viechtbauer et al. 2015): the rows of the
/// moderator matrix are permuted against the effect sizes (for an intercept-only model the signs of the effect sizes
/// are flipped), the model is refitted each time, and p values are the shares of permutations at least as extreme.
/// R: <c>metafor::permutest(fit, iter = 1000)</c>.
/// </summary>
public sealed record PermutationTestResult : IAnalysisResult
{
    /// <summary>The model tested.</summary>
    public required RandomEffectsFit Model { get; init; }

    /// <summary>Permutations used (including the observed one).</summary>
    public required int Iterations { get; init; }

    /// <summary>True when every distinct permutation was enumerated (p values are then exact).</summary>
    public required bool Exact { get; init; }

    /// <summary>The seed of sampled permutations.</summary>
    public required long Seed { get; init; }

    /// <summary>Per coefficient, the permutation p value.</summary>
    public required ImmutableArray<PermutationCoefficient> Coefficients { get; init; }

    /// <summary>Observed QM.</summary>
    public double QM => Model.QM;

    /// <summary>Permutation p value of QM.</summary>
    public required double QMPValue { get; init; }

    /// <summary>Permutations whose refit failed (left out of the p values).</summary>
    public required int Failed { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Model.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => Failed == 0 ? Model.Warnings : [.. Model.Warnings, $"{Failed} permutation refits failed (an error or τ² not converged) and were left out."];

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var table = new ResultTable("Coefficients",
            [TableColumn.Label("term"), TableColumn.Number(Model.DegreesOfFreedom is null ? "z" : "t", 4), TableColumn.Number("p (model)", 4), TableColumn.Number("p (permutation)", 4)],
            [.. Coefficients.Select((c, j) => (IReadOnlyList<object?>)[c.Name, c.Statistic, Model.Coefficients[j].PValue, c.PValue])]);
        return new ResultSummary($"Permutation test ({(Exact ? "exact" : "approximate")}, {Iterations} permutations)",
            [string.Create(CultureInfo.InvariantCulture, $"Test of moderators: QM = {QM:F4}, permutation p {RandomEffectsFit.FormatP(QMPValue)}"), Exact ? "every distinct permutation enumerated" : $"seed {Seed}"],
            [table], ["R: metafor::permutest(fit, iter = …)."], Warnings);
    }

    /// <summary><c>{…, "iterations", "exact", "seed", "qm", "qm_p", "coefficients": [{name, statistic, p}]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["iterations"] = Iterations;
        o["exact"] = Exact;
        o["seed"] = Seed;
        o["qm"] = JsonOutput.Number(QM);
        o["qm_p"] = JsonOutput.Number(QMPValue);
        o["coefficients"] = new JsonArray([.. Coefficients.Select(c => (JsonNode?)new JsonObject
        {
            ["name"] = c.Name,
            ["statistic"] = JsonOutput.Number(c.Statistic),
            ["p"] = JsonOutput.Number(c.PValue),
        })]);
        return o;
    }
}

/// <summary>The permutation test of a fitted model (see <see cref="PermutationTestResult"/>).</summary>
public static class PermutationTest
{
    private const double ComparisonTolerance = 1.4901161193847656e-8; // √ε, metafor's comptol
    private const int BlockSize = 25;

    /// <summary>
    /// Runs the test: exact when the distinct permutations are no more than the iterations (or when asked), else
    /// sampled in blocks, each block with its own random stream, refitted in parallel; the observed arrangement is
    /// the first permutation, so p ≥ 1/iterations. R: <c>metafor::permutest(fit)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When iterations &lt; 2, or exact enumeration is asked for but there are too many permutations (over 10⁷).</exception>
    /// <exception cref="OperationCanceledException">When cancelled.</exception>
    public static PermutationTestResult Run(RandomEffectsFit fit, PermutationOptions? options = null, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fit);
        options ??= new PermutationOptions();
        if (options.Iterations < 2) throw new AllianceInputException("a permutation test needs at least 2 iterations.");
        int k = fit.K, p = fit.CoefficientCount;
        bool interceptOnly = p == 1;
        var x = fit.Design.Span.ToArray();

        // Classes of identical design rows (for distinct permutations) and the count of distinct permutations.
        int[] classOf = RowClasses(x, k, p, out int[] representative);
        double distinct = interceptOnly ? Math.Pow(2, k) : DistinctPermutations(classOf);
        bool exact = options.Exact ?? distinct <= options.Iterations;
        if (exact && distinct > 1e7) throw new AllianceInputException(string.Create(CultureInfo.InvariantCulture, $"exact enumeration would need {distinct:G3} permutations; sample instead."));
        int iterations = exact ? (int)distinct : options.Iterations;

        var settings = KernelSettings.From(fit.Options);
        var stats = new double[iterations * p];
        var qm = new double[iterations];
        int[][]? arrangements = exact && !interceptOnly ? EnumerateArrangements(classOf) : null;
        int blocks = (iterations + BlockSize - 1) / BlockSize;
        int done = 0;
        var progressLock = new object();   // progress sinks (a console line) need not be thread-safe
        var y0 = fit.Studies.Yi.ToArray();
        var v = fit.Studies.Vi.ToArray();
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, blocks, parallel, () => (Kernel: new UnivariateKernel(k, p), Y: new double[k], X: new double[k * p], Order: new int[k]), (b, _, state) =>
        {
            var rng = RandomStream.Create(options.Seed, b);
            int start = b * BlockSize, end = Math.Min(iterations, start + BlockSize);
            for (int it = start; it < end; it++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadOnlySpan<double> yy = y0, xx = x;
                if (interceptOnly)
                {
                    // Exact: iteration it is the sign pattern of its bits (0 = +); sampled: a random sign per study.
                    for (int i = 0; i < k; i++)
                    {
                        bool flip = exact ? ((it >> i) & 1) == 1 : (rng.NextUInt64() >> 63) == 1;
                        state.Y[i] = flip ? -y0[i] : y0[i];
                    }
                    if (exact || it > 0) yy = state.Y;
                }
                else if (exact || it > 0)
                {
                    if (exact) for (int i = 0; i < k; i++) state.Order[i] = representative[arrangements![it][i]];
                    else
                    {
                        for (int i = 0; i < k; i++) state.Order[i] = i;
                        rng.Shuffle(state.Order.AsSpan());
                    }
                    for (int i = 0; i < k; i++) Array.Copy(x, state.Order[i] * p, state.X, i * p, p);
                    xx = state.X;
                }
                try
                {
                    var f = state.Kernel.Fit(yy, v, xx, settings, FitDetail.Coefficients);
                    // A refit whose τ² did not converge counts as failed (metafor's rma stops with an error there,
                    // and permutest skips that permutation).
                    if (!f.Converged) throw new AnalysisFailedException("τ² did not converge.");
                    for (int j = 0; j < p; j++) stats[it * p + j] = f.Statistic[j];
                    qm[it] = f.QM;
                }
                catch (Exception e) when (e is AllianceInputException or AnalysisFailedException or ArithmeticException)
                {
                    for (int j = 0; j < p; j++) stats[it * p + j] = double.NaN;
                    qm[it] = double.NaN;
                }
            }
            int total = Interlocked.Add(ref done, end - start);
            if (progress is not null)
                lock (progressLock) progress.Report(new AnalysisProgress("permutations", (double)total / iterations));
            return state;
        }, _ => { });

        var coefficients = new PermutationCoefficient[p];
        int failed = qm.Count(double.IsNaN);
        for (int j = 0; j < p; j++)
        {
            double observed = fit.Coefficients[j].Statistic;
            int count = 0, valid = 0;
            for (int it = 0; it < iterations; it++)
            {
                double s = stats[it * p + j];
                if (double.IsNaN(s)) continue;
                valid++;
                if (Math.Abs(s) >= Math.Abs(observed) - ComparisonTolerance) count++;
            }
            coefficients[j] = new PermutationCoefficient(fit.Design.ColumnNames[j], observed, Math.Min(1, (double)count / valid));
        }
        int qmCount = 0, qmValid = 0;
        foreach (double q in qm)
        {
            if (double.IsNaN(q)) continue;
            qmValid++;
            if (q >= fit.QM - ComparisonTolerance) qmCount++;
        }
        return new PermutationTestResult
        {
            Model = fit,
            Iterations = iterations,
            Exact = exact,
            Seed = options.Seed,
            Coefficients = [.. coefficients],
            QMPValue = (double)qmCount / qmValid,
            Failed = failed,
        };
    }

    /// <summary>Assigns each design row a class (identical rows share one) and returns a representative row per class.</summary>
    private static int[] RowClasses(double[] x, int k, int p, out int[] representative)
    {
        var classOf = new int[k];
        var reps = new List<int>();
        for (int i = 0; i < k; i++)
        {
            int found = -1;
            for (int c = 0; c < reps.Count && found < 0; c++)
                if (x.AsSpan(reps[c] * p, p).SequenceEqual(x.AsSpan(i * p, p))) found = c;
            if (found < 0) { found = reps.Count; reps.Add(i); }
            classOf[i] = found;
        }
        representative = [.. reps];
        return classOf;
    }

    /// <summary>The number of distinct arrangements of a multiset: k!/Π nᵢ! (as a double; may be huge).</summary>
    internal static double DistinctPermutations(int[] classOf)
    {
        var counts = classOf.GroupBy(c => c).Select(g => g.Count()).ToArray();
        double logCount = LogFactorial(classOf.Length) - counts.Sum(LogFactorial);
        return Math.Round(Math.Exp(logCount));
    }

    private static double LogFactorial(int n) => MathNet.Numerics.SpecialFunctions.FactorialLn(n);

    /// <summary>Every distinct arrangement of the class labels, in lexicographic order (the first is the sorted one).</summary>
    internal static int[][] EnumerateArrangements(int[] classOf)
    {
        var current = classOf.OrderBy(c => c).ToArray();
        var list = new List<int[]>();
        do list.Add((int[])current.Clone());
        while (NextPermutation(current));
        return [.. list];
    }

    private static bool NextPermutation(int[] a)
    {
        int i = a.Length - 2;
        while (i >= 0 && a[i] >= a[i + 1]) i--;
        if (i < 0) return false;
        int j = a.Length - 1;
        while (a[j] <= a[i]) j--;
        (a[i], a[j]) = (a[j], a[i]);
        Array.Reverse(a, i + 1, a.Length - i - 1);
        return true;
    }
}
