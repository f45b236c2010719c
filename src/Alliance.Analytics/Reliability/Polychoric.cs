using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// Polychoric correlations of ordered-category items: the correlations of the bivariate normal variables assumed to
/// underlie each pair of items, estimated in two steps (Olsson 1979) — thresholds from the marginal proportions, then
/// for each pair the correlation that maximises the multinomial likelihood of its contingency table. Made by
/// <see cref="ReliabilityAnalysis.Polychoric"/>. R: <c>psych::polychoric(x)</c>.
/// </summary>
public sealed record PolychoricResult : IAnalysisResult
{
    private readonly double[,] _rho;
    private readonly int[,] _pairN;

    internal PolychoricResult(ImmutableArray<string> items, double[,] rho, int[,] pairN, ImmutableArray<ImmutableArray<double>> thresholds,
        PolychoricThresholds method, bool smoothed, double smallestEigenvalue, int cellsCorrected, Convergence convergence,
        DataUsage usage, IReadOnlyList<string> warnings)
    {
        Items = items;
        _rho = rho;
        _pairN = pairN;
        Thresholds = thresholds;
        ThresholdMethod = method;
        Smoothed = smoothed;
        SmallestEigenvalue = smallestEigenvalue;
        CellsCorrected = cellsCorrected;
        Convergence = convergence;
        Usage = usage;
        Warnings = warnings;
    }

    /// <summary>Item names, in matrix order.</summary>
    public ImmutableArray<string> Items { get; }

    /// <summary>
    /// Per item, the thresholds τ_1 … τ_{K−1} on the normal scale: τ_c = Φ⁻¹(share of answers below category c + 1)
    /// (−∞ / +∞ for unused categories at the ends). With <see cref="PolychoricThresholds.PerPair"/> these are the
    /// marginal thresholds for display; each pair used its own.
    /// </summary>
    public ImmutableArray<ImmutableArray<double>> Thresholds { get; }

    /// <summary>How thresholds were estimated (psych's global thresholds, or per pair).</summary>
    public PolychoricThresholds ThresholdMethod { get; }

    /// <summary>True when the matrix was not positive definite and was smoothed (psych's <c>cor.smooth</c>).</summary>
    public bool Smoothed { get; }

    /// <summary>The smallest eigenvalue of the matrix before any smoothing.</summary>
    public double SmallestEigenvalue { get; }

    /// <summary>Empty cells replaced by the continuity correction (per-pair thresholds only).</summary>
    public int CellsCorrected { get; }

    /// <summary>The slowest pair's convergence (all pairs converged when this did).</summary>
    public Convergence Convergence { get; }

    /// <inheritdoc/>
    public DataUsage Usage { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The polychoric correlation of items <paramref name="i"/> and <paramref name="j"/> (after smoothing, if any).</summary>
    public double this[int i, int j] => _rho[i, j];

    /// <summary>Rows behind the correlation of items <paramref name="i"/> and <paramref name="j"/> (both answered).</summary>
    public int PairCount(int i, int j) => _pairN[i, j];

    /// <summary>A copy of the correlation matrix.</summary>
    public double[,] Matrix() => (double[,])_rho.Clone();

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var columns = new List<TableColumn> { TableColumn.Label("item") };
        columns.AddRange(Items.Select(i => TableColumn.Number(i, 3)));
        var rows = Items.Select((name, i) => (IReadOnlyList<object?>)[name, .. Items.Select((_, j) => (object?)_rho[i, j])]).ToList();
        var tau = new ResultTable("Thresholds (normal scale)",
            [TableColumn.Label("item"), .. Enumerable.Range(1, Thresholds.IsDefaultOrEmpty ? 0 : Thresholds[0].Length).Select(c => TableColumn.Number("τ" + c.ToString(CultureInfo.InvariantCulture), 3))],
            [.. Items.Select((name, i) => (IReadOnlyList<object?>)[name, .. Thresholds[i].Select(t => (object?)t)])]);
        int minN = int.MaxValue, maxN = 0;
        for (int i = 0; i < Items.Length; i++)
            for (int j = 0; j < i; j++) { minN = Math.Min(minN, _pairN[i, j]); maxN = Math.Max(maxN, _pairN[i, j]); }
        var lines = new List<string>
        {
            Usage.ToString(),
            $"Pairwise n: {minN.ToString("N0", CultureInfo.InvariantCulture)}–{maxN.ToString("N0", CultureInfo.InvariantCulture)}",
            $"Thresholds: {(ThresholdMethod == PolychoricThresholds.Global ? "global (each item's marginal proportions)" : "per pair (table margins, 0.5 for empty cells)")}",
            $"Fit: {Convergence}",
        };
        return new ResultSummary("Polychoric correlations", lines, [new ResultTable("Correlations", columns, rows), tau],
            ["Two-step estimate (Olsson 1979): thresholds, then each correlation by maximum likelihood on its contingency table; as psych::polychoric."],
            Warnings);
    }

    /// <summary><c>{"items", "rho": [[…]], "thresholds": [[…]], "pair_n": [[…]], "threshold_method", "smoothed"}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["items"] = JsonOutput.Strings(Items);
        o["rho"] = new JsonArray([.. Enumerable.Range(0, Items.Length).Select(i => (JsonNode?)JsonOutput.Numbers(Enumerable.Range(0, Items.Length).Select(j => _rho[i, j])))]);
        o["thresholds"] = new JsonArray([.. Thresholds.Select(t => (JsonNode?)JsonOutput.Numbers(t))]);
        o["pair_n"] = new JsonArray([.. Enumerable.Range(0, Items.Length).Select(i => (JsonNode?)new JsonArray([.. Enumerable.Range(0, Items.Length).Select(j => (JsonNode?)JsonValue.Create(_pairN[i, j]))]))]);
        o["threshold_method"] = ThresholdMethod == PolychoricThresholds.Global ? "global" : "per_pair";
        o["smoothed"] = Smoothed;
        o["converged"] = Convergence.Converged;
        return o;
    }

    /// <summary>"Polychoric correlations of 12 items (n = …)".</summary>
    public override string ToString() => $"Polychoric correlations of {Items.Length} items ({Usage})";
}

/// <summary>The two-step polychoric estimator (kernel; <see cref="ReliabilityAnalysis.Polychoric"/> checks the input).</summary>
internal static class PolychoricEstimator
{
    private const int BlockRows = 4096;

    public static PolychoricResult Estimate(ResponseMatrix matrix, PolychoricThresholds method, double correction, DataUsage usage, CancellationToken cancellationToken)
    {
        int m = matrix.ItemCount, k = matrix.Scale.Points!.Value, rows = matrix.RowCount;
        var codes = matrix.ToCategoryCodes();
        int pairs = m * (m - 1) / 2, cells = k * k;
        var warnings = new List<string>();

        // Contingency tables of every pair (i > j), in one pass over the rows, parallel over row blocks.
        int blocks = Math.Max(1, (rows + BlockRows - 1) / BlockRows);
        var partial = new int[blocks][];
        var marginal = new int[blocks][];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, b =>
        {
            var t = new int[pairs * cells];
            var mg = new int[m * k];
            int start = b * BlockRows, end = Math.Min(rows, start + BlockRows);
            for (int r = start; r < end; r++)
            {
                var row = codes.AsSpan(r * m, m);
                int p = 0;
                for (int i = 0; i < m; i++)
                {
                    byte ci = row[i];
                    if (ci == ResponseMatrix.MissingCode) { p += i; continue; }
                    mg[i * k + ci]++;
                    int bas = ci * k;
                    for (int j = 0; j < i; j++, p++)
                    {
                        byte cj = row[j];
                        if (cj != ResponseMatrix.MissingCode) t[p * cells + bas + cj]++;
                    }
                }
            }
            partial[b] = t;
            marginal[b] = mg;
        });
        var tables = partial[0];
        var margins = marginal[0];
        for (int b = 1; b < blocks; b++)
        {
            for (int x = 0; x < tables.Length; x++) tables[x] += partial[b][x];
            for (int x = 0; x < margins.Length; x++) margins[x] += marginal[b][x];
        }

        // Global thresholds: τ_jc = Φ⁻¹(cumulative share of categories < c).
        var tau = new double[m][];
        var highest = new int[m];
        for (int j = 0; j < m; j++)
        {
            int n = 0;
            for (int c = 0; c < k; c++) { n += margins[j * k + c]; if (margins[j * k + c] > 0) highest[j] = c; }
            tau[j] = new double[k - 1];
            int cum = 0;
            for (int c = 0; c < k - 1; c++)
            {
                cum += margins[j * k + c];
                tau[j][c] = cum == 0 ? double.NegativeInfinity : cum == n ? double.PositiveInfinity : Normal.InvCDF(0, 1, (double)cum / n);
            }
        }
        if (method == PolychoricThresholds.Global && highest.Distinct().Count() > 1)
        {
            method = PolychoricThresholds.PerPair;
            warnings.Add("the items do not all reach the same highest category, so thresholds were estimated per pair (with 0.5 for empty cells), as psych::polychoric does (global = FALSE)");
        }

        var rho = new double[m, m];
        var pairN = new int[m, m];
        var fits = new (double Rho, Convergence Convergence, int Corrected)[pairs];
        Parallel.For(0, pairs, new ParallelOptions { CancellationToken = cancellationToken }, p =>
        {
            var (i, j) = PairOf(p);
            var table = tables.AsSpan(p * cells, cells);
            fits[p] = method == PolychoricThresholds.Global
                ? FitGlobal(table, k, tau[i], tau[j])
                : FitPerPair(table, k, correction);
        });
        int corrected = 0;
        var worst = Convergence.ClosedForm;
        for (int p = 0; p < pairs; p++)
        {
            var (i, j) = PairOf(p);
            if (double.IsNaN(fits[p].Rho))
                throw new AllianceInputException($"The polychoric correlation of {matrix.Items[i]} and {matrix.Items[j]} is undefined ({fits[p].Convergence.ExitReason}): " +
                    "in the rows where both are answered one of them uses a single category; use ReliabilityOptions.Missing = MissingData.Listwise or leave the item out.", "ReliabilityOptions.Missing");
            rho[i, j] = rho[j, i] = fits[p].Rho;
            int n = 0;
            for (int c = 0; c < cells; c++) n += tables[p * cells + c];
            pairN[i, j] = pairN[j, i] = n;
            corrected += fits[p].Corrected;
            if (!fits[p].Convergence.Converged || (worst.Converged && fits[p].Convergence.Iterations > worst.Iterations)) worst = fits[p].Convergence;
            if (!fits[p].Convergence.Converged) warnings.Add($"the polychoric correlation of {matrix.Items[i]} and {matrix.Items[j]} did not converge ({fits[p].Convergence})");
        }
        for (int i = 0; i < m; i++) { rho[i, i] = 1; pairN[i, i] = margins.AsSpan(i * k, k).ToArray().Sum(); }
        if (corrected > 0) warnings.Add($"{corrected} empty cell{(corrected == 1 ? " was" : "s were")} replaced by {correction.ToString(CultureInfo.InvariantCulture)} (continuity correction, as psych); examine the tables");

        var (smoothedRho, smoothed, minEigen) = SymmetricMatrices.SmoothToPositiveDefinite(rho);
        if (smoothed)
            warnings.Add($"the polychoric matrix was not positive definite (smallest eigenvalue {minEigen.ToString("G3", CultureInfo.InvariantCulture)}); it was smoothed (psych::cor.smooth) before use");

        return new PolychoricResult(matrix.Items, smoothedRho, pairN, [.. tau.Select(t => t.ToImmutableArray())], method, smoothed, minEigen,
            corrected, worst, usage, warnings);
    }

    /// <summary>The pair (i, j), i &gt; j, stored at index p (row-major lower triangle).</summary>
    private static (int I, int J) PairOf(int p)
    {
        int i = (int)((1 + Math.Sqrt(1 + 8.0 * p)) / 2);
        while (i * (i - 1) / 2 > p) i--;
        while ((i + 1) * i / 2 <= p) i++;
        return (i, p - i * (i - 1) / 2);
    }

    private static (double, Convergence, int) FitGlobal(ReadOnlySpan<int> table, int k, double[] rowTau, double[] colTau)
    {
        var w = new double[k * k];
        for (int c = 0; c < w.Length; c++) w[c] = table[c];
        return (MaximiseLikelihood(w, k, k, Cuts(rowTau), Cuts(colTau), out var convergence), convergence, 0);
    }

    /// <summary>psych's per-pair estimate: drop empty rows and columns, <paramref name="correction"/> (0.5) for empty cells, thresholds from the table margins.</summary>
    private static (double, Convergence, int) FitPerPair(ReadOnlySpan<int> table, int k, double correction)
    {
        var rowUsed = new bool[k];
        var colUsed = new bool[k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
                if (table[a * k + b] > 0) { rowUsed[a] = true; colUsed[b] = true; }
        var rowsKept = Enumerable.Range(0, k).Where(a => rowUsed[a]).ToArray();
        var colsKept = Enumerable.Range(0, k).Where(b => colUsed[b]).ToArray();
        int nr = rowsKept.Length, nc = colsKept.Length;
        if (nr < 2 || nc < 2) return (double.NaN, new Convergence(false, 0, double.NaN, 0, "a table with fewer than two used categories"), 0);
        var w = new double[nr * nc];
        int corrected = 0;
        for (int a = 0; a < nr; a++)
            for (int b = 0; b < nc; b++)
            {
                int count = table[rowsKept[a] * k + colsKept[b]];
                if (count == 0 && correction > 0) { corrected++; w[a * nc + b] = correction; } else w[a * nc + b] = count;
            }
        // psych divides the cumulative margins of the corrected table by the uncorrected total (its tab/tot before
        // the 0.5/tot cells are added), so the thresholds move slightly when cells are corrected; so does this.
        double total = w.Sum() - correction * corrected;
        var rowCut = new double[nr + 1];
        var colCut = new double[nc + 1];
        rowCut[0] = colCut[0] = double.NegativeInfinity;
        rowCut[nr] = colCut[nc] = double.PositiveInfinity;
        double cum = 0;
        for (int a = 0; a < nr - 1; a++)
        {
            for (int b = 0; b < nc; b++) cum += w[a * nc + b];
            rowCut[a + 1] = Normal.InvCDF(0, 1, cum / total);
        }
        cum = 0;
        for (int b = 0; b < nc - 1; b++)
        {
            for (int a = 0; a < nr; a++) cum += w[a * nc + b];
            colCut[b + 1] = Normal.InvCDF(0, 1, cum / total);
        }
        return (MaximiseLikelihood(w, nr, nc, rowCut, colCut, out var convergence), convergence, corrected);
    }

    private static double[] Cuts(double[] tau)
    {
        var c = new double[tau.Length + 2];
        c[0] = double.NegativeInfinity;
        tau.CopyTo(c, 1);
        c[^1] = double.PositiveInfinity;
        return c;
    }

    /// <summary>
    /// The ρ maximising Σ w_ab log P_ab(ρ), P_ab the bivariate normal probability of cell (a, b) between the cuts, by
    /// Fisher scoring: ρ ← ρ + U(ρ)/I(ρ) with U = Σ w P′/P and I = W Σ P′²/P, where P′ = ∂P/∂ρ is a signed sum of
    /// bivariate normal densities at the cell corners; steps are halved when the likelihood would fall.
    /// </summary>
    internal static double MaximiseLikelihood(double[] w, int nr, int nc, double[] rowCut, double[] colCut, out Convergence convergence)
    {
        double total = w.Sum();
        var cdf = new double[(nr + 1) * (nc + 1)];
        var pdf = new double[(nr + 1) * (nc + 1)];
        // Start from the Pearson correlation of the category scores, kept away from ±1.
        double rho = Math.Clamp(ScoreCorrelation(w, nr, nc), -0.95, 0.95);
        double ll = LogLikelihood(rho, w, nr, nc, rowCut, colCut, cdf, pdf, out double score, out double information);
        const double tolerance = 1e-10;
        double change = double.NaN;
        for (int iter = 1; iter <= 200; iter++)
        {
            double step = information > 0 ? score / information : 0;
            double next = rho + step;
            double nextLl = double.NegativeInfinity, s2 = 0, i2 = 0;
            for (int halving = 0; halving < 60; halving++)
            {
                next = Math.Clamp(rho + step, -0.999999, 0.999999);
                nextLl = LogLikelihood(next, w, nr, nc, rowCut, colCut, cdf, pdf, out s2, out i2);
                if (nextLl >= ll - 1e-12 * Math.Abs(ll)) break;
                step /= 2;
            }
            change = Math.Abs(next - rho);
            rho = next;
            ll = nextLl;
            score = s2;
            information = i2;
            if (change < tolerance || Math.Abs(score) < 1e-12 * total)
            {
                convergence = new Convergence(true, iter, change, tolerance, "change in ρ below tolerance");
                return rho;
            }
        }
        convergence = new Convergence(false, 200, change, tolerance, "iteration limit reached");
        return rho;
    }

    private static double LogLikelihood(double rho, double[] w, int nr, int nc, double[] rowCut, double[] colCut, double[] cdf, double[] pdf,
        out double score, out double information)
    {
        int stride = nc + 1;
        for (int a = 0; a <= nr; a++)
            for (int b = 0; b <= nc; b++)
            {
                double h = rowCut[a], kk = colCut[b];
                cdf[a * stride + b] = CornerCdf(h, kk, rho);
                pdf[a * stride + b] = BivariateNormal.Density(h, kk, rho);
            }
        double ll = 0, total = 0;
        score = 0;
        double fisher = 0;
        for (int a = 0; a < nr; a++)
            for (int b = 0; b < nc; b++)
            {
                int c00 = a * stride + b, c01 = c00 + 1, c10 = c00 + stride, c11 = c10 + 1;
                double p = cdf[c11] - cdf[c01] - cdf[c10] + cdf[c00];
                double dp = pdf[c11] - pdf[c01] - pdf[c10] + pdf[c00];
                double wc = w[a * nc + b];
                total += wc;
                if (!(p > 0)) continue;   // zero-probability cell (an unused category): psych leaves it out
                ll += wc * Math.Log(p);
                score += wc * dp / p;
                fisher += dp * dp / p;
            }
        information = total * fisher;
        return ll;
    }

    private static double CornerCdf(double h, double k, double rho)
    {
        if (double.IsNegativeInfinity(h) || double.IsNegativeInfinity(k)) return 0;
        if (double.IsPositiveInfinity(h)) return double.IsPositiveInfinity(k) ? 1 : BivariateNormal.Phi(k);
        if (double.IsPositiveInfinity(k)) return BivariateNormal.Phi(h);
        return BivariateNormal.Cdf(h, k, rho);
    }

    private static double ScoreCorrelation(double[] w, int nr, int nc)
    {
        double n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (int a = 0; a < nr; a++)
            for (int b = 0; b < nc; b++)
            {
                double c = w[a * nc + b];
                n += c; sa += c * a; sb += c * b; saa += c * a * a; sbb += c * b * b; sab += c * a * b;
            }
        double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
        return va > 0 && vb > 0 ? cov / Math.Sqrt(va * vb) : 0;
    }
}
