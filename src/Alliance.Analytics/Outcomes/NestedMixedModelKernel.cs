using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Outcomes;

/// <summary>
/// The profiled deviance of a linear mixed model whose random-effect terms are nested: one term grouped by an inner
/// factor (e.g. client) and optionally one grouped by an outer factor (e.g. therapist) that contains each inner level
/// entirely. Notation of Bates, Mächler, Bolker &amp; Walker (2015, J Stat Softw 67(1), §3): y = Xβ + ZΛu + ε,
/// u ~ N(0, σ²I), ε ~ N(0, σ²I), Λ(θ) block diagonal with one lower-triangular qₖ × qₖ factor per term.
/// </summary>
/// <remarks>
/// <para>
/// The sparse Cholesky factor L of Λᵀ ZᵀZ Λ + I is found cluster by cluster. Ordering the inner units first, their
/// diagonal blocks Aᵢ = Λ₁ᵀ ZᵢᵀZᵢ Λ₁ + I are factored on their own (Lᵢ); the off-diagonal block of inner unit i in
/// outer unit t is Lₜᵢ = Λ₂ᵀ WᵢᵀZᵢ Λ₁ Lᵢ⁻ᵀ (W the outer term's columns), and because each inner unit lies in one outer
/// unit the Schur complement Λ₂ᵀ WₜᵀWₜ Λ₂ + I − Σᵢ Lₜᵢ Lₜᵢᵀ stays block diagonal, so each outer block is factored on its
/// own too. There is no fill-in and no sparse matrix: one evaluation costs O(Σ qₖ³ per unit) on cross-products
/// computed once from the data (ZᵢᵀZᵢ, ZᵢᵀXᵢ, Zᵢᵀyᵢ, WᵢᵀZᵢ, WₜᵀWₜ, WₜᵀXₜ, Wₜᵀyₜ, XᵀX, Xᵀy, yᵀy).
/// </para>
/// <para>
/// With R_ZX, c_u from L c_u = ΛᵀZᵀy, R_X from R_Xᵀ R_X = XᵀX − R_ZXᵀ R_ZX and c_β from R_Xᵀ c_β = Xᵀy − R_ZXᵀ c_u, the
/// penalised residual sum of squares is r²(θ) = yᵀy − ‖c_u‖² − ‖c_β‖², β̂(θ) = R_X⁻¹ c_β, and the profiled deviances are
/// d_ML(θ) = log|L|² + n (1 + log(2π r²/n)) and d_REML(θ) = log|L|² + log|R_X|² + (n − p)(1 + log(2π r²/(n − p)))
/// (Bates et al. 2015, eqs. 34 and 42), the quantities lme4 minimises.
/// </para>
/// </remarks>
internal sealed class NestedMixedModelKernel
{
    public readonly int N, FixedEffectCount, Q1, Q2, Inner, Outer;
    public readonly int ThetaCount1, ThetaCount2;
    // Cross-products, per unit, row-major.
    private readonly double[] _ztz, _ztx, _zty, _wtz, _wtw, _wtx, _wty;
    private readonly double[] _xtx, _xty;
    private readonly double _yty;
    // Inner units of each outer unit (CSR): _innerOfOuter[_outerStart[t] .. _outerStart[t + 1]).
    private readonly int[] _outerStart, _innerOfOuter;

    /// <param name="x">n × p fixed-effect design, row-major.</param>
    /// <param name="p">Columns of <paramref name="x"/>.</param>
    /// <param name="y">Response.</param>
    /// <param name="z">n × q1 design of the inner term, row-major.</param>
    /// <param name="q1">Columns of <paramref name="z"/>.</param>
    /// <param name="inner">Inner unit of each row (0 … inner − 1).</param>
    /// <param name="innerCount">Number of inner units.</param>
    /// <param name="w">n × q2 design of the outer term (null when there is none).</param>
    /// <param name="q2">Columns of <paramref name="w"/> (0 when there is no outer term).</param>
    /// <param name="outerOfInner">Outer unit of each inner unit (null when there is no outer term).</param>
    /// <param name="outerCount">Number of outer units.</param>
    public NestedMixedModelKernel(double[] x, int p, double[] y, double[] z, int q1, int[] inner, int innerCount,
        double[]? w, int q2, int[]? outerOfInner, int outerCount)
    {
        N = y.Length; FixedEffectCount = p; Q1 = q1; Q2 = q2; Inner = innerCount; Outer = q2 == 0 ? 0 : outerCount;
        ThetaCount1 = q1 * (q1 + 1) / 2;
        ThetaCount2 = q2 * (q2 + 1) / 2;
        _ztz = new double[Inner * q1 * q1];
        _ztx = new double[Inner * q1 * p];
        _zty = new double[Inner * q1];
        _wtz = new double[Inner * q2 * q1];
        _wtw = new double[Outer * q2 * q2];
        _wtx = new double[Outer * q2 * p];
        _wty = new double[Outer * q2];
        _xtx = new double[p * p];
        _xty = new double[p];
        double yty = 0;
        for (int r = 0; r < N; r++)
        {
            var xr = x.AsSpan(r * p, p);
            var zr = z.AsSpan(r * q1, q1);
            double yr = y[r];
            int i = inner[r];
            yty += yr * yr;
            for (int a = 0; a < p; a++)
            {
                _xty[a] += xr[a] * yr;
                for (int b = 0; b <= a; b++) _xtx[a * p + b] += xr[a] * xr[b];
            }
            for (int a = 0; a < q1; a++)
            {
                _zty[i * q1 + a] += zr[a] * yr;
                for (int b = 0; b < q1; b++) _ztz[(i * q1 + a) * q1 + b] += zr[a] * zr[b];
                for (int b = 0; b < p; b++) _ztx[(i * q1 + a) * p + b] += zr[a] * xr[b];
            }
            if (q2 == 0) continue;
            var wr = w!.AsSpan(r * q2, q2);
            int t = outerOfInner![i];
            for (int a = 0; a < q2; a++)
            {
                _wty[t * q2 + a] += wr[a] * yr;
                for (int b = 0; b < q2; b++) _wtw[(t * q2 + a) * q2 + b] += wr[a] * wr[b];
                for (int b = 0; b < p; b++) _wtx[(t * q2 + a) * p + b] += wr[a] * xr[b];
                for (int b = 0; b < q1; b++) _wtz[(i * q2 + a) * q1 + b] += wr[a] * zr[b];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) _xtx[b * p + a] = _xtx[a * p + b];
        _yty = yty;

        _outerStart = new int[Outer + 1];
        _innerOfOuter = new int[q2 == 0 ? 0 : Inner];
        if (q2 > 0)
        {
            for (int i = 0; i < Inner; i++) _outerStart[outerOfInner![i] + 1]++;
            for (int t = 0; t < Outer; t++) _outerStart[t + 1] += _outerStart[t];
            var fill = (int[])_outerStart.Clone();
            for (int i = 0; i < Inner; i++) _innerOfOuter[fill[outerOfInner![i]]++] = i;
        }
    }

    public int ThetaCount => ThetaCount1 + ThetaCount2;

    /// <summary>lme4's starting values and bounds: diagonal elements of each factor 1 and ≥ 0, the others 0 and free.</summary>
    public (double[] Start, double[] Lower) StartAndBounds()
    {
        var start = new double[ThetaCount];
        var lower = new double[ThetaCount];
        int k = 0;
        foreach (int q in new[] { Q1, Q2 })
            for (int j = 0; j < q; j++)
                for (int i = j; i < q; i++, k++)
                {
                    start[k] = i == j ? 1 : 0;
                    lower[k] = i == j ? 0 : double.NegativeInfinity;
                }
        return (start, lower);
    }

    /// <summary>The lower-triangular factor (row-major q × q) from θ entries in lme4's order (column-wise lower triangle).</summary>
    public static double[] Lambda(ReadOnlySpan<double> theta, int q)
    {
        var l = new double[q * q];
        int k = 0;
        for (int j = 0; j < q; j++)
            for (int i = j; i < q; i++) l[i * q + j] = theta[k++];
        return l;
    }

    /// <summary>Everything one evaluation yields; the per-unit factors only when asked for.</summary>
    public sealed class State
    {
        public double LogDetL2, LogDetRX2, Pwrss;
        public double[] Beta = [], LX = [];   // LX: lower factor of XᵀX − R_ZXᵀR_ZX (= R_Xᵀ)
        public bool Ok;
        // Kept per unit (for conditional modes and variances): inner Lᵢ, R_iX, r_iy, Lₜᵢ; outer Lₜ, R_tX, r_ty.
        public double[]? Li, RiX, Riy, Lti, Lt, RtX, Rty;
    }

    /// <summary>Penalised least squares at θ: factors, β̂(θ), r²(θ) and the log-determinants.</summary>
    public State Evaluate(ReadOnlySpan<double> theta, bool keep = false)
    {
        int p = FixedEffectCount, q1 = Q1, q2 = Q2;
        if (!keep && q1 == 1 && q2 <= 1) return EvaluateScalar(theta);
        var lam1 = Lambda(theta[..ThetaCount1], q1);
        var lam2 = Lambda(theta[ThetaCount1..], q2);
        var s = new State();
        if (keep)
        {
            s.Li = new double[Inner * q1 * q1]; s.RiX = new double[Inner * q1 * p]; s.Riy = new double[Inner * q1];
            s.Lti = new double[Inner * q2 * q1]; s.Lt = new double[Outer * q2 * q2]; s.RtX = new double[Outer * q2 * p]; s.Rty = new double[Outer * q2];
        }
        var rzxRzx = new double[p * p];
        var rzxRy = new double[p];
        double ryry = 0, logDet = 0;
        var a = new double[q1 * q1];
        var tmp1 = new double[q1 * Math.Max(q1, p)];
        var rix = new double[q1 * p];
        var riy = new double[q1];
        var m = new double[q2 * q2];
        var bt = new double[q2 * p];
        var byt = new double[q2];
        var lti = new double[q2 * q1];
        var tmp2 = new double[Math.Max(1, q2 * Math.Max(q1, Math.Max(q2, p)))];

        if (q2 == 0)
        {
            for (int i = 0; i < Inner; i++)
            {
                double ld = InnerBlock(i);
                if (double.IsNaN(ld)) return s;
                logDet += ld;
                Accumulate(rix, riy, q1);
                if (keep) KeepInner(i);
            }
        }
        else
        {
            for (int t = 0; t < Outer; t++)
            {
                // M = Λ₂ᵀ WₜᵀWₜ Λ₂ + I, B = Λ₂ᵀ WₜᵀXₜ, b = Λ₂ᵀ Wₜᵀyₜ.
                Sandwich(lam2, _wtw.AsSpan(t * q2 * q2, q2 * q2), q2, m, tmp2);
                for (int d = 0; d < q2; d++) m[d * q2 + d] += 1;
                LambdaTransposeTimes(lam2, q2, _wtx.AsSpan(t * q2 * p, q2 * p), p, bt);
                LambdaTransposeTimes(lam2, q2, _wty.AsSpan(t * q2, q2), 1, byt);
                for (int k = _outerStart[t]; k < _outerStart[t + 1]; k++)
                {
                    int i = _innerOfOuter[k];
                    double ld = InnerBlock(i);
                    if (double.IsNaN(ld)) return s;
                    logDet += ld;
                    Accumulate(rix, riy, q1);
                    // Lₜᵢ = Λ₂ᵀ WᵢᵀZᵢ Λ₁ Lᵢ⁻ᵀ: rows of C = Λ₂ᵀ (WᵢᵀZᵢ Λ₁), each solved against Lᵢ.
                    var wtz = _wtz.AsSpan(i * q2 * q1, q2 * q1);
                    for (int r = 0; r < q2; r++)
                        for (int c = 0; c < q1; c++)
                        {
                            double sum = 0;
                            for (int k2 = c; k2 < q1; k2++) sum += wtz[r * q1 + k2] * lam1[k2 * q1 + c];
                            tmp2[r * q1 + c] = sum;
                        }
                    LambdaTransposeTimes(lam2, q2, tmp2.AsSpan(0, q2 * q1), q1, lti);
                    for (int r = 0; r < q2; r++) DenseCholesky.SolveLower(a, q1, lti.AsSpan(r * q1, q1));
                    // M −= Lₜᵢ Lₜᵢᵀ; B −= Lₜᵢ R_iX; b −= Lₜᵢ r_iy.
                    for (int r = 0; r < q2; r++)
                    {
                        for (int c = 0; c < q2; c++)
                        {
                            double sum = 0;
                            for (int k2 = 0; k2 < q1; k2++) sum += lti[r * q1 + k2] * lti[c * q1 + k2];
                            m[r * q2 + c] -= sum;
                        }
                        for (int c = 0; c < p; c++)
                        {
                            double sum = 0;
                            for (int k2 = 0; k2 < q1; k2++) sum += lti[r * q1 + k2] * rix[k2 * p + c];
                            bt[r * p + c] -= sum;
                        }
                        double sy = 0;
                        for (int k2 = 0; k2 < q1; k2++) sy += lti[r * q1 + k2] * riy[k2];
                        byt[r] -= sy;
                    }
                    if (keep) { KeepInner(i); lti.CopyTo(s.Lti.AsSpan(i * q2 * q1)); }
                }
                double ldt = DenseCholesky.Factor(m, q2);
                if (double.IsNaN(ldt)) return s;
                logDet += ldt;
                DenseCholesky.SolveLower(m, q2, bt, p);
                DenseCholesky.SolveLower(m, q2, byt);
                Accumulate(bt, byt, q2);
                if (keep)
                {
                    m.CopyTo(s.Lt.AsSpan(t * q2 * q2));
                    bt.CopyTo(s.RtX.AsSpan(t * q2 * p));
                    byt.CopyTo(s.Rty.AsSpan(t * q2));
                }
            }
        }

        // R_Xᵀ R_X = XᵀX − R_ZXᵀ R_ZX.
        return Finish(s, rzxRzx, rzxRy, ryry, logDet);

        // Aᵢ = Λ₁ᵀ ZᵢᵀZᵢ Λ₁ + I → Lᵢ (in a); R_iX = Lᵢ⁻¹ Λ₁ᵀ ZᵢᵀXᵢ; r_iy = Lᵢ⁻¹ Λ₁ᵀ Zᵢᵀyᵢ.
        double InnerBlock(int i)
        {
            Sandwich(lam1, _ztz.AsSpan(i * q1 * q1, q1 * q1), q1, a, tmp1);
            for (int d = 0; d < q1; d++) a[d * q1 + d] += 1;
            double ld = DenseCholesky.Factor(a, q1);
            if (double.IsNaN(ld)) return ld;
            LambdaTransposeTimes(lam1, q1, _ztx.AsSpan(i * q1 * p, q1 * p), p, rix);
            DenseCholesky.SolveLower(a, q1, rix, p);
            LambdaTransposeTimes(lam1, q1, _zty.AsSpan(i * q1, q1), 1, riy);
            DenseCholesky.SolveLower(a, q1, riy);
            return ld;
        }

        void Accumulate(double[] rx, double[] ry, int q)
        {
            for (int r = 0; r < q; r++)
            {
                double yr = ry[r];
                ryry += yr * yr;
                for (int c = 0; c < p; c++)
                {
                    double xc = rx[r * p + c];
                    rzxRy[c] += xc * yr;
                    for (int d = 0; d < p; d++) rzxRzx[c * p + d] += xc * rx[r * p + d];
                }
            }
        }

        void KeepInner(int i)
        {
            a.CopyTo(s.Li.AsSpan(i * q1 * q1));
            rix.CopyTo(s.RiX.AsSpan(i * q1 * p));
            riy.CopyTo(s.Riy.AsSpan(i * q1));
        }
    }

    // Random intercepts only (q₁ = 1, q₂ ≤ 1): every block is a scalar, so the factorisation is a few multiplications
    // per unit (the common case: sessions in clients in therapists). Same algebra as the general path.
    private State EvaluateScalar(ReadOnlySpan<double> theta)
    {
        int p = FixedEffectCount;
        double l1 = theta[0], l2 = Q2 == 1 ? theta[1] : 0;
        var s = new State();
        var rzxRzx = new double[p * p];
        var rzxRy = new double[p];
        Span<double> rix = stackalloc double[p];
        Span<double> bt = stackalloc double[p];
        double ryry = 0, logDet = 0;
        var ztx = _ztx.AsSpan();
        int outerCount = Q2 == 1 ? Outer : Inner;
        for (int t = 0; t < outerCount; t++)
        {
            double m = 0, byt = 0;
            int from, to;
            if (Q2 == 1)
            {
                m = l2 * l2 * _wtw[t] + 1;
                byt = l2 * _wty[t];
                for (int c = 0; c < p; c++) bt[c] = l2 * _wtx[t * p + c];
                from = _outerStart[t]; to = _outerStart[t + 1];
            }
            else { from = t; to = t + 1; }
            for (int k = from; k < to; k++)
            {
                int i = Q2 == 1 ? _innerOfOuter[k] : k;
                double a = l1 * l1 * _ztz[i] + 1;
                logDet += Math.Log(a);
                double f = l1 / Math.Sqrt(a);
                var zx = ztx.Slice(i * p, p);
                for (int c = 0; c < p; c++) rix[c] = f * zx[c];
                double riy = f * _zty[i];
                ryry += riy * riy;
                for (int c = 0; c < p; c++)
                {
                    double xc = rix[c];
                    rzxRy[c] += xc * riy;
                    for (int d = 0; d <= c; d++) rzxRzx[c * p + d] += xc * rix[d];
                }
                if (Q2 == 1)
                {
                    double lti = l2 * _wtz[i] * f;
                    m -= lti * lti;
                    for (int c = 0; c < p; c++) bt[c] -= lti * rix[c];
                    byt -= lti * riy;
                }
            }
            if (Q2 == 1)
            {
                if (!(m > 0)) return s;
                logDet += Math.Log(m);
                double inv = 1 / Math.Sqrt(m);
                double rty = byt * inv;
                ryry += rty * rty;
                for (int c = 0; c < p; c++)
                {
                    double xc = bt[c] * inv;
                    rzxRy[c] += xc * rty;
                    for (int d = 0; d <= c; d++) rzxRzx[c * p + d] += xc * bt[d] * inv;
                }
            }
        }
        for (int c = 0; c < p; c++)
            for (int d = 0; d < c; d++) rzxRzx[d * p + c] = rzxRzx[c * p + d];
        return Finish(s, rzxRzx, rzxRy, ryry, logDet);
    }

    private State Finish(State s, double[] rzxRzx, double[] rzxRy, double ryry, double logDet)
    {
        int p = FixedEffectCount;
        var lx = new double[p * p];
        for (int k = 0; k < p * p; k++) lx[k] = _xtx[k] - rzxRzx[k];
        double ldx = DenseCholesky.Factor(lx, p);
        if (double.IsNaN(ldx)) return s;
        var cb = new double[p];
        for (int k = 0; k < p; k++) cb[k] = _xty[k] - rzxRy[k];
        DenseCholesky.SolveLower(lx, p, cb);
        double cbcb = 0;
        foreach (double v in cb) cbcb += v * v;
        var beta = (double[])cb.Clone();
        DenseCholesky.SolveLowerTranspose(lx, p, beta);
        s.LogDetL2 = logDet;
        s.LogDetRX2 = ldx;
        s.Pwrss = Math.Max(_yty - ryry - cbcb, 0);
        s.Beta = beta;
        s.LX = lx;
        s.Ok = s.Pwrss > 0;
        return s;
    }

    // out = Λᵀ S Λ for symmetric S (q × q); tmp holds S Λ.
    private static void Sandwich(double[] lam, ReadOnlySpan<double> sMat, int q, double[] result, double[] tmp)
    {
        for (int r = 0; r < q; r++)
            for (int c = 0; c < q; c++)
            {
                double sum = 0;
                for (int k = c; k < q; k++) sum += sMat[r * q + k] * lam[k * q + c];
                tmp[r * q + c] = sum;
            }
        for (int r = 0; r < q; r++)
            for (int c = 0; c < q; c++)
            {
                double sum = 0;
                for (int k = r; k < q; k++) sum += lam[k * q + r] * tmp[k * q + c];
                result[r * q + c] = sum;
            }
    }

    // out (q × cols) = Λᵀ B for lower-triangular Λ.
    private static void LambdaTransposeTimes(double[] lam, int q, ReadOnlySpan<double> b, int cols, Span<double> result)
    {
        for (int r = 0; r < q; r++)
            for (int c = 0; c < cols; c++)
            {
                double sum = 0;
                for (int k = r; k < q; k++) sum += lam[k * q + r] * b[k * cols + c];
                result[r * cols + c] = sum;
            }
    }

    /// <summary>Profiled deviance (REML or ML) at θ; +∞ where the factorisation fails.</summary>
    public double Deviance(ReadOnlySpan<double> theta, bool reml)
    {
        var s = Evaluate(theta);
        return Deviance(s, reml);
    }

    public double Deviance(State s, bool reml)
    {
        if (!s.Ok) return double.PositiveInfinity;
        int dfRes = reml ? N - FixedEffectCount : N;
        return s.LogDetL2 + (reml ? s.LogDetRX2 : 0) + dfRes * (1 + Math.Log(2 * Math.PI * s.Pwrss / dfRes));
    }

    /// <summary>
    /// The deviance at θ and σ (not profiled over σ), lmerTest's <c>devfun_vp</c>:
    /// log|L|² + r²(θ)/σ² + n log(2πσ²) [+ log|R_X|² − p log(2πσ²) for REML].
    /// </summary>
    public double DevianceAtSigma(ReadOnlySpan<double> theta, double sigma, bool reml)
    {
        var s = Evaluate(theta);
        if (!s.Ok) return double.NaN;
        double s2 = sigma * sigma;
        double dev = s.LogDetL2 + s.Pwrss / s2 + N * Math.Log(2 * Math.PI * s2);
        return reml ? dev + s.LogDetRX2 - FixedEffectCount * Math.Log(2 * Math.PI * s2) : dev;
    }

    /// <summary>(R_Xᵀ R_X)⁻¹ from a state: the fixed-effect covariance divided by σ².</summary>
    public double[] UnscaledCovariance(State s)
    {
        var inv = new double[FixedEffectCount * FixedEffectCount];
        DenseCholesky.Inverse(s.LX, FixedEffectCount, inv);
        return inv;
    }

    /// <summary>
    /// Conditional modes of the spherical random effects u (inner units then outer units, each qₖ long) and, scaled
    /// by σ², the diagonal blocks of their conditional covariance (LLᵀ)⁻¹, from a state evaluated with keep = true.
    /// </summary>
    public (double[] InnerU, double[] OuterU, double[] InnerCov, double[] OuterCov) ConditionalModes(State s)
    {
        int p = FixedEffectCount, q1 = Q1, q2 = Q2;
        var beta = s.Beta;
        var innerU = new double[Inner * q1];
        var outerU = new double[Outer * q2];
        var innerCov = new double[Inner * q1 * q1];
        var outerCov = new double[Outer * q2 * q2];
        var outerInv = new double[q2 * q2];
        for (int t = 0; t < Outer; t++)
        {
            var ut = outerU.AsSpan(t * q2, q2);
            for (int r = 0; r < q2; r++)
            {
                double v = s.Rty![t * q2 + r];
                for (int c = 0; c < p; c++) v -= s.RtX![(t * q2 + r) * p + c] * beta[c];
                ut[r] = v;
            }
            var lt = s.Lt.AsSpan(t * q2 * q2, q2 * q2);
            DenseCholesky.SolveLowerTranspose(lt, q2, ut);
            DenseCholesky.Inverse(lt, q2, outerCov.AsSpan(t * q2 * q2, q2 * q2));
        }
        var col = new double[q1];
        var g = new double[q1 * Math.Max(q2, 1)];
        var outerOf = new int[Inner];
        for (int t = 0; t < Outer; t++)
            for (int k = _outerStart[t]; k < _outerStart[t + 1]; k++) outerOf[_innerOfOuter[k]] = t;
        for (int i = 0; i < Inner; i++)
        {
            var ui = innerU.AsSpan(i * q1, q1);
            int t = Outer > 0 ? outerOf[i] : -1;
            for (int r = 0; r < q1; r++)
            {
                double v = s.Riy![i * q1 + r];
                for (int c = 0; c < p; c++) v -= s.RiX![(i * q1 + r) * p + c] * beta[c];
                if (t >= 0)
                    for (int k = 0; k < q2; k++) v -= s.Lti![(i * q2 + k) * q1 + r] * outerU[t * q2 + k];
                ui[r] = v;
            }
            var li = s.Li.AsSpan(i * q1 * q1, q1 * q1);
            DenseCholesky.SolveLowerTranspose(li, q1, ui);
            var cov = innerCov.AsSpan(i * q1 * q1, q1 * q1);
            DenseCholesky.Inverse(li, q1, cov);
            if (t < 0) continue;
            // + Lᵢ⁻ᵀ Lₜᵢᵀ (LₜLₜᵀ)⁻¹ Lₜᵢ Lᵢ⁻¹: G = Lᵢ⁻ᵀ Lₜᵢᵀ (q1 × q2), column k solves Lᵢᵀ g = row k of Lₜᵢ.
            for (int k = 0; k < q2; k++)
            {
                for (int r = 0; r < q1; r++) col[r] = s.Lti![(i * q2 + k) * q1 + r];
                DenseCholesky.SolveLowerTranspose(li, q1, col);
                for (int r = 0; r < q1; r++) g[r * q2 + k] = col[r];
            }
            var oc = outerCov.AsSpan(t * q2 * q2, q2 * q2);
            for (int r = 0; r < q1; r++)
                for (int c = 0; c < q1; c++)
                {
                    double sum = 0;
                    for (int k = 0; k < q2; k++)
                        for (int l = 0; l < q2; l++) sum += g[r * q2 + k] * oc[k * q2 + l] * g[c * q2 + l];
                    cov[r * q1 + c] += sum;
                }
        }
        return (innerU, outerU, innerCov, outerCov);
    }
}
