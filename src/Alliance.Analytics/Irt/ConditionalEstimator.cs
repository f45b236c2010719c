using Alliance.Analytics.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Conditional maximum likelihood for the Rasch family (rating scale and partial credit models). The conditional
/// log-likelihood given each person's raw score, Σ_{jc} n_jc λ_jc − Σ_p Σ_r n_pr log γ_r^(p)(ε), depends on the data
/// only through the category counts n_jc and the raw-score counts n_pr of each missing-value pattern p, so its cost
/// does not grow with the number of persons. λ_jc = log ε_jc = −Σ_{l≤c} δ_jl is linear in the free parameters η
/// (λ = Wη), the gradient is n − E[n | r] and the Hessian −Σ n_r Cov(t | r), with conditional moments from the
/// elementary symmetric functions with one or two items left out (Fischer 1974; Andersen 1972).
/// </summary>
internal sealed class ConditionalEstimator
{
    private readonly ItemResponseData _data;
    private readonly int[] _offset;            // start of item j's λ entries (categories 1 … m_j − 1)
    private readonly int _lambdaCount;
    private readonly double[,] _design;        // W: λ = W η
    private readonly List<ScorePattern> _patterns;
    private readonly double[] _observed;       // n_jc of non-extreme persons (λ order)
    private readonly ParallelOptions _parallel;

    /// <summary>Persons whose raw score is extreme (lowest or highest possible for the items they answered).</summary>
    public int ExtremePersons { get; }

    public int ParameterCount => _design.GetLength(1);

    public int LambdaCount => _lambdaCount;

    public ReadOnlySpan<int> Offsets => _offset;

    public double[,] Design => _design;

    private sealed record ScorePattern(int[] Items, int MaxScore, long[] ScoreCounts);

    public ConditionalEstimator(ItemResponseData data, IrtModelType model, ParallelOptions parallel)
    {
        _data = data;
        _parallel = parallel;
        int m = data.ItemCount;
        _offset = new int[m + 1];
        for (int j = 0; j < m; j++) _offset[j + 1] = _offset[j] + data.CategoryCount(j) - 1;
        _lambdaCount = _offset[m];
        _design = model == IrtModelType.PartialCredit ? PartialCreditDesign() : RatingScaleDesign(data);

        // Sufficient statistics from the unique patterns: missing-value pattern → raw-score counts; category counts of non-extreme persons.
        var byMask = new Dictionary<string, ScorePattern>(StringComparer.Ordinal);
        _observed = new double[_lambdaCount];
        int extreme = 0;
        var mask = new char[m];
        char[]? lastMask = null;
        string? lastKey = null;
        for (int u = 0; u < data.PatternCount; u++)
        {
            var p = data.Pattern(u);
            int score = 0, max = 0;
            for (int j = 0; j < m; j++)
            {
                if (p[j] == ItemResponseData.Missing) { mask[j] = '0'; continue; }
                mask[j] = '1';
                score += data.Scores[j][p[j]];
                max += data.Scores[j][^1];
            }
            int count = data.PatternCounts[u];
            if (score == 0 || score == max) { extreme += count; continue; }
            string key = lastMask is not null && mask.AsSpan().SequenceEqual(lastMask) ? lastKey! : new string(mask);
            lastMask ??= new char[m];
            mask.CopyTo(lastMask, 0);
            lastKey = key;
            if (!byMask.TryGetValue(key, out var sp))
            {
                var items = Enumerable.Range(0, m).Where(j => mask[j] == '1').ToArray();
                sp = new ScorePattern(items, max, new long[max + 1]);
                byMask.Add(key, sp);
            }
            sp.ScoreCounts[score] += count;
            for (int j = 0; j < m; j++)
                if (p[j] != ItemResponseData.Missing && p[j] > 0) _observed[_offset[j] + p[j] - 1] += count;
        }
        _patterns = [.. byMask.Values.OrderByDescending(p => p.ScoreCounts.Sum()).ThenBy(p => string.Join(",", p.Items), StringComparer.Ordinal)];
        ExtremePersons = extreme;
        if (_patterns.Count == 0)
            throw new AllianceInputException("Every person has an extreme raw score (all lowest or all highest categories): conditional ML has no information. Use marginal ML.");
    }

    /// <summary>Categories (item, active index) with no non-extreme observation: their CML estimates are infinite.</summary>
    public IEnumerable<(int Item, int Category)> InestimableCategories()
    {
        int m = _data.ItemCount;
        for (int j = 0; j < m; j++)
        {
            for (int c = 1; c < _data.CategoryCount(j); c++)
                if (_observed[_offset[j] + c - 1] == 0) yield return (j, c);
            // category 0 unused by non-extreme persons: every non-extreme answer to j is above 0
            double nonExtremeAnswers = _patterns.Where(sp => sp.Items.Contains(j)).Sum(sp => (double)sp.ScoreCounts.Sum());
            double above = 0;
            for (int c = 1; c < _data.CategoryCount(j); c++) above += _observed[_offset[j] + c - 1];
            if (nonExtremeAnswers > 0 && above == nonExtremeAnswers) yield return (j, 0);
        }
    }

    private double[,] PartialCreditDesign()
    {
        // η = λ without its first entry (λ of item 1, category 1 fixed at 0 during estimation; the origin is set afterwards).
        var w = new double[_lambdaCount, _lambdaCount - 1];
        for (int i = 1; i < _lambdaCount; i++) w[i, i - 1] = 1;
        return w;
    }

    private double[,] RatingScaleDesign(ItemResponseData data)
    {
        // λ_jc = −s_c β_j + ω_{k(c)} − ω_{k(0)}, with β_1 = 0 and ω_{K−1} = 0 (Σ τ = 0), ω_0 = 0; η = (β_2 … β_J, ω_1 … ω_{K−2}).
        int m = data.ItemCount, k = data.ScalePoints;
        int top = data.Categories.Max(c => c[^1]);
        int bottom = data.Categories.Min(c => c[0]);
        // ω indexed by scale category; free ones are bottom+1 … top−1 (the lowest used category is the reference, the highest fixed by Σ τ = 0).
        var omegaIndex = new int[k];
        Array.Fill(omegaIndex, -1);
        int next = m - 1;
        for (int cat = bottom + 1; cat < top; cat++) omegaIndex[cat] = next++;
        var w = new double[_lambdaCount, next];
        for (int j = 0; j < m; j++)
            for (int c = 1; c < data.CategoryCount(j); c++)
            {
                int row = _offset[j] + c - 1;
                if (j > 0) w[row, j - 1] = -data.Scores[j][c];
                int kc = data.Categories[j][c], k0 = data.Categories[j][0];
                if (omegaIndex[kc] >= 0) w[row, omegaIndex[kc]] += 1;
                if (omegaIndex[k0] >= 0) w[row, omegaIndex[k0]] -= 1;
            }
        return w;
    }

    public double[] Lambda(ReadOnlySpan<double> eta)
    {
        var lambda = new double[_lambdaCount];
        int p = eta.Length;
        for (int i = 0; i < _lambdaCount; i++)
        {
            double s = 0;
            for (int q = 0; q < p; q++) s += _design[i, q] * eta[q];
            lambda[i] = s;
        }
        return lambda;
    }

    /// <summary>Newton–Raphson on η with step halving; returns η, the conditional log-likelihood, −Hessian (η) and convergence.</summary>
    public (double[] Eta, double LogLik, double[,] Information, Convergence Convergence) Fit(double tolerance, int maxIterations,
        IProgress<Presentation.AnalysisProgress>? progress, CancellationToken token)
    {
        int p = ParameterCount;
        var eta = new double[p];
        // With one dominant missing-value pattern (complete data plus a few rows with gaps), iterations use the exact
        // Hessian of that pattern scaled to all persons (a quasi-Newton step; the gradient stays exact, so the solution
        // is the same) and the exact Hessian is computed once at the end for the standard errors.
        var mode = UseDominant ? HessianMode.Dominant : HessianMode.Exact;
        var (ll, g, h) = Evaluate(eta, mode, token);
        double change = double.PositiveInfinity;
        int it = 0;
        string reason = "iteration limit reached";
        bool converged = false;
        while (it < maxIterations)
        {
            token.ThrowIfCancellationRequested();
            it++;
            var gEta = ProjectGradient(g);
            var hEta = ProjectHessian(h!);
            var step = Solve(hEta, gEta);
            double lambdaStep = 1;
            double[] trial;
            (double, double[], double[,]?) eval;
            while (true)
            {
                trial = new double[p];
                for (int i = 0; i < p; i++) trial[i] = eta[i] + lambdaStep * step[i];
                eval = Evaluate(trial, mode, token);
                if (double.IsFinite(eval.Item1) && eval.Item1 >= ll - 1e-10 * Math.Abs(ll)) break;
                lambdaStep /= 2;
                if (lambdaStep < 1e-10) { reason = "no ascent along the Newton direction"; goto done; }
            }
            change = 0;
            for (int i = 0; i < p; i++) change = Math.Max(change, Math.Abs(trial[i] - eta[i]));
            eta = trial;
            (ll, g, h) = eval;
            progress?.Report(new Presentation.AnalysisProgress("CML Newton iterations", double.NaN));
            if (change < tolerance) { converged = true; reason = "parameter change below tolerance"; break; }
        }
    done:
        if (mode != HessianMode.Exact) (ll, _, h) = Evaluate(eta, HessianMode.Exact, token);
        var info = ProjectHessian(h!);
        for (int i = 0; i < p; i++) for (int q = 0; q < p; q++) info[i, q] = -info[i, q];
        return (eta, ll, info, new Convergence(converged, it, change, tolerance, reason));
    }

    private static double[] Solve(double[,] hessian, double[] gradient)
    {
        // Newton step −H⁻¹g; H is negative definite at an interior point.
        var neg = Matrix<double>.Build.DenseOfArray(hessian).Negate();
        var rhs = Vector<double>.Build.DenseOfArray(gradient);
        try
        {
            return neg.Cholesky().Solve(rhs).ToArray();
        }
        catch (ArgumentException)
        {
            return neg.Svd().Solve(rhs).ToArray();
        }
    }

    public double[] ProjectGradient(double[] gLambda)
    {
        int p = ParameterCount;
        var g = new double[p];
        for (int i = 0; i < _lambdaCount; i++)
        {
            double gi = gLambda[i];
            if (gi == 0) continue;
            for (int q = 0; q < p; q++) g[q] += _design[i, q] * gi;
        }
        return g;
    }

    public double[,] ProjectHessian(double[,] hLambda)
    {
        int p = ParameterCount, n = _lambdaCount;
        var tmp = new double[n, p];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double hik = hLambda[i, k];
                if (hik == 0) continue;
                for (int q = 0; q < p; q++) tmp[i, q] += hik * _design[k, q];
            }
        var h = new double[p, p];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < p; a++)
            {
                double wia = _design[i, a];
                if (wia == 0) continue;
                for (int b = 0; b < p; b++) h[a, b] += wia * tmp[i, b];
            }
        return h;
    }

    /// <summary>How much of the Hessian an evaluation computes.</summary>
    public enum HessianMode
    {
        /// <summary>Gradient only.</summary>
        None,
        /// <summary>The exact Hessian.</summary>
        Exact,
        /// <summary>The exact Hessian of the dominant pattern, scaled to all non-extreme persons.</summary>
        Dominant,
    }

    /// <summary>True when one missing-value pattern holds at least half of the non-extreme persons and there are more than 4 patterns.</summary>
    private bool UseDominant => _patterns.Count > 4 && 2 * _patterns[0].ScoreCounts.Sum() >= _patterns.Sum(p => p.ScoreCounts.Sum());

    /// <summary>Conditional log-likelihood, its gradient on λ and (optionally) its Hessian on λ, at η.</summary>
    public (double LogLik, double[] Gradient, double[,]? Hessian) Evaluate(ReadOnlySpan<double> eta, bool hessian, CancellationToken token) =>
        Evaluate(eta, hessian ? HessianMode.Exact : HessianMode.None, token);

    /// <summary>Conditional log-likelihood, its gradient on λ and the Hessian on λ as <paramref name="mode"/> says, at η.</summary>
    public (double LogLik, double[] Gradient, double[,]? Hessian) Evaluate(ReadOnlySpan<double> eta, HessianMode mode, CancellationToken token)
    {
        var lambda = Lambda(eta);
        bool hessian = mode != HessianMode.None;
        // pattern 0 (the largest) alone with parallel rows, then the others in 16 fixed blocks; reduced in that order
        var first = new Accumulator(_lambdaCount, hessian);
        AddPattern(_patterns[0], lambda, first, _parallel, token, hessian);
        const int blocks = 16;
        int np = _patterns.Count - 1;
        var partial = new Accumulator[Math.Min(blocks, np)];
        int nb = partial.Length;
        var inner = new ParallelOptions { CancellationToken = token, MaxDegreeOfParallelism = 1 };
        bool rest = mode == HessianMode.Exact;
        System.Threading.Tasks.Parallel.For(0, nb, _parallel, b =>
        {
            var acc = new Accumulator(_lambdaCount, rest);
            int from = 1 + (int)((long)b * np / nb), to = 1 + (int)((long)(b + 1) * np / nb);
            for (int i = from; i < to; i++) AddPattern(_patterns[i], lambda, acc, inner, token, rest);
            partial[b] = acc;
        });
        if (mode == HessianMode.Dominant)
        {
            double scale = _patterns.Sum(p => (double)p.ScoreCounts.Sum()) / _patterns[0].ScoreCounts.Sum();
            var hd = first.Hessian!;
            for (int i = 0; i < _lambdaCount; i++) for (int k = 0; k < _lambdaCount; k++) hd[i, k] *= scale;
        }
        partial = [first, .. partial];
        double ll = 0;
        var expected = new double[_lambdaCount];
        var h = hessian ? new double[_lambdaCount, _lambdaCount] : null;
        foreach (var acc in partial)
        {
            ll += acc.LogLik;
            for (int i = 0; i < _lambdaCount; i++) expected[i] += acc.Expected[i];
            if (h is not null && acc.Hessian is not null)
                for (int i = 0; i < _lambdaCount; i++)
                    for (int k = 0; k < _lambdaCount; k++) h[i, k] += acc.Hessian[i, k];
        }
        for (int i = 0; i < _lambdaCount; i++) ll += _observed[i] * lambda[i];
        var g = new double[_lambdaCount];
        for (int i = 0; i < _lambdaCount; i++) g[i] = _observed[i] - expected[i];
        return (ll, g, h);
    }

    private sealed class Accumulator(int n, bool hessian)
    {
        public double LogLik;
        public readonly double[] Expected = new double[n];
        public readonly double[,]? Hessian = hessian ? new double[n, n] : null;
    }

    /// <summary>Smallest γ̃_r accepted as free of underflow (the weights are scaled so that γ̃ is at most Π m_j).</summary>
    private const double Floor = 1e-250;

    private void AddPattern(ScorePattern sp, double[] lambda, Accumulator acc, ParallelOptions inner, CancellationToken token, bool hessian)
    {
        var remaining = new List<int>();
        for (int r = 1; r < sp.MaxScore; r++) if (sp.ScoreCounts[r] > 0) remaining.Add(r);
        double tilt = TiltFor(sp, lambda, remaining[remaining.Count / 2]);
        int guard = 0;
        while (remaining.Count > 0)
        {
            token.ThrowIfCancellationRequested();
            var done = AddPatternAtTilt(sp, lambda, tilt, remaining, acc, inner, hessian);
            if (done.Count == 0)
            {
                if (++guard > 3) throw new AnalysisFailedException("The elementary symmetric functions underflowed even after re-centring; the item parameters are extreme.");
                tilt = TiltFor(sp, lambda, remaining[0]);
                continue;
            }
            guard = 0;
            remaining.RemoveAll(done.Contains);
            if (remaining.Count > 0) tilt = TiltFor(sp, lambda, remaining[0]);
        }
    }

    /// <summary>θ at which the expected raw score on the pattern's items equals r (Newton on the expected score).</summary>
    private double TiltFor(ScorePattern sp, double[] lambda, int r)
    {
        double theta = 0;
        Span<double> p = stackalloc double[_data.MaxCategories];
        for (int it = 0; it < 100; it++)
        {
            double e = 0, v = 0;
            foreach (int j in sp.Items)
            {
                var s = _data.Scores[j];
                int m = s.Length;
                double max = double.NegativeInfinity;
                for (int c = 0; c < m; c++)
                {
                    p[c] = s[c] * theta + (c == 0 ? 0 : lambda[_offset[j] + c - 1]);
                    max = Math.Max(max, p[c]);
                }
                double sum = 0;
                for (int c = 0; c < m; c++) { p[c] = Math.Exp(p[c] - max); sum += p[c]; }
                double mu = 0, m2 = 0;
                for (int c = 0; c < m; c++) { p[c] /= sum; mu += p[c] * s[c]; m2 += p[c] * s[c] * s[c]; }
                e += mu;
                v += m2 - mu * mu;
            }
            double step = (r - e) / Math.Max(v, 1e-8);
            step = Math.Clamp(step, -2, 2);
            theta += step;
            if (Math.Abs(step) < 1e-6) break;
        }
        return theta;
    }

    private List<int> AddPatternAtTilt(ScorePattern sp, double[] lambda, double tilt, List<int> targets, Accumulator acc, ParallelOptions inner, bool hessian)
    {
        var items = sp.Items;
        int n = items.Length;
        var eps = new double[n][];
        double logScale = 0;
        for (int i = 0; i < n; i++)
        {
            int j = items[i];
            int m = _data.CategoryCount(j);
            var le = new double[m];
            for (int c = 1; c < m; c++) le[c] = lambda[_offset[j] + c - 1];
            eps[i] = new double[m];
            logScale += ElementarySymmetricFunctions.Tilt(le, _data.Scores[j], tilt, eps[i]);
        }
        var (prefix, suffix) = ElementarySymmetricFunctions.PrefixSuffix(eps, [.. items.Select(j => _data.Scores[j])]);
        var gamma = prefix[n];
        var done = new List<int>();
        foreach (int r in targets)
            if (gamma[r] >= Floor && double.IsFinite(gamma[r])) done.Add(r);
        if (done.Count == 0) return done;

        // log-likelihood: −Σ_r n_r log γ_r, with log γ_r = log γ̃_r − r·tilt + Σ_j log max_j
        foreach (int r in done) acc.LogLik -= sp.ScoreCounts[r] * (Math.Log(gamma[r]) - r * tilt + logScale);

        // indices of γ^(−j) and γ^(−j,−j') that the scores in hand need (few for a small missing-value pattern)
        int rmax = gamma.Length - 1, kmax = _data.MaxCategories;
        var need1 = new bool[rmax + 1];
        var need2 = new bool[rmax + 1];
        int maxStep = 0;
        foreach (int j in items) maxStep = Math.Max(maxStep, _data.Scores[j][^1]);
        foreach (int r in done)
        {
            for (int v = Math.Max(0, r - maxStep); v <= r; v++) need1[v] = true;
            for (int v = Math.Max(0, r - 2 * maxStep); v <= r; v++) need2[v] = true;
        }
        // first-order: γ^(−j) and π_jc|r
        var without = new double[n][];
        for (int i = 0; i < n; i++) without[i] = Convolve(prefix[i], suffix[i + 1], need1);
        var pi = new double[n][]; // per item, [r index in done][c]
        for (int i = 0; i < n; i++)
        {
            int j = items[i];
            var s = _data.Scores[j];
            int m = s.Length;
            var pij = new double[done.Count * m];
            for (int t = 0; t < done.Count; t++)
            {
                int r = done[t];
                double nr = sp.ScoreCounts[r];
                for (int c = 0; c < m; c++)
                {
                    int v = r - s[c];
                    double val = v >= 0 && v < without[i].Length ? eps[i][c] * without[i][v] / gamma[r] : 0;
                    pij[t * m + c] = val;
                    if (c > 0) acc.Expected[_offset[j] + c - 1] += nr * val;
                }
            }
            pi[i] = pij;
        }
        if (acc.Hessian is null || !hessian) return done;

        var h = acc.Hessian;
        // Row i fills the diagonal block (i, i) and, for every later item i2, the blocks (i, i2) and (i2, i): each
        // unordered pair is computed once, by its first item, so rows can run in parallel without sharing entries.
        // γ^(−i,−i2) = [ESF of the items before i2 except i] ⊛ [suffix after i2], the first factor grown one item at a time.
        void Row(int i)
        {
            int j = items[i];
            var sj = _data.Scores[j];
            int mj = sj.Length;
            for (int t = 0; t < done.Count; t++)
            {
                double nr = sp.ScoreCounts[done[t]];
                for (int c = 1; c < mj; c++)
                {
                    double pc = pi[i][t * mj + c];
                    int row = _offset[j] + c - 1;
                    for (int c2 = 1; c2 < mj; c2++)
                    {
                        double cov = (c == c2 ? pc : 0) - pc * pi[i][t * mj + c2];
                        h[row, _offset[j] + c2 - 1] -= nr * cov;
                    }
                }
            }
            var cur = prefix[i];
            for (int i2 = i + 1; i2 < n; i2++)
            {
                int j2 = items[i2];
                var s2 = _data.Scores[j2];
                int m2 = s2.Length;
                var both = Convolve(cur, suffix[i2 + 1], need2);
                for (int t = 0; t < done.Count; t++)
                {
                    int r = done[t];
                    double nr = sp.ScoreCounts[r];
                    double inv = 1 / gamma[r];
                    for (int c = 1; c < mj; c++)
                    {
                        int row = _offset[j] + c - 1;
                        double pc = pi[i][t * mj + c];
                        for (int c2 = 1; c2 < m2; c2++)
                        {
                            int v = r - sj[c] - s2[c2];
                            double joint = v >= 0 && v < both.Length ? eps[i][c] * eps[i2][c2] * both[v] * inv : 0;
                            double value = nr * (joint - pc * pi[i2][t * m2 + c2]);
                            int col = _offset[j2] + c2 - 1;
                            h[row, col] -= value;
                            h[col, row] -= value;
                        }
                    }
                }
                if (i2 < n - 1)
                {
                    var grown = new double[cur.Length + s2[^1]];
                    ElementarySymmetricFunctions.AddItem(cur, eps[i2], s2, grown);
                    cur = grown;
                }
            }
        }
        if (inner.MaxDegreeOfParallelism > 1 && n >= 6) System.Threading.Tasks.Parallel.For(0, n, inner, Row);
        else for (int i = 0; i < n; i++) Row(i);
        return done;
    }

    /// <summary>The convolution a ⊛ b, computed only at the indices marked in <paramref name="needed"/> (all when most are).</summary>
    private static double[] Convolve(double[] a, double[] b, bool[] needed)
    {
        int n = a.Length + b.Length - 1;
        int count = 0;
        for (int v = 0; v < Math.Min(n, needed.Length); v++) if (needed[v]) count++;
        if (count * 4 > n) return ElementarySymmetricFunctions.Convolve(a, b);
        var c = new double[n];
        for (int v = 0; v < Math.Min(n, needed.Length); v++)
        {
            if (!needed[v]) continue;
            int lo = Math.Max(0, v - b.Length + 1), hi = Math.Min(v, a.Length - 1);
            double sum = 0;
            for (int u = lo; u <= hi; u++) sum += a[u] * b[v - u];
            c[v] = sum;
        }
        return c;
    }

}
