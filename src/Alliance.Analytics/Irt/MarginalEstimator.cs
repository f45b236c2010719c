using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Irt;

/// <summary>
/// Marginal maximum likelihood by EM (Bock &amp; Aitkin 1981) for the GPCM, graded, partial credit and rating scale
/// models, with SQUAREM acceleration (Varadhan &amp; Roland 2008). The E-step runs over the unique response patterns in
/// a fixed block partition: per pattern the likelihood at every node is a product of table look-ups (vectorised over
/// nodes), the posterior is added to the expected category counts r_jcq of its block, and blocks are reduced in block
/// order, so the result is the same for any number of threads. The M-step maximises Σ_j Σ_q Σ_c r_jcq log P_jc(θ_q)
/// by Fisher scoring over all item parameters at once (the per-item blocks are coupled only in the rating scale model).
/// </summary>
internal sealed class MarginalEstimator
{
    private readonly ItemResponseData _data;
    private readonly bool _graded;
    private readonly bool _freeVariance;
    private readonly double[] _nodes;
    private readonly int _q, _qp;
    private readonly int[] _rowOffset;     // table row of (item j, category 0)
    private readonly int _rows;
    private readonly (int Index, double Coef)[][][] _jacobian; // per item, per local parameter (a, d_1 … d_{m−1}): global contributions
    private readonly bool[] _slopeFixed;
    private readonly int _itemParameters;
    private readonly ParallelOptions _parallel;
    private readonly int _blockSize, _blocks;

    public int ItemParameterCount => _itemParameters;

    /// <summary>All parameters: the item parameters, then the latent SD when it is free.</summary>
    public int ParameterCount => _itemParameters + (_freeVariance ? 1 : 0);

    public bool FreeVariance => _freeVariance;

    public MarginalEstimator(ItemResponseData data, IrtModelType model, QuadratureGrid grid, bool freeVariance, ParallelOptions parallel)
    {
        _data = data;
        _parallel = parallel;
        _graded = model == IrtModelType.GradedResponse;
        _freeVariance = freeVariance;
        _nodes = grid.Nodes.ToArray();
        _q = _nodes.Length;
        _qp = (_q + 7) / 8 * 8; // padded to whole 512-bit vectors (padding nodes have weight 0)
        int m = data.ItemCount;
        _rowOffset = new int[m + 1];
        for (int j = 0; j < m; j++) _rowOffset[j + 1] = _rowOffset[j] + data.CategoryCount(j);
        _rows = _rowOffset[m];
        _jacobian = new (int, double)[m][][];
        _slopeFixed = new bool[m];
        int next = 0;
        bool rasch = model is IrtModelType.PartialCredit or IrtModelType.RatingScale;
        if (model == IrtModelType.RatingScale)
        {
            // d_jc = −s_c β_j + ω_{k(c)} − ω_{k(0)}: β_j free for every item (the latent mean is 0), ω_0 = 0 and ω_{K−1} = 0 (Σ τ = 0).
            int top = data.Categories.Max(c => c[^1]), bottom = data.Categories.Min(c => c[0]);
            var omega = new int[data.ScalePoints];
            Array.Fill(omega, -1);
            next = m;
            for (int cat = bottom + 1; cat < top; cat++) omega[cat] = next++;
            for (int j = 0; j < m; j++)
            {
                _slopeFixed[j] = true;
                int mj = data.CategoryCount(j);
                var jac = new (int, double)[mj][];
                jac[0] = [];
                for (int c = 1; c < mj; c++)
                {
                    var list = new List<(int, double)> { (j, -data.Scores[j][c]) };
                    int kc = data.Categories[j][c], k0 = data.Categories[j][0];
                    if (omega[kc] >= 0) list.Add((omega[kc], 1));
                    if (omega[k0] >= 0) list.Add((omega[k0], -1));
                    jac[c] = [.. list];
                }
                _jacobian[j] = jac;
            }
        }
        else
        {
            for (int j = 0; j < m; j++)
            {
                int mj = data.CategoryCount(j);
                var jac = new (int, double)[mj][];
                _slopeFixed[j] = rasch;
                jac[0] = rasch ? [] : [(next++, 1.0)];
                for (int c = 1; c < mj; c++) jac[c] = [(next++, 1.0)];
                _jacobian[j] = jac;
            }
        }
        _itemParameters = next;
        int u = data.PatternCount;
        _blockSize = Math.Max(1024, (u + 63) / 64);
        _blocks = (u + _blockSize - 1) / _blockSize;
    }

    // ---------------------------------------------------------------- parameters

    /// <summary>Slope and intercepts (d[0] = 0) of item j under ψ.</summary>
    public (double A, double[] D) ItemParameters(ReadOnlySpan<double> psi, int j)
    {
        var jac = _jacobian[j];
        double a = _slopeFixed[j] ? 1 : psi[jac[0][0].Index];
        var d = new double[jac.Length];
        for (int c = 1; c < jac.Length; c++)
            foreach (var (index, coef) in jac[c]) d[c] += coef * psi[index];
        return (a, d);
    }

    /// <summary>Latent SD under the full parameter vector (1 when fixed).</summary>
    public double Sigma(ReadOnlySpan<double> full) => _freeVariance ? full[_itemParameters] : 1;

    /// <summary>Jacobian of item j's local parameters (a, d_1 … d_{m−1}) with respect to ψ, as a dense matrix.</summary>
    public double[,] LocalJacobian(int j)
    {
        var jac = _jacobian[j];
        var mat = new double[jac.Length, ParameterCount];
        if (!_slopeFixed[j]) mat[0, jac[0][0].Index] = 1;
        for (int c = 1; c < jac.Length; c++)
            foreach (var (index, coef) in jac[c]) mat[c, index] += coef;
        return mat;
    }

    /// <summary>Starting values: slopes 1, intercepts from the marginal category proportions; latent SD 1.</summary>
    public double[] StartingValues()
    {
        var full = new double[ParameterCount];
        var counts = _data.CategoryCounts();
        int m = _data.ItemCount;
        if (_jacobian[0].Length > 1 && _jacobian[0][1].Length > 1)
        {
            // rating scale: β_j from the item's mean score; ω stays 0
            for (int j = 0; j < m; j++)
            {
                double n = counts[j].Sum(), mean = 0;
                for (int c = 0; c < counts[j].Length; c++) mean += counts[j][c] * _data.Scores[j][c];
                mean /= n;
                double max = _data.Scores[j][^1];
                double pr = Math.Clamp(mean / max, 0.02, 0.98);
                full[j] = -Math.Log(pr / (1 - pr));
            }
        }
        else
        {
            for (int j = 0; j < m; j++)
            {
                var jac = _jacobian[j];
                if (!_slopeFixed[j]) full[jac[0][0].Index] = 1;
                double n = counts[j].Sum();
                int mj = counts[j].Length;
                for (int c = 1; c < mj; c++)
                {
                    double value;
                    if (_graded)
                    {
                        double above = 0;
                        for (int k = c; k < mj; k++) above += counts[j][k];
                        double pr = Math.Clamp(above / n, 1e-3, 1 - 1e-3);
                        value = Math.Log(pr / (1 - pr)) * 1.3;
                    }
                    else value = Math.Log((counts[j][c] + 0.5) / (counts[j][0] + 0.5));
                    full[jac[c][0].Index] = value;
                }
            }
        }
        if (_freeVariance) full[_itemParameters] = 1;
        return full;
    }

    // ---------------------------------------------------------------- E-step

    /// <summary>Expected counts and log-likelihood from one E-step.</summary>
    public sealed class EStepResult(int rows, int qp)
    {
        public readonly double[] Counts = new double[rows * qp];   // r_jcq
        public readonly double[] NodeTotals = new double[qp];     // N_q
        public double LogLik;
    }

    private sealed class Workspace(int blocks, int rows, int qp)
    {
        public readonly double[][] Counts = [.. Enumerable.Range(0, blocks).Select(_ => new double[rows * qp])];
        public readonly double[][] Totals = [.. Enumerable.Range(0, blocks).Select(_ => new double[qp])];
        public readonly double[] LogLik = new double[blocks];
    }

    private Workspace? _workspace;

    /// <summary>Runs the E-step at the full parameter vector.</summary>
    public EStepResult EStep(ReadOnlySpan<double> full, CancellationToken token)
    {
        var table = BuildTable(full);
        var weights = new double[_qp];
        QuadratureGrid.NormalWeights(_nodes, 0, Sigma(full)).CopyTo(weights, 0);
        var ws = _workspace ??= new Workspace(_blocks, _rows, _qp);
        System.Threading.Tasks.Parallel.For(0, _blocks, _parallel, b =>
        {
            token.ThrowIfCancellationRequested();
            ws.LogLik[b] = Block(b, table, weights, ws.Counts[b], ws.Totals[b]);
        });
        var result = new EStepResult(_rows, _qp);
        for (int b = 0; b < _blocks; b++)
        {
            result.LogLik += ws.LogLik[b];
            Add(result.Counts, ws.Counts[b]);
            Add(result.NodeTotals, ws.Totals[b]);
        }
        return result;
    }

    /// <summary>P_jc(θ_q) for every row (j, c) and node; padded nodes are 1 (their weight is 0).</summary>
    private double[] BuildTable(ReadOnlySpan<double> full)
    {
        var table = new double[_rows * _qp];
        int maxM = _data.MaxCategories;
        Span<double> p = stackalloc double[maxM];
        for (int j = 0; j < _data.ItemCount; j++)
        {
            var (a, d) = ItemParameters(full, j);
            int mj = d.Length;
            var s = _data.Scores[j];
            for (int q = 0; q < _qp; q++)
            {
                if (q < _q) ItemResponseFunctions.Probabilities(_graded, a, d, s, _nodes[q], p[..mj]);
                for (int c = 0; c < mj; c++) table[(_rowOffset[j] + c) * _qp + q] = q < _q ? p[c] : 1;
            }
        }
        return table;
    }

    /// <summary>
    /// One block of patterns, node-chunk by node-chunk so that the slices of the probability table and of the counts
    /// being used (8 nodes × all item categories) stay in the first-level cache: (1) the likelihood of every pattern
    /// at 8 nodes at a time, (2) per pattern the normalising sum and the log-likelihood, (3) the posteriors added to
    /// the counts 8 nodes at a time. The order of every addition is fixed, whatever the thread running the block.
    /// </summary>
    private double Block(int b, double[] table, double[] weights, double[] counts, double[] totals)
    {
        Array.Clear(counts);
        Array.Clear(totals);
        int from = b * _blockSize, to = Math.Min(_data.PatternCount, from + _blockSize);
        int count = to - from, m = _data.ItemCount, qp = _qp;
        var codes = _data.PatternCodes;
        var freq = _data.PatternCounts;
        var like = System.Buffers.ArrayPool<double>.Shared.Rent(count * qp);
        var rows = System.Buffers.ArrayPool<int>.Shared.Rent(count * m);
        var answered = System.Buffers.ArrayPool<int>.Shared.Rent(count);
        try
        {
            for (int u = 0; u < count; u++)
            {
                int a = 0;
                int baseCode = (from + u) * m;
                for (int j = 0; j < m; j++)
                {
                    byte c = codes[baseCode + j];
                    if (c != ItemResponseData.Missing) rows[u * m + a++] = (_rowOffset[j] + c) * qp;
                }
                answered[u] = a;
            }
            ref double tableRef = ref MemoryMarshal.GetArrayDataReference(table);
            ref double likeRef = ref MemoryMarshal.GetArrayDataReference(like);
            ref double countRef = ref MemoryMarshal.GetArrayDataReference(counts);
            ref double weightRef = ref MemoryMarshal.GetArrayDataReference(weights);
            // (1) likelihood × prior weight
            for (int q = 0; q < qp; q += 8)
            {
                var w0 = Vector256.LoadUnsafe(ref weightRef, (nuint)q);
                var w1 = Vector256.LoadUnsafe(ref weightRef, (nuint)(q + 4));
                for (int u = 0; u < count; u++)
                {
                    int ru = u * m, a = answered[u];
                    var acc0 = Vector256.LoadUnsafe(ref tableRef, (nuint)(rows[ru] + q));
                    var acc1 = Vector256.LoadUnsafe(ref tableRef, (nuint)(rows[ru] + q + 4));
                    for (int k = 1; k < a; k++)
                    {
                        int r = rows[ru + k] + q;
                        acc0 *= Vector256.LoadUnsafe(ref tableRef, (nuint)r);
                        acc1 *= Vector256.LoadUnsafe(ref tableRef, (nuint)(r + 4));
                    }
                    (acc0 * w0).StoreUnsafe(ref likeRef, (nuint)(u * qp + q));
                    (acc1 * w1).StoreUnsafe(ref likeRef, (nuint)(u * qp + q + 4));
                }
            }
            // (2) normalise: posterior × frequency; log-likelihood
            double ll = 0;
            for (int u = 0; u < count; u++)
            {
                var post = like.AsSpan(u * qp, qp);
                double sum = Sum(post), logScale = 0;
                if (!(sum > 1e-290)) sum = LogDomainLikelihood(rows.AsSpan(u * m, answered[u]), table, weights, post, out logScale);
                ll += freq[from + u] * (Math.Log(sum) + logScale);
                var f = Vector256.Create(freq[from + u] / sum);
                ref double pr = ref MemoryMarshal.GetReference(post);
                for (int q = 0; q < qp; q += 4) (Vector256.LoadUnsafe(ref pr, (nuint)q) * f).StoreUnsafe(ref pr, (nuint)q);
                Add(totals, post);
            }
            // (3) expected counts
            for (int q = 0; q < qp; q += 8)
            {
                for (int u = 0; u < count; u++)
                {
                    int ru = u * m, a = answered[u];
                    var p0 = Vector256.LoadUnsafe(ref likeRef, (nuint)(u * qp + q));
                    var p1 = Vector256.LoadUnsafe(ref likeRef, (nuint)(u * qp + q + 4));
                    for (int k = 0; k < a; k++)
                    {
                        ref double target = ref Unsafe.Add(ref countRef, rows[ru + k] + q);
                        (Vector256.LoadUnsafe(ref target) + p0).StoreUnsafe(ref target);
                        (Vector256.LoadUnsafe(ref target, 4) + p1).StoreUnsafe(ref target, 4);
                    }
                }
            }
            return ll;
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(like);
            System.Buffers.ArrayPool<int>.Shared.Return(rows);
            System.Buffers.ArrayPool<int>.Shared.Return(answered);
        }
    }

    private double LogDomainLikelihood(ReadOnlySpan<int> rows, double[] table, double[] weights, Span<double> like, out double logScale)
    {
        Span<double> logs = stackalloc double[_qp];
        double max = double.NegativeInfinity;
        for (int q = 0; q < _q; q++)
        {
            double l = Math.Log(weights[q]);
            foreach (int r in rows) l += Math.Log(table[r + q]);
            logs[q] = l;
            max = Math.Max(max, l);
        }
        double sum = 0;
        for (int q = 0; q < _qp; q++)
        {
            like[q] = q < _q ? Math.Exp(logs[q] - max) : 0;
            sum += like[q];
        }
        logScale = max;
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(ReadOnlySpan<double> x)
    {
        var acc = Vector256<double>.Zero;
        ref double r = ref MemoryMarshal.GetReference(x);
        for (int q = 0; q < x.Length; q += 4) acc += Vector256.LoadUnsafe(ref r, (nuint)q);
        return Vector256.Sum(acc);
    }

    private static void Add(Span<double> target, ReadOnlySpan<double> source)
    {
        ref double t = ref MemoryMarshal.GetReference(target);
        ref double s = ref MemoryMarshal.GetReference(source);
        int n = target.Length, q = 0;
        for (; q + 4 <= n; q += 4)
            (Vector256.LoadUnsafe(ref t, (nuint)q) + Vector256.LoadUnsafe(ref s, (nuint)q)).StoreUnsafe(ref t, (nuint)q);
        for (; q < n; q++) target[q] += source[q];
    }

    // ---------------------------------------------------------------- M-step

    /// <summary>Gradient and Fisher information of item j's expected complete-data log-likelihood on its local parameters (a, d_1 … d_{m−1}), and its value.</summary>
    private double LocalScore(int j, double a, double[] d, double[] counts, double[] grad, double[,] info)
    {
        int mj = d.Length;
        var s = _data.Scores[j];
        Array.Clear(grad);
        Array.Clear(info);
        Span<double> p = stackalloc double[mj];
        Span<double> r = stackalloc double[mj];
        double value = 0;
        int baseRow = _rowOffset[j];
        if (!_graded)
        {
            // features of category c: x_c = (s_c θ, e_c); score Σ_c (r_c − N P_c) x_c; information N (E[x xᵀ] − E[x] E[x]ᵀ).
            Span<double> xbar = stackalloc double[mj];
            for (int q = 0; q < _q; q++)
            {
                double theta = _nodes[q], n = 0;
                for (int c = 0; c < mj; c++) { r[c] = counts[(baseRow + c) * _qp + q]; n += r[c]; }
                if (n <= 0) continue;
                ItemResponseFunctions.Probabilities(false, a, d, s, theta, p);
                double sbar = 0, s2bar = 0;
                for (int c = 0; c < mj; c++)
                {
                    value += r[c] * Math.Log(Math.Max(p[c], 1e-300));
                    sbar += p[c] * s[c];
                    s2bar += p[c] * s[c] * s[c];
                }
                double rs = 0;
                for (int c = 0; c < mj; c++) rs += r[c] * s[c];
                grad[0] += theta * (rs - n * sbar);
                for (int c = 1; c < mj; c++) grad[c] += r[c] - n * p[c];
                info[0, 0] += n * theta * theta * (s2bar - sbar * sbar);
                for (int c = 1; c < mj; c++)
                {
                    double v = n * theta * p[c] * (s[c] - sbar);
                    info[0, c] += v;
                    info[c, 0] += v;
                    for (int c2 = 1; c2 < mj; c2++) info[c, c2] += n * ((c == c2 ? p[c] : 0) - p[c] * p[c2]);
                }
            }
            return value;
        }
        // graded: ∂P_c/∂d_k = W_k (δ_kc − δ_k,c+1), ∂P_c/∂a = θ (W_c − W_{c+1}); Fisher information Σ_c ∂P_c ∂P_cᵀ / P_c.
        Span<double> w = stackalloc double[mj + 1];
        Span<double> dpc = stackalloc double[mj];
        for (int q = 0; q < _q; q++)
        {
            double theta = _nodes[q], n = 0;
            for (int c = 0; c < mj; c++) { r[c] = counts[(baseRow + c) * _qp + q]; n += r[c]; }
            if (n <= 0) continue;
            ItemResponseFunctions.Probabilities(true, a, d, s, theta, p);
            w[0] = 0;
            w[mj] = 0;
            for (int c = 1; c < mj; c++)
            {
                double ps = ItemResponseFunctions.Logistic(a * theta + d[c]);
                w[c] = ps * (1 - ps);
            }
            for (int c = 0; c < mj; c++)
            {
                double pc = p[c];
                value += r[c] * Math.Log(pc);
                // derivative vector of P_c over (a, d_1 … d_{m−1})
                dpc.Clear();
                dpc[0] = theta * (w[c] - w[c + 1]);
                if (c >= 1) dpc[c] += w[c];
                if (c + 1 < mj) dpc[c + 1] -= w[c + 1];
                double coef = r[c] / pc;
                for (int k = 0; k < mj; k++)
                {
                    if (dpc[k] == 0) continue;
                    grad[k] += coef * dpc[k];
                    double f = n * dpc[k] / pc;
                    for (int k2 = 0; k2 < mj; k2++) info[k, k2] += f * dpc[k2];
                }
            }
        }
        return value;
    }

    /// <summary>Expected complete-data log-likelihood of the items, its gradient on ψ and Fisher information on ψ.</summary>
    private double Objective(ReadOnlySpan<double> psi, double[] counts, double[]? gradient, double[,]? information)
    {
        int m = _data.ItemCount;
        double total = 0;
        for (int j = 0; j < m; j++)
        {
            var (a, d) = ItemParameters(psi, j);
            int mj = d.Length;
            var g = new double[mj];
            var info = new double[mj, mj];
            total += LocalScore(j, a, d, counts, g, info);
            if (gradient is null) continue;
            var jac = _jacobian[j];
            int start = _slopeFixed[j] ? 1 : 0;
            for (int k = start; k < mj; k++)
                foreach (var (ik, ck) in jac[k])
                {
                    gradient[ik] += ck * g[k];
                    if (information is null) continue;
                    for (int k2 = start; k2 < mj; k2++)
                        foreach (var (ik2, ck2) in jac[k2]) information[ik, ik2] += ck * ck2 * info[k, k2];
                }
        }
        return total;
    }

    private bool Valid(ReadOnlySpan<double> full)
    {
        for (int i = 0; i < full.Length; i++) if (!double.IsFinite(full[i])) return false;
        if (_freeVariance && !(full[_itemParameters] > 1e-3)) return false;
        if (!_graded) return true;
        for (int j = 0; j < _data.ItemCount; j++)
        {
            var (_, d) = ItemParameters(full, j);
            for (int c = 2; c < d.Length; c++) if (!(d[c] < d[c - 1])) return false;
        }
        return true;
    }

    /// <summary>The M-step: Fisher scoring on the item parameters to convergence, closed-form latent SD.</summary>
    public double[] MStep(ReadOnlySpan<double> full, EStepResult e)
    {
        int p = _itemParameters;
        var psi = full.ToArray();
        double value = Objective(psi, e.Counts, null, null);
        for (int it = 0; it < 25; it++)
        {
            var g = new double[p];
            var info = new double[p, p];
            Objective(psi, e.Counts, g, info);
            var step = SolvePositiveDefinite(info, g);
            double scale = 1, maxStep = 0;
            foreach (double v in step) maxStep = Math.Max(maxStep, Math.Abs(v));
            if (maxStep > 5) scale = 5 / maxStep;
            double[] trial;
            double trialValue;
            while (true)
            {
                trial = (double[])psi.Clone();
                for (int i = 0; i < p; i++) trial[i] += scale * step[i];
                trialValue = Valid(trial) ? Objective(trial, e.Counts, null, null) : double.NegativeInfinity;
                if (trialValue >= value - 1e-12 * Math.Abs(value)) break;
                scale /= 2;
                if (scale < 1e-8) { trial = psi; trialValue = value; break; }
            }
            double change = 0;
            for (int i = 0; i < p; i++) change = Math.Max(change, Math.Abs(trial[i] - psi[i]));
            psi = trial;
            value = trialValue;
            if (change < 1e-7) break;
        }
        if (_freeVariance)
        {
            double n = 0, ss = 0;
            for (int q = 0; q < _q; q++) { n += e.NodeTotals[q]; ss += e.NodeTotals[q] * _nodes[q] * _nodes[q]; }
            psi[p] = Math.Sqrt(ss / n);
        }
        return psi;
    }

    private static double[] SolvePositiveDefinite(double[,] a, double[] b)
    {
        var mat = Matrix<double>.Build.DenseOfArray(a);
        var rhs = Vector<double>.Build.DenseOfArray(b);
        try { return mat.Cholesky().Solve(rhs).ToArray(); }
        catch (ArgumentException) { return mat.Svd().Solve(rhs).ToArray(); }
    }

    /// <summary>Gradient of the marginal log-likelihood at the full parameter vector (Fisher's identity: one E-step).</summary>
    public double[] Gradient(double[] full, CancellationToken token) => CompleteGradient(full, EStep(full, token));

    /// <summary>
    /// ∂Q(θ | θ′)/∂θ at θ = <paramref name="full"/>, with the expected counts <paramref name="e"/> of an E-step at θ′:
    /// Σ_j Σ_q Σ_c r_jcq ∂log P_jc(θ_q)/∂θ for the items and Σ_q N_q ∂log w_q(σ)/∂σ = (Σ_q N_q θ_q² − N m₂(σ)) / σ³ for
    /// the latent SD (m₂ = Σ_q w_q θ_q²). At θ′ = θ it is the gradient of the marginal log-likelihood (Fisher's identity).
    /// </summary>
    public double[] CompleteGradient(double[] full, EStepResult e)
    {
        var g = new double[ParameterCount];
        Objective(full, e.Counts, g, null);
        if (_freeVariance)
        {
            double sigma = full[_itemParameters];
            var w = QuadratureGrid.NormalWeights(_nodes, 0, sigma);
            double n = 0, s1 = 0, s2 = 0;
            for (int q = 0; q < _q; q++)
            {
                double t2 = _nodes[q] * _nodes[q];
                n += e.NodeTotals[q];
                s1 += e.NodeTotals[q] * t2;
                s2 += w[q] * t2;
            }
            g[_itemParameters] = (s1 - n * s2) / (sigma * sigma * sigma);
        }
        return g;
    }

    // ---------------------------------------------------------------- standard errors

    /// <summary>
    /// Oakes' (1999) observed information: I(θ) = −[∂²Q(θ | θ′)/∂θ∂θᵀ + ∂²Q(θ | θ′)/∂θ∂θ′ᵀ] at θ′ = θ. The first term
    /// is analytic (the complete-data Hessian from the expected counts at θ); the second, the change of the
    /// complete-data gradient at fixed θ as the posterior weights move with θ′, by central differences of that analytic
    /// gradient with steps h_k = <paramref name="relativeStep"/>·max(1, |θ_k|) (2 E-steps per parameter), as mirt's
    /// <c>SE.type = "Oakes"</c> (Chalmers 2018). The result is symmetrised.
    /// </summary>
    public double[,] OakesInformation(double[] full, CancellationToken token, double relativeStep = 1e-4)
    {
        int p = ParameterCount;
        var e0 = EStep(full, token);
        var h = CompleteHessian(full, e0);
        var cross = new double[p][];
        for (int k = 0; k < p; k++)
        {
            token.ThrowIfCancellationRequested();
            double step = relativeStep * Math.Max(1, Math.Abs(full[k]));
            var plus = (double[])full.Clone();
            var minus = (double[])full.Clone();
            plus[k] += step;
            minus[k] -= step;
            if (!Valid(minus) || !Valid(plus))
            {
                // one-sided where a step would leave the parameter space (graded intercepts must stay ordered, σ > 0)
                if (!Valid(plus)) plus = (double[])full.Clone();
                if (!Valid(minus)) minus = (double[])full.Clone();
            }
            var gp = CompleteGradient(full, EStep(plus, token));
            var gm = CompleteGradient(full, EStep(minus, token));
            double denom = plus[k] - minus[k];
            var col = new double[p];
            for (int i = 0; i < p; i++) col[i] = (gp[i] - gm[i]) / denom;
            cross[k] = col;
        }
        var info = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < p; k++)
                info[i, k] = -(h[i, k] + 0.5 * (cross[k][i] + cross[i][k]));
        return info;
    }

    /// <summary>
    /// The complete-data Hessian ∂²Q(θ | θ′)/∂θ∂θᵀ with the counts of <paramref name="e"/>. Divide-by-total models:
    /// −Σ_q n_jq Cov_q(x) on (a, d) with x_c = (s_c θ_q, e_c) (canonical parameters). Graded: Σ_q Σ_c r_jcq (∂²P_c/P_c −
    /// ∂P_c ∂P_cᵀ/P_c²) with ∂P*_k/∂(a, d_k) = W_k (θ, 1), ∂²P*_k = W_k (1 − 2P*_k) (θ, 1)(θ, 1)ᵀ. Latent SD:
    /// −3(Σ N_q θ_q² − N m₂)/σ⁴ − N (m₄ − m₂²)/σ⁶.
    /// </summary>
    public double[,] CompleteHessian(double[] full, EStepResult e)
    {
        int p = ParameterCount, m = _data.ItemCount;
        var hess = new double[p, p];
        for (int j = 0; j < m; j++)
        {
            var (a, d) = ItemParameters(full, j);
            int mj = d.Length;
            var g = new double[mj];
            var local = new double[mj, mj];
            LocalScore(j, a, d, e.Counts, g, local);
            if (_graded) GradedHessian(j, a, d, e.Counts, local);
            else for (int k = 0; k < mj; k++) for (int k2 = 0; k2 < mj; k2++) local[k, k2] = -local[k, k2];
            var jac = _jacobian[j];
            int start = _slopeFixed[j] ? 1 : 0;
            for (int k = start; k < mj; k++)
                foreach (var (ik, ck) in jac[k])
                    for (int k2 = start; k2 < mj; k2++)
                        foreach (var (ik2, ck2) in jac[k2]) hess[ik, ik2] += ck * ck2 * local[k, k2];
        }
        if (_freeVariance)
        {
            double sigma = full[_itemParameters];
            var w = QuadratureGrid.NormalWeights(_nodes, 0, sigma);
            double n = 0, s1 = 0, m2 = 0, m4 = 0;
            for (int q = 0; q < _q; q++)
            {
                double t2 = _nodes[q] * _nodes[q];
                n += e.NodeTotals[q];
                s1 += e.NodeTotals[q] * t2;
                m2 += w[q] * t2;
                m4 += w[q] * t2 * t2;
            }
            double s2 = sigma * sigma;
            hess[_itemParameters, _itemParameters] = -3 * (s1 - n * m2) / (s2 * s2) - n * (m4 - m2 * m2) / (s2 * s2 * s2);
        }
        return hess;
    }

    /// <summary>Observed Hessian of item j's Q on (a, d_1 … d_{m−1}) for the graded model, written into <paramref name="hess"/>.</summary>
    private void GradedHessian(int j, double a, double[] d, double[] counts, double[,] hess)
    {
        int mj = d.Length;
        Array.Clear(hess);
        var s = _data.Scores[j];
        Span<double> p = stackalloc double[mj];
        Span<double> w = stackalloc double[mj + 1];
        Span<double> wb = stackalloc double[mj + 1];
        Span<double> dpc = stackalloc double[mj];
        int baseRow = _rowOffset[j];
        for (int q = 0; q < _q; q++)
        {
            double theta = _nodes[q];
            ItemResponseFunctions.Probabilities(true, a, d, s, theta, p);
            w[0] = w[mj] = wb[0] = wb[mj] = 0;
            for (int c = 1; c < mj; c++)
            {
                double ps = ItemResponseFunctions.Logistic(a * theta + d[c]);
                w[c] = ps * (1 - ps);
                wb[c] = w[c] * (1 - 2 * ps);
            }
            for (int c = 0; c < mj; c++)
            {
                double r = counts[(baseRow + c) * _qp + q];
                if (r == 0) continue;
                double pc = p[c];
                dpc.Clear();
                dpc[0] = theta * (w[c] - w[c + 1]);
                if (c >= 1) dpc[c] += w[c];
                if (c + 1 < mj) dpc[c + 1] -= w[c + 1];
                double inv = r / pc, inv2 = r / (pc * pc);
                for (int k = 0; k < mj; k++)
                    for (int k2 = 0; k2 < mj; k2++) hess[k, k2] -= inv2 * dpc[k] * dpc[k2];
                // second derivatives: +P*_c'' (c ≥ 1) − P*_{c+1}'' (c + 1 < m), each on (a, d_k) of its boundary
                for (int side = 0; side < 2; side++)
                {
                    int kb = side == 0 ? c : c + 1;
                    if (kb < 1 || kb >= mj) continue;
                    double f = (side == 0 ? 1 : -1) * inv * wb[kb];
                    hess[0, 0] += f * theta * theta;
                    hess[0, kb] += f * theta;
                    hess[kb, 0] += f * theta;
                    hess[kb, kb] += f;
                }
            }
        }
    }

    /// <summary>
    /// The cross-product (XPD) information Σ_u f_u s_u s_uᵀ over the unique response patterns u (frequency f_u), with
    /// s_u = Σ_q π_uq ∂log[P(x_u | θ_q) w_q]/∂θ the pattern's score (π_uq its posterior over the nodes). Blocks of
    /// patterns are reduced in block order, so the sum is the same for any number of threads.
    /// </summary>
    public double[,] CrossProductInformation(double[] full, CancellationToken token) => PatternPass(full, false, token).Xpd;

    /// <summary>
    /// The observed information by Louis' (1982) identity, organised by quadrature node and category pair so that it
    /// costs one pass over the patterns and no extra E-step: I = −∂²Q/∂θ∂θᵀ − Σ_u f_u Cov_{π_u}(S_uq), where S_uq =
    /// ∂log[P(x_u | θ_q) w_q]/∂θ and Σ_u f_u Cov_{π_u}(S) = M − XPD with M = Σ_q Σ_{(j,c),(j′,c′)} R_q[jc, j′c′] D_jcq D_j′c′qᵀ,
    /// R_q[jc, j′c′] = Σ_u f_u π_uq [x_uj = c][x_uj′ = c′] the pairwise expected counts (J² work per pattern and node)
    /// and D_jcq = ∂log P_jc(θ_q)/∂θ. The posterior term is exactly Oakes' (1999) ∂²Q(θ | θ′)/∂θ∂θ′ᵀ at θ′ = θ, which
    /// <see cref="OakesInformation"/> obtains by differences; both give the same matrix (tested to 1e-6).
    /// </summary>
    public double[,] LouisInformation(double[] full, CancellationToken token) => LouisInformation(full, token, out _);

    /// <summary>As <see cref="LouisInformation(double[], CancellationToken)"/>, also returning the XPD matrix of the same pass.</summary>
    public double[,] LouisInformation(double[] full, CancellationToken token, out double[,] crossProduct)
    {
        int p = ParameterCount;
        var (xpd, second) = PatternPass(full, true, token);
        crossProduct = xpd;
        var h = CompleteHessian(full, EStep(full, token));
        var info = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < p; k++) info[i, k] = -h[i, k] - second![i, k] + xpd[i, k];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < i; k++) info[i, k] = info[k, i] = 0.5 * (info[i, k] + info[k, i]);
        return info;
    }

    /// <summary>Bytes of one accumulator of pairwise expected counts (rows² × nodes doubles).</summary>
    public long LouisBytes => (long)_rows * _rows * _q * sizeof(double);

    /// <summary>One pass over the patterns: XPD = Σ_u f_u s_u s_uᵀ and, with <paramref name="pairs"/>, M = Σ_u f_u Σ_q π_uq S_uq S_uqᵀ.</summary>
    private (double[,] Xpd, double[,]? Second) PatternPass(double[] full, bool pairs, CancellationToken token)
    {
        int p = ParameterCount, m = _data.ItemCount, q = _q;
        int k = _data.MaxCategories;
        // log P and ∂log P/∂(a, d_1 … d_{m−1}) per (item, category) row and node
        var logTable = new double[_rows * q];
        var deriv = new double[_rows * q * k];
        Span<double> pr = stackalloc double[k];
        Span<double> w = stackalloc double[k + 1];
        for (int j = 0; j < m; j++)
        {
            var (a, d) = ItemParameters(full, j);
            int mj = d.Length;
            var s = _data.Scores[j];
            for (int n = 0; n < q; n++)
            {
                double theta = _nodes[n];
                ItemResponseFunctions.Probabilities(_graded, a, d, s, theta, pr[..mj]);
                double sbar = 0;
                for (int c = 0; c < mj; c++) sbar += pr[c] * s[c];
                if (_graded)
                {
                    w[0] = w[mj] = 0;
                    for (int c = 1; c < mj; c++) { double ps = ItemResponseFunctions.Logistic(a * theta + d[c]); w[c] = ps * (1 - ps); }
                }
                for (int c = 0; c < mj; c++)
                {
                    int row = _rowOffset[j] + c;
                    logTable[row * q + n] = Math.Log(pr[c]);
                    int o = (row * q + n) * k;
                    if (_graded)
                    {
                        deriv[o] = theta * (w[c] - w[c + 1]) / pr[c];
                        if (c >= 1) deriv[o + c] += w[c] / pr[c];
                        if (c + 1 < mj) deriv[o + c + 1] -= w[c + 1] / pr[c];
                    }
                    else
                    {
                        deriv[o] = theta * (s[c] - sbar);
                        for (int c2 = 1; c2 < mj; c2++) deriv[o + c2] = (c2 == c ? 1 : 0) - pr[c2];
                    }
                }
            }
        }
        double sigma = Sigma(full);
        var weights = QuadratureGrid.NormalWeights(_nodes, 0, sigma);
        var logW = weights.Select(v => Math.Log(v)).ToArray();
        double m2 = 0;
        for (int n = 0; n < q; n++) m2 += weights[n] * _nodes[n] * _nodes[n];
        var dLogW = new double[q];
        for (int n = 0; n < q; n++) dLogW[n] = (_nodes[n] * _nodes[n] - m2) / (sigma * sigma * sigma);
        // a fixed partition of the blocks into chunks (independent of the thread count), reduced in chunk order
        int rowsAll = _rows;
        int chunks = Math.Min(_blocks, pairs ? (LouisBytes <= 64L << 20 ? 4 : 1) : 64);
        var partial = new double[chunks][];
        var pairPartial = new double[chunks][];
        var nodePartial = new double[chunks][];
        System.Threading.Tasks.Parallel.For(0, chunks, _parallel, ch =>
        {
            token.ThrowIfCancellationRequested();
            var acc = new double[p * p];
            var pairAcc = pairs ? new double[rowsAll * rowsAll * q] : null;
            var nodeAcc = new double[q];
            var post = new double[q];
            var val = new double[q];
            var score = new double[p];
            var local = new double[k];
            var answered = new int[m];
            int fromBlock = (int)((long)ch * _blocks / chunks), toBlock = (int)((long)(ch + 1) * _blocks / chunks);
            int from = fromBlock * _blockSize, to = Math.Min(_data.PatternCount, toBlock * _blockSize);
            var codes = _data.PatternCodes;
            for (int u = from; u < to; u++)
            {
                if (((u - from) & 1023) == 0) token.ThrowIfCancellationRequested();
                double max = double.NegativeInfinity;
                for (int n = 0; n < q; n++)
                {
                    double l = logW[n];
                    for (int j = 0; j < m; j++)
                    {
                        byte c = codes[u * m + j];
                        if (c != ItemResponseData.Missing) l += logTable[(_rowOffset[j] + c) * q + n];
                    }
                    post[n] = l;
                    if (l > max) max = l;
                }
                double sum = 0;
                for (int n = 0; n < q; n++) { post[n] = Math.Exp(post[n] - max); sum += post[n]; }
                for (int n = 0; n < q; n++) post[n] /= sum;
                Array.Clear(score);
                int na = 0;
                for (int j = 0; j < m; j++)
                {
                    byte c = codes[u * m + j];
                    if (c == ItemResponseData.Missing) continue;
                    int row = _rowOffset[j] + c, mj = _jacobian[j].Length;
                    answered[na++] = row;
                    Array.Clear(local);
                    for (int n = 0; n < q; n++)
                    {
                        int o = (row * q + n) * k;
                        double pn = post[n];
                        for (int kk = 0; kk < mj; kk++) local[kk] += pn * deriv[o + kk];
                    }
                    var jac = _jacobian[j];
                    for (int kk = _slopeFixed[j] ? 1 : 0; kk < mj; kk++)
                        foreach (var (index, coef) in jac[kk]) score[index] += coef * local[kk];
                }
                if (_freeVariance)
                {
                    double sv = 0;
                    for (int n = 0; n < q; n++) sv += post[n] * dLogW[n];
                    score[_itemParameters] = sv;
                }
                double f = _data.PatternCounts[u];
                for (int i = 0; i < p; i++)
                {
                    double fi = f * score[i];
                    if (fi == 0) continue;
                    for (int i2 = 0; i2 < p; i2++) acc[i * p + i2] += fi * score[i2];
                }
                if (pairAcc is null) continue;
                for (int n = 0; n < q; n++) { val[n] = f * post[n]; nodeAcc[n] += val[n]; }
                for (int k1 = 0; k1 < na; k1++)
                {
                    int r1 = answered[k1];
                    for (int k2 = k1; k2 < na; k2++)
                    {
                        var target = pairAcc.AsSpan((r1 * rowsAll + answered[k2]) * q, q);
                        Add(target, val);
                    }
                }
            }
            partial[ch] = acc;
            pairPartial[ch] = pairAcc!;
            nodePartial[ch] = nodeAcc;
        });
        var xpd = new double[p, p];
        for (int ch = 0; ch < chunks; ch++)
            for (int i = 0; i < p; i++)
                for (int i2 = 0; i2 < p; i2++) xpd[i, i2] += partial[ch][i * p + i2];
        if (!pairs) return (xpd, null);
        var pairR = pairPartial[0];
        for (int ch = 1; ch < chunks; ch++) Add(pairR, pairPartial[ch]);
        var nodeN = nodePartial[0];
        for (int ch = 1; ch < chunks; ch++) Add(nodeN, nodePartial[ch]);
        // local slots: (item j, local parameter kk) → _rowOffset[j] + kk
        var itemOfRow = new int[rowsAll];
        for (int j = 0; j < m; j++) for (int r = _rowOffset[j]; r < _rowOffset[j + 1]; r++) itemOfRow[r] = j;
        var mloc = new double[rowsAll * rowsAll];
        var sigmaLoc = new double[rowsAll];
        for (int r1 = 0; r1 < rowsAll; r1++)
        {
            int j1 = itemOfRow[r1], m1 = _jacobian[j1].Length, s1 = _rowOffset[j1];
            for (int r2 = r1; r2 < rowsAll; r2++)
            {
                int j2 = itemOfRow[r2];
                if (j2 == j1 && r2 != r1) continue; // one answer per item
                int m2b = _jacobian[j2].Length, s2 = _rowOffset[j2];
                int baseR = (r1 * rowsAll + r2) * q;
                for (int n = 0; n < q; n++)
                {
                    double wr = pairR[baseR + n];
                    if (wr == 0) continue;
                    int o1 = (r1 * q + n) * k, o2 = (r2 * q + n) * k;
                    for (int a1 = 0; a1 < m1; a1++)
                    {
                        double v1 = wr * deriv[o1 + a1];
                        if (v1 == 0) continue;
                        for (int a2 = 0; a2 < m2b; a2++)
                        {
                            double v = v1 * deriv[o2 + a2];
                            mloc[(s1 + a1) * rowsAll + s2 + a2] += v;
                            if (r1 != r2) mloc[(s2 + a2) * rowsAll + s1 + a1] += v;
                        }
                    }
                    if (r1 == r2 && _freeVariance)
                        for (int a1 = 0; a1 < m1; a1++) sigmaLoc[s1 + a1] += wr * dLogW[n] * deriv[o1 + a1];
                }
            }
        }
        var second = new double[p, p];
        for (int j1 = 0; j1 < m; j1++)
            for (int a1 = _slopeFixed[j1] ? 1 : 0; a1 < _jacobian[j1].Length; a1++)
                foreach (var (i1, c1) in _jacobian[j1][a1])
                {
                    for (int j2 = 0; j2 < m; j2++)
                        for (int a2 = _slopeFixed[j2] ? 1 : 0; a2 < _jacobian[j2].Length; a2++)
                        {
                            double v = mloc[(_rowOffset[j1] + a1) * rowsAll + _rowOffset[j2] + a2];
                            if (v == 0) continue;
                            foreach (var (i2, c2) in _jacobian[j2][a2]) second[i1, i2] += c1 * c2 * v;
                        }
                    if (_freeVariance)
                    {
                        double v = c1 * sigmaLoc[_rowOffset[j1] + a1];
                        second[i1, _itemParameters] += v;
                        second[_itemParameters, i1] += v;
                    }
                }
        if (_freeVariance)
        {
            double v = 0;
            for (int n = 0; n < q; n++) v += nodeN[n] * dLogW[n] * dLogW[n];
            second[_itemParameters, _itemParameters] = v;
        }
        return (xpd, second);
    }

    /// <summary>Readable names of the parameters (for a singular information): "slope of Comfort", "intercept 2 of Work (category 3)", "latent SD".</summary>
    public string[] ParameterNames()
    {
        var names = new string[ParameterCount];
        int m = _data.ItemCount;
        bool rsm = _jacobian[0].Length > 1 && _jacobian[0][1].Length > 1;
        for (int j = 0; j < m; j++)
        {
            var jac = _jacobian[j];
            if (!_slopeFixed[j]) names[jac[0][0].Index] = $"slope of {_data.ItemNames[j]}";
            if (rsm) { names[j] = $"location β of {_data.ItemNames[j]}"; continue; }
            for (int c = 1; c < jac.Length; c++)
                names[jac[c][0].Index] = $"intercept {c} of {_data.ItemNames[j]} (category {(_data.ScaleMin + _data.Categories[j][c]).ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        }
        for (int i = 0; i < _itemParameters; i++) names[i] ??= $"rating scale threshold parameter ω{(i - m + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        if (_freeVariance) names[_itemParameters] = "latent SD";
        return names;
    }

    // ---------------------------------------------------------------- EM driver

    public (double[] Parameters, EStepResult Final, Convergence Convergence) Fit(double tolerance, int maxIterations, bool accelerate,
        IProgress<AnalysisProgress>? progress, CancellationToken token)
    {
        var x = StartingValues();
        int evaluations = 0;
        double change = double.PositiveInfinity;
        bool converged = false;
        string reason = "iteration limit reached";
        EStepResult eAtX = EStep(x, token);
        evaluations++;
        double[] Map(double[] at, EStepResult e) => MStep(at, e);
        while (evaluations < maxIterations)
        {
            token.ThrowIfCancellationRequested();
            var x1 = Map(x, eAtX);
            change = MaxChange(x1, x);
            if (change < tolerance) { x = x1; converged = true; reason = "parameter change below tolerance"; break; }
            var e1 = EStep(x1, token);
            evaluations++;
            if (!accelerate)
            {
                x = x1;
                eAtX = e1;
                Report(progress, evaluations, change, tolerance);
                continue;
            }
            var x2 = Map(x1, e1);
            double change2 = MaxChange(x2, x1);
            if (change2 < tolerance) { x = x2; change = change2; converged = true; reason = "parameter change below tolerance"; break; }
            // SQUAREM (scheme S3): x' = x − 2αr + α²v with α = −‖r‖/‖v‖ ≤ −1
            int n = x.Length;
            double rr = 0, vv = 0;
            var rvec = new double[n];
            var vvec = new double[n];
            for (int i = 0; i < n; i++)
            {
                rvec[i] = x1[i] - x[i];
                vvec[i] = x2[i] - x1[i] - rvec[i];
                rr += rvec[i] * rvec[i];
                vv += vvec[i] * vvec[i];
            }
            double alpha = vv > 0 ? -Math.Sqrt(rr / vv) : -1;
            alpha = Math.Clamp(alpha, -64, -1);
            double[] xNew = x2;
            EStepResult? eNew = null;
            if (alpha < -1)
            {
                var xp = new double[n];
                for (int i = 0; i < n; i++) xp[i] = x[i] - 2 * alpha * rvec[i] + alpha * alpha * vvec[i];
                if (Valid(xp))
                {
                    var ep = EStep(xp, token);
                    evaluations++;
                    if (double.IsFinite(ep.LogLik) && ep.LogLik >= e1.LogLik)
                    {
                        xNew = Map(xp, ep);
                        if (!Valid(xNew)) xNew = x2;
                    }
                }
            }
            x = xNew;
            eAtX = eNew ?? EStep(x, token);
            evaluations++;
            Report(progress, evaluations, change, tolerance);
        }
        var final = EStep(x, token);
        return (x, final, new Convergence(converged, evaluations, change, tolerance, reason));
    }

    private static void Report(IProgress<AnalysisProgress>? progress, int iterations, double change, double tolerance) =>
        progress?.Report(new AnalysisProgress($"EM iteration {iterations}", Math.Clamp(Math.Log(change) / Math.Log(tolerance), 0, 1)));

    private static double MaxChange(double[] a, double[] b)
    {
        double c = 0;
        for (int i = 0; i < a.Length; i++) c = Math.Max(c, Math.Abs(a[i] - b[i]));
        return c;
    }
}
