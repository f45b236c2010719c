using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Numerics;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Outcomes;

/// <summary>Which correlation coefficient.</summary>
public enum CorrelationMethod
{
    /// <summary>Pearson's product-moment r.</summary>
    Pearson,
    /// <summary>Spearman's rank correlation ρ (Pearson r of mid-ranks).</summary>
    Spearman,
    /// <summary>Kendall's τ-b (adjusted for ties).</summary>
    Kendall,
}

/// <summary>How a bootstrap interval is formed from the replicates.</summary>
public enum BootstrapInterval
{
    /// <summary>Percentile interval.</summary>
    Percentile,
    /// <summary>Bias-corrected and accelerated interval (Efron 1987; acceleration from the jackknife).</summary>
    Bca,
}

/// <summary>Options for bootstrap intervals of a correlation.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Number of resamples of cases (pairs).</summary>
    public int Replicates { get; init; } = 2000;

    /// <summary>Seed; replicate block b uses <c>RandomStream.Create(Seed, b)</c> so results do not depend on threads.</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Percentile or BCa (default).</summary>
    public BootstrapInterval Interval { get; init; } = BootstrapInterval.Bca;
}

/// <summary>
/// A correlation with its test and interval.
/// </summary>
/// <param name="Method">The coefficient.</param>
/// <param name="R">The estimate.</param>
/// <param name="N">Complete pairs used.</param>
/// <param name="Statistic">Test statistic: t (Pearson, Spearman; df = n − 2 − covariates) or z (Kendall).</param>
/// <param name="PValue">Two-sided p for H₀: ρ = 0.</param>
/// <param name="Interval">The confidence interval, its level, and how it was made in its <see cref="ConfidenceInterval.Method"/>
/// ("Fisher z": tanh(atanh r ± z_{1−α/2} SE) with SE = 1/√(n − 3); "Fisher z, Bonett–Wright SE"; "bootstrap BCa, 2000 resamples" …).</param>
public sealed record CorrelationEstimate(CorrelationMethod Method, double R, int N, double Statistic, double PValue, ConfidenceInterval Interval)
{
    /// <summary>Bootstrap resamples whose coefficient was defined and that the interval is built on (0 when the interval is not a bootstrap one).</summary>
    public int Resamples { get; init; }

    /// <summary>"r = .31 [.22, .40], n = 412, p &lt; .001".</summary>
    public override string ToString() =>
        $"{Method} r = {R.ToString("F3", CultureInfo.InvariantCulture)} [{Interval.Lower.ToString("F3", CultureInfo.InvariantCulture)}, {Interval.Upper.ToString("F3", CultureInfo.InvariantCulture)}], " +
        $"n = {N}, p = {PValue.ToString("G3", CultureInfo.InvariantCulture)}";
}

/// <summary>A polyserial correlation (continuous x, ordinal y) with its standard error and the thresholds of y.</summary>
/// <param name="Rho">The two-step ML estimate of the latent correlation.</param>
/// <param name="StandardError">√ of the inverse observed information for ρ (thresholds held fixed).</param>
/// <param name="Thresholds">Φ⁻¹ of the cumulative proportions of y's categories.</param>
/// <param name="N">Complete pairs.</param>
/// <param name="Convergence">How the one-dimensional maximisation ended.</param>
public sealed record PolyserialEstimate(double Rho, double StandardError, ImmutableArray<double> Thresholds, int N, Convergence Convergence);

/// <summary>A comparison of two dependent correlations r₁₂ and r₁₃ that share variable 1 (e.g. client- and therapist-rated alliance with the same outcome).</summary>
/// <param name="R12">First correlation.</param>
/// <param name="R13">Second correlation.</param>
/// <param name="R23">Correlation of the two non-shared variables.</param>
/// <param name="N">Sample size.</param>
/// <param name="Williams">Williams's T₂ (Steiger 1980, eq. 7) on n − 3 df, named "t", with its two-sided p.</param>
/// <param name="Steiger">Steiger's Z₁* with the pooled r̄ (Steiger 1980, eq. 14), named "z", with its two-sided p.</param>
public sealed record DependentCorrelationTest(double R12, double R13, double R23, int N, TestResult Williams, TestResult Steiger);

/// <summary>
/// Correlations between alliance and outcome: Pearson, Spearman and Kendall with tests and Fisher-z or bootstrap
/// intervals; polyserial; partial correlation; dependent correlations sharing a variable; correction for
/// attenuation. Missing pairs (NaN in either) are left out.
/// </summary>
public static class Correlations
{
    /// <summary>
    /// A correlation with its test and Fisher-z interval. Tests as R's <c>cor.test(x, y, method = …, exact = FALSE)</c>:
    /// t = r √((n − 2)/(1 − r²)) on n − 2 df for Pearson and Spearman; for Kendall z = S / √Var(S) with the tie-corrected
    /// variance. Intervals: tanh(atanh r ± z_{1−α/2} SE) with SE = 1/√(n − 3) (Pearson; Fisher 1921),
    /// √((1 + r²/2)/(n − 3)) (Spearman; Bonett &amp; Wright 2000) and √(0.437/(n − 4)) (Kendall; Fieller, Hartley &amp;
    /// Pearson 1957).
    /// </summary>
    /// <exception cref="AllianceInputException">When fewer than 4 (Kendall 5) complete pairs remain, or a variable does not vary.</exception>
    public static CorrelationEstimate Correlate(ReadOnlySpan<double> x, ReadOnlySpan<double> y, CorrelationMethod method = CorrelationMethod.Pearson, double level = Defaults.Level)
    {
        var (a, b) = CompletePairs(x, y);
        int n = a.Length;
        int minimum = method == CorrelationMethod.Kendall ? 5 : 4;
        if (n < minimum) throw new AllianceInputException($"a {method} correlation with an interval needs at least {minimum} complete pairs; there are {n}");
        CheckLevel(level);
        double r = Coefficient(a, b, method);
        if (double.IsNaN(r)) throw new AllianceInputException("a variable does not vary, so the correlation is undefined");
        double zq = Normal.InvCDF(0, 1, 0.5 + level / 2);
        double se = method switch
        {
            CorrelationMethod.Pearson => 1 / Math.Sqrt(n - 3),
            CorrelationMethod.Spearman => Math.Sqrt((1 + r * r / 2) / (n - 3)),
            _ => Math.Sqrt(0.437 / (n - 4)),
        };
        double z = Atanh(r);
        double statistic, p;
        if (method == CorrelationMethod.Kendall)
        {
            statistic = KendallZ(a, b, r);
            p = 2 * Normal.CDF(0, 1, -Math.Abs(statistic));
        }
        else (statistic, p) = TTest(r, n - 2);
        string how = method switch
        {
            CorrelationMethod.Pearson => "Fisher z",
            CorrelationMethod.Spearman => "Fisher z, Bonett–Wright SE",
            _ => "Fisher z, Fieller–Hartley–Pearson SE",
        };
        return new CorrelationEstimate(method, r, n, statistic, p, new ConfidenceInterval(Math.Tanh(z - zq * se), Math.Tanh(z + zq * se), level, how));
    }

    /// <summary>
    /// A correlation with a bootstrap interval: cases (pairs) resampled <see cref="BootstrapOptions.Replicates"/> times,
    /// percentile or BCa limits (Efron &amp; Tibshirani 1993, ch. 14; acceleration from the jackknife), computed in
    /// parallel blocks with one random stream per block, so the interval is the same whatever the thread count.
    /// R: <c>boot::boot.ci(boot(d, function(d, i) cor(d[i, 1], d[i, 2]), R), type = "bca")</c> (different random numbers).
    /// </summary>
    /// <exception cref="AllianceInputException">When too few pairs remain or a variable does not vary.</exception>
    public static CorrelationEstimate Bootstrap(ReadOnlySpan<double> x, ReadOnlySpan<double> y, CorrelationMethod method = CorrelationMethod.Pearson,
        double level = Defaults.Level, BootstrapOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BootstrapOptions();
        if (options.Replicates < 100) throw new ArgumentOutOfRangeException(nameof(options), options.Replicates, "Use at least 100 bootstrap replicates.");
        if (options.Replicates > Defaults.MaxResamples)
            throw new AllianceInputException($"BootstrapOptions.Replicates is {options.Replicates}: at most {Defaults.MaxResamples} bootstrap resamples are taken (Defaults.MaxResamples)", "BootstrapOptions.Replicates");
        var baseline = Correlate(x, y, method, level);
        var (a, b) = CompletePairs(x, y);
        int n = a.Length, reps = options.Replicates;
        const int BlockSize = 64;
        int blocks = (reps + BlockSize - 1) / BlockSize;
        var values = new double[reps];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, () => (new double[n], new double[n]), (block, _, buffers) =>
        {
            var rng = RandomStream.Create(options.Seed, block);
            var (xa, ya) = buffers;
            int end = Math.Min(reps, (block + 1) * BlockSize);
            for (int k = block * BlockSize; k < end; k++)
            {
                for (int i = 0; i < n; i++)
                {
                    int j = rng.NextInt(n);
                    xa[i] = a[j];
                    ya[i] = b[j];
                }
                values[k] = Coefficient(xa, ya, method);
            }
            return buffers;
        }, _ => { });
        var finite = values.Where(double.IsFinite).ToArray();
        Array.Sort(finite);
        if (finite.Length < reps / 2) throw new AnalysisFailedException("most bootstrap resamples had a constant variable; the bootstrap interval is undefined");
        double lo, hi;
        if (options.Interval == BootstrapInterval.Percentile)
            (lo, hi) = BootstrapIntervals.Percentile(finite, level);
        else
        {
            // BCa with the jackknife acceleration (Efron & Tibshirani 1993, §14.3), as boot::boot.ci(type = "bca").
            var jack = new double[n];
            Parallel.For(0, n, () => (new double[n - 1], new double[n - 1]), (i, _, buffers) =>
            {
                var (xa, ya) = buffers;
                for (int k = 0, m = 0; k < n; k++) { if (k == i) continue; xa[m] = a[k]; ya[m] = b[k]; m++; }
                jack[i] = Coefficient(xa, ya, method);
                return buffers;
            }, _ => { });
            (lo, hi, _, _) = BootstrapIntervals.Bca(finite, jack, baseline.R, level);
        }
        // Resamples with a constant variable have no coefficient: they are left out, and the label says how many were used.
        string count = finite.Length == reps ? reps.ToString("N0", CultureInfo.InvariantCulture)
            : $"{finite.Length.ToString("N0", CultureInfo.InvariantCulture)} of {reps.ToString("N0", CultureInfo.InvariantCulture)}";
        string how = $"bootstrap {(options.Interval == BootstrapInterval.Bca ? "BCa" : "percentile")}, {count} resamples{(finite.Length == reps ? "" : " (the others had a constant variable)")} (seed {options.Seed.ToString(CultureInfo.InvariantCulture)})";
        return baseline with { Interval = new ConfidenceInterval(lo, hi, level, how), Resamples = finite.Length };
    }

    /// <summary>
    /// Partial correlation of x and y controlling for <paramref name="covariates"/> (e.g. pre-treatment severity): the
    /// correlation of the residuals of x and y after least-squares regression on the covariates (Cohen, Cohen, West &amp;
    /// Aiken 2003, §3.3). Test t = r √(df/(1 − r²)) with df = n − 2 − k; interval tanh(atanh r ± z/√(n − 3 − k)).
    /// R: <c>cor.test(resid(lm(x ~ z)), resid(lm(y ~ z)))</c> gives r (its df ignore the covariates).
    /// </summary>
    /// <exception cref="AllianceInputException">When fewer than k + 4 complete cases remain, or a variable is constant given the covariates.</exception>
    public static CorrelationEstimate Partial(ReadOnlySpan<double> x, ReadOnlySpan<double> y, IReadOnlyList<double[]> covariates, double level = Defaults.Level)
    {
        ArgumentNullException.ThrowIfNull(covariates);
        CheckLevel(level);
        int k = covariates.Count;
        var rows = new List<int>(x.Length);
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]) || double.IsNaN(y[i])) continue;
            bool ok = true;
            foreach (var c in covariates) if (double.IsNaN(c[i])) { ok = false; break; }
            if (ok) rows.Add(i);
        }
        int n = rows.Count;
        if (n < k + 4) throw new AllianceInputException($"a partial correlation controlling {k} variable(s) needs at least {k + 4} complete cases; there are {n}");
        var design = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, k + 1, (i, j) => j == 0 ? 1 : covariates[j - 1][rows[i]]);
        var xv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n);
        var yv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n);
        for (int i = 0; i < n; i++) { xv[i] = x[rows[i]]; yv[i] = y[rows[i]]; }
        var qr = design.QR();
        var rx = xv - design * qr.Solve(xv);
        var ry = yv - design * qr.Solve(yv);
        double r = PearsonOf(rx.ToArray(), ry.ToArray());
        if (double.IsNaN(r)) throw new AllianceInputException("x or y does not vary once the covariates are accounted for; the partial correlation is undefined");
        var (t, p) = TTest(r, n - 2 - k);
        double zq = Normal.InvCDF(0, 1, 0.5 + level / 2), se = 1 / Math.Sqrt(n - 3 - k), z = Atanh(r);
        return new CorrelationEstimate(CorrelationMethod.Pearson, r, n, t, p,
            new ConfidenceInterval(Math.Tanh(z - zq * se), Math.Tanh(z + zq * se), level, $"Fisher z with n − 3 − {k}"));
    }

    /// <summary>
    /// Polyserial correlation of a continuous <paramref name="x"/> and an ordinal <paramref name="y"/> (integer
    /// categories) by two-step maximum likelihood (Olsson, Drasgow &amp; Dorans 1982): thresholds τ = Φ⁻¹ of y's
    /// cumulative proportions, then ρ maximising Σ log[φ(zᵢ)(Φ((τ_{yᵢ+1} − ρzᵢ)/√(1 − ρ²)) − Φ((τ_{yᵢ} − ρzᵢ)/√(1 − ρ²)))]
    /// with z the standardised x (SD with n − 1). R: <c>polycor::polyserial(x, y, std.err = TRUE)</c>.
    /// </summary>
    /// <exception cref="AllianceInputException">When y has fewer than two categories with data or fewer than 3 pairs remain.</exception>
    public static PolyserialEstimate Polyserial(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var (a, b) = CompletePairs(x, y);
        int n = a.Length;
        if (n < 3) throw new AllianceInputException($"a polyserial correlation needs at least 3 complete pairs; there are {n}");
        var categories = b.Distinct().Order().ToArray();
        if (categories.Length < 2) throw new AllianceInputException("the ordinal variable has fewer than two categories with data");
        var code = b.Select(v => Array.BinarySearch(categories, v)).ToArray();
        int s = categories.Length;
        var cum = new double[s - 1];
        int running = 0;
        for (int c = 0; c < s - 1; c++)
        {
            running += code.Count(v => v == c);
            cum[c] = Normal.InvCDF(0, 1, (double)running / n);
        }
        var (_, mean, sd) = Moments.MeanSd(a);
        if (!(sd > 0)) throw new AllianceInputException("the continuous variable does not vary");
        var z = a.Select(v => (v - mean) / sd).ToArray();
        var cuts = new double[s + 1];
        cuts[0] = double.NegativeInfinity;
        cuts[s] = double.PositiveInfinity;
        cum.CopyTo(cuts, 1);
        double NegLogLik(double rho)
        {
            double root = Math.Sqrt(1 - rho * rho), sum = 0;
            for (int i = 0; i < n; i++)
            {
                double hi = Normal.CDF(0, 1, (cuts[code[i] + 1] - rho * z[i]) / root);
                double lo = Normal.CDF(0, 1, (cuts[code[i]] - rho * z[i]) / root);
                sum += Math.Log(Math.Max(hi - lo, 1e-300)) - 0.5 * z[i] * z[i] - 0.5 * Math.Log(2 * Math.PI);
            }
            return -sum;
        }
        // Golden-section search on (−1, 1): the two-step likelihood in ρ is unimodal.
        const double Limit = 0.9999;
        double lo = -Limit, hi = Limit, g = (Math.Sqrt(5) - 1) / 2;
        double c1 = hi - g * (hi - lo), c2 = lo + g * (hi - lo), f1 = NegLogLik(c1), f2 = NegLogLik(c2);
        int iterations = 0;
        while (hi - lo > 1e-10 && iterations < 200)
        {
            iterations++;
            if (f1 < f2) { hi = c2; c2 = c1; f2 = f1; c1 = hi - g * (hi - lo); f1 = NegLogLik(c1); }
            else { lo = c1; c1 = c2; f1 = f2; c2 = lo + g * (hi - lo); f2 = NegLogLik(c2); }
        }
        double rhoHat = (lo + hi) / 2;
        var h = NumericalDerivatives.Hessian(v => NegLogLik(Math.Clamp(v[0], -Limit, Limit)), [rhoHat], relativeStep: 1e-3, epsilon: 1e-5)[0, 0];
        var convergence = new Convergence(hi - lo <= 1e-10, iterations, hi - lo, 1e-10, hi - lo <= 1e-10 ? "bracket below tolerance" : "iteration limit reached");
        return new PolyserialEstimate(rhoHat, h > 0 ? 1 / Math.Sqrt(h) : double.NaN, [.. cum], n, convergence);
    }

    /// <summary>
    /// Tests whether two correlations that share a variable differ (r₁₂ vs r₁₃, with r₂₃ between the other two):
    /// Williams's T₂ = (r₁₂ − r₁₃) √((n − 1)(1 + r₂₃) / (2 (n − 1)/(n − 3) |R| + r̄² (1 − r₂₃)³)) on n − 3 df, |R| the
    /// determinant of the 3 × 3 correlation matrix and r̄ = (r₁₂ + r₁₃)/2 (Steiger 1980, eq. 7; <c>psych::r.test(n, r12,
    /// r13 = , r23 = )</c>), and Steiger's Z₁* = (z₁₂ − z₁₃) √(n − 3) / √(2 − 2 s̄), s̄ = [r₂₃(1 − 2r̄²) − ½ r̄²(1 − 2r̄² −
    /// r₂₃²)] / (1 − r̄²)² (Steiger 1980, eq. 14, pooled r̄).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a correlation is outside (−1, 1) or n &lt; 5.</exception>
    public static DependentCorrelationTest CompareDependent(double r12, double r13, double r23, int n)
    {
        foreach (var (r, name) in new[] { (r12, nameof(r12)), (r13, nameof(r13)), (r23, nameof(r23)) })
            if (!(r > -1 && r < 1)) throw new ArgumentOutOfRangeException(name, r, "A correlation must lie in (−1, 1).");
        if (n < 5) throw new ArgumentOutOfRangeException(nameof(n), n, "At least 5 cases are needed.");
        double det = 1 - r12 * r12 - r23 * r23 - r13 * r13 + 2 * r12 * r23 * r13;
        double av = (r12 + r13) / 2;
        double cube = Math.Pow(1 - r23, 3);
        double t2 = (r12 - r13) * Math.Sqrt((n - 1) * (1 + r23) / (2.0 * (n - 1) / (n - 3) * det + av * av * cube));
        double pT = 2 * StudentT.CDF(0, 1, n - 3, -Math.Abs(t2));
        double rb2 = av * av;
        double psi = r23 * (1 - 2 * rb2) - 0.5 * rb2 * (1 - 2 * rb2 - r23 * r23);
        double sBar = psi / ((1 - rb2) * (1 - rb2));
        double zs = (Atanh(r12) - Atanh(r13)) * Math.Sqrt(n - 3) / Math.Sqrt(2 - 2 * sBar);
        double pZ = 2 * Normal.CDF(0, 1, -Math.Abs(zs));
        return new DependentCorrelationTest(r12, r13, r23, n, new TestResult("t", t2, n - 3, pT), new TestResult("z", zs, null, pZ));
    }

    /// <summary>
    /// Corrects a correlation for unreliability in both measures: r / √(r_xx r_yy) (Spearman 1904), applied to the
    /// estimate and to both interval limits (Hunter &amp; Schmidt 2004, ch. 3); limits are clipped to [−1, 1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a reliability is not in (0, 1].</exception>
    public static CorrelationEstimate Disattenuate(CorrelationEstimate estimate, double reliabilityX, double reliabilityY)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        if (!(reliabilityX > 0 && reliabilityX <= 1)) throw new ArgumentOutOfRangeException(nameof(reliabilityX), reliabilityX, "A reliability must lie in (0, 1].");
        if (!(reliabilityY > 0 && reliabilityY <= 1)) throw new ArgumentOutOfRangeException(nameof(reliabilityY), reliabilityY, "A reliability must lie in (0, 1].");
        double f = Math.Sqrt(reliabilityX * reliabilityY);
        return estimate with
        {
            R = Math.Clamp(estimate.R / f, -1, 1),
            Interval = estimate.Interval.Map(b => Math.Clamp(b / f, -1, 1)) with { Method = estimate.Interval.Method + $", disattenuated (r_xx = {reliabilityX.ToString("F3", CultureInfo.InvariantCulture)}, r_yy = {reliabilityY.ToString("F3", CultureInfo.InvariantCulture)})" },
        };
    }

    /// <summary>The coefficient alone on complete pairs (NaN when a variable does not vary).</summary>
    public static double Coefficient(ReadOnlySpan<double> x, ReadOnlySpan<double> y, CorrelationMethod method) => method switch
    {
        CorrelationMethod.Pearson => PearsonOf(x, y),
        CorrelationMethod.Spearman => PearsonOf(Ranks(x), Ranks(y)),
        _ => KendallTauB(x, y),
    };

    /// <summary>Fisher's z transformation atanh(r), for |r| &lt; 1.</summary>
    public static double Atanh(double r) => 0.5 * Math.Log((1 + r) / (1 - r));

    internal static (double[] X, double[] Y) CompletePairs(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"x has {x.Length} values and y {y.Length}.", nameof(y));
        var a = new List<double>(x.Length);
        var b = new List<double>(x.Length);
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]) || double.IsNaN(y[i])) continue;
            a.Add(x[i]);
            b.Add(y[i]);
        }
        return ([.. a], [.. b]);
    }

    private static void CheckLevel(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must lie in (0, 1).");
    }

    private static (double T, double P) TTest(double r, int df)
    {
        double t = r * Math.Sqrt(df / (1 - r * r));
        return (t, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t)));
    }

    // Two-pass Pearson r (centred cross-products, stable for large means).
    private static double PearsonOf(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1) : double.NaN;
    }

    /// <summary>Mid-ranks (ties get the average of the ranks they span), 1-based.</summary>
    internal static double[] Ranks(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var copy = values.ToArray();
        Array.Sort(copy, order);
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && copy[j + 1] == copy[i]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }

    // Kendall's τ-b in O(n log n) (Knight 1966): sort by (x, y), count ties, then count discordant pairs as the
    // swaps of a merge sort on y.
    private static double KendallTauB(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var (n0, n1, n2, s) = KendallCounts(x, y);
        double denom = Math.Sqrt((double)(n0 - n1) * (n0 - n2));
        return denom > 0 ? s / denom : double.NaN;
    }

    // n0 = n(n − 1)/2, n1 = pairs tied in x, n2 = pairs tied in y, S = concordant − discordant.
    private static (long N0, long N1, long N2, double S) KendallCounts(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        var xs = x.ToArray();
        var ys = y.ToArray();
        Array.Sort(idx, (a, b) => xs[a] != xs[b] ? xs[a].CompareTo(xs[b]) : ys[a].CompareTo(ys[b]));
        var yo = idx.Select(i => ys[i]).ToArray();
        long n0 = (long)n * (n - 1) / 2, n1 = 0, n3 = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && xs[idx[j + 1]] == xs[idx[i]]) j++;
            long t = j - i + 1;
            n1 += t * (t - 1) / 2;
            for (int k = i; k <= j;)   // joint ties within the x-tie block (y sorted there)
            {
                int l = k;
                while (l + 1 <= j && yo[l + 1] == yo[k]) l++;
                long u = l - k + 1;
                n3 += u * (u - 1) / 2;
                k = l + 1;
            }
            i = j + 1;
        }
        long swaps = MergeCount(yo, new double[n], 0, n);
        long n2 = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && yo[j + 1] == yo[i]) j++;
            long t = j - i + 1;
            n2 += t * (t - 1) / 2;
            i = j + 1;
        }
        double s = n0 - n1 - n2 + n3 - 2.0 * swaps;
        return (n0, n1, n2, s);
    }

    private static long MergeCount(double[] a, double[] tmp, int lo, int hi)
    {
        if (hi - lo < 2) return 0;
        int mid = (lo + hi) / 2;
        long swaps = MergeCount(a, tmp, lo, mid) + MergeCount(a, tmp, mid, hi);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi)
        {
            if (a[j] < a[i]) { tmp[k++] = a[j++]; swaps += mid - i; }
            else tmp[k++] = a[i++];
        }
        while (i < mid) tmp[k++] = a[i++];
        while (j < hi) tmp[k++] = a[j++];
        Array.Copy(tmp, lo, a, lo, hi - lo);
        return swaps;
    }

    // z = S / √Var(S) with the tie-corrected variance of R's cor.test(method = "kendall", exact = FALSE).
    private static double KendallZ(double[] x, double[] y, double tau)
    {
        int n = x.Length;
        var tx = TieSizes(x);
        var ty = TieSizes(y);
        double t0 = (double)n * (n - 1) / 2.0;
        double t1 = tx.Sum(t => t * (t - 1)) / 2, t2 = ty.Sum(t => t * (t - 1)) / 2;
        double s = tau * Math.Sqrt((t0 - t1) * (t0 - t2));
        double v0 = (double)n * (n - 1) * (2 * n + 5);
        double vt = tx.Sum(t => t * (t - 1) * (2 * t + 5)), vu = ty.Sum(t => t * (t - 1) * (2 * t + 5));
        double v1 = tx.Sum(t => t * (t - 1)) * ty.Sum(t => t * (t - 1));
        double v2 = tx.Sum(t => t * (t - 1) * (t - 2)) * ty.Sum(t => t * (t - 1) * (t - 2));
        double varS = (v0 - vt - vu) / 18 + v1 / (2.0 * n * (n - 1)) + v2 / (9.0 * n * (n - 1) * (n - 2));
        return s / Math.Sqrt(varS);
    }

    private static double[] TieSizes(double[] v) => [.. v.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => (double)g.Count())];
}
