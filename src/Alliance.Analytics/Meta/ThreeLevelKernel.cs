using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Meta;

/// <summary>
/// REML for the three-level model yᵢⱼ = xᵢⱼ′β + uⱼ + wᵢⱼ + εᵢⱼ with uⱼ ~ N(0, σ²₁) between clusters (studies),
/// wᵢⱼ ~ N(0, σ²₂) between effect sizes within a cluster and εᵢⱼ ~ N(0, vᵢⱼ): the model of
/// <c>rma.mv(yi, vi, random = ~ 1 | study/es_id)</c>. The marginal covariance is block-diagonal by cluster,
/// Vⱼ = diag(vᵢ + σ²₂) + σ²₁11′, so every inverse, determinant and trace is computed block by block with the
/// Sherman–Morrison formula in O(kp²): no k × k matrix is formed.
/// </summary>
/// <remarks>
/// With P = V⁻¹ − V⁻¹X(X′V⁻¹X)⁻¹X′V⁻¹, V₁ = ZZ′ (Z the cluster indicators) and V₂ = I, the REML score is
/// gᵣ = ½(y′PVᵣPy − tr(PVᵣ)) and the expected information Iᵣₛ = ½tr(PVᵣPVₛ) (Harville 1977). Fisher scoring
/// steps are clipped at the boundary σ² = 0 (a component at 0 whose score is negative stays there) and halved
/// until the restricted likelihood does not fall.
/// </remarks>
internal sealed class ThreeLevelKernel
{
    private readonly double[] _y, _v, _x;
    private readonly int _k, _p;
    private readonly int[][] _blocks;
    private readonly double[] _a, _b, _py, _c, _xtvy, _beta;

    public ThreeLevelKernel(double[] y, double[] v, double[] x, int p, int[][] blocks)
    {
        _y = y; _v = v; _x = x; _p = p; _k = y.Length; _blocks = blocks;
        _a = new double[_k];
        _b = new double[_k * p];
        _py = new double[_k];
        _c = new double[p * p];
        _xtvy = new double[p];
        _beta = new double[p];
    }

    public int K => _k;
    public int CoefficientCount => _p;
    public int Clusters => _blocks.Length;

    /// <summary>What one evaluation at (σ²₁, σ²₂) gives.</summary>
    internal readonly record struct Evaluation(double LogLik, double G1, double G2, double I11, double I12, double I22, double[] Beta, double[] Covariance);

    /// <summary>
    /// Evaluates the REML log-likelihood (metafor's, with the ½log|X′X| term), its score and expected information at
    /// (σ²₁, σ²₂), and β̂ with its covariance (X′V⁻¹X)⁻¹.
    /// </summary>
    public Evaluation Evaluate(double s1, double s2, bool derivatives = true)
    {
        int p = _p;
        var xtvx = new double[p * p];
        Array.Clear(_xtvy);
        double logDetV = 0;
        Span<double> sumBa = stackalloc double[p];
        // Pass 1: a = v + σ²₂, B = V⁻¹X block by block, X′V⁻¹X, X′V⁻¹y, log|V|.
        foreach (var block in _blocks)
        {
            double sInv = 0;
            foreach (int i in block) { _a[i] = _v[i] + s2; sInv += 1 / _a[i]; logDetV += Math.Log(_a[i]); }
            logDetV += Math.Log(1 + s1 * sInv);
            double gamma = s1 / (1 + s1 * sInv);
            sumBa.Clear();
            foreach (int i in block)
                for (int c = 0; c < p; c++) sumBa[c] += _x[i * p + c] / _a[i];
            double yA = 0;
            foreach (int i in block) yA += _y[i] / _a[i];
            foreach (int i in block)
            {
                double ia = 1 / _a[i];
                for (int c = 0; c < p; c++) _b[i * p + c] = _x[i * p + c] * ia - gamma * sumBa[c] * ia;
                for (int c = 0; c < p; c++)
                {
                    _xtvy[c] += _b[i * p + c] * _y[i];
                    for (int d = 0; d < p; d++) xtvx[c * p + d] += _x[i * p + d] * _b[i * p + c];
                }
            }
        }
        Array.Copy(xtvx, _c, p * p);
        double logDetXVX = DenseCholesky.Factor(xtvx, p);
        if (!WeightedLeastSquares.InvertSymmetric(_c, p)) throw new AllianceInputException("the moderators are collinear: the model matrix is singular.");
        WeightedLeastSquares.Multiply(_c, _xtvy, _beta, p);

        // Py = V⁻¹(y − Xβ̂) block by block; y′Py = r′V⁻¹r.
        double yPy = 0;
        foreach (var block in _blocks)
        {
            double sInv = 0, rA = 0;
            foreach (int i in block) { sInv += 1 / _a[i]; rA += Residual(i) / _a[i]; }
            double gamma = s1 / (1 + s1 * sInv);
            foreach (int i in block)
            {
                double r = Residual(i);
                _py[i] = r / _a[i] - gamma * rA / _a[i];
                yPy += r * _py[i];
            }
        }
        var onesX = new double[p * p];
        WeightedLeastSquares.CrossProduct(_x, p, Ones(), onesX);
        double logDetXX = DenseCholesky.Factor(onesX, p);
        double ll = -0.5 * (_k - p) * Math.Log(2 * Math.PI) + 0.5 * logDetXX - 0.5 * logDetV - 0.5 * logDetXVX - 0.5 * yPy;
        var cov = (double[])_c.Clone();
        if (!derivatives) return new Evaluation(ll, 0, 0, 0, 0, 0, (double[])_beta.Clone(), cov);

        // Pass 2: traces for the score and information.
        var btb = new double[p * p];          // B′B
        var btvb = new double[p * p];         // B′V⁻¹B
        var gz = new double[p * p];           // Σ z zᵀ, z = Σ_block B
        double trVinv = 0, normVinv2 = 0, sumD = 0, sumD2 = 0, sumU2 = 0, yPV1Py = 0, yPV2Py = 0;
        var zs = new double[_blocks.Length * p];
        var hs = new double[_blocks.Length * p];
        var ds = new double[_blocks.Length];
        Span<double> ba = stackalloc double[p];
        for (int s = 0; s < _blocks.Length; s++)
        {
            var block = _blocks[s];
            double sInv = 0, sInv2 = 0, sInv3 = 0, pySum = 0;
            foreach (int i in block) { double ia = 1 / _a[i]; sInv += ia; sInv2 += ia * ia; sInv3 += ia * ia * ia; pySum += _py[i]; }
            double gamma = s1 / (1 + s1 * sInv);
            double scale = 1 / (1 + s1 * sInv);
            trVinv += sInv - gamma * sInv2;
            normVinv2 += sInv2 - 2 * gamma * sInv3 + gamma * gamma * sInv2 * sInv2;
            double d = sInv * scale;
            ds[s] = d;
            sumD += d;
            sumD2 += d * d;
            sumU2 += sInv2 * scale * scale;
            yPV1Py += pySum * pySum;
            ba.Clear();
            foreach (int i in block)
            {
                double ia = 1 / _a[i];
                yPV2Py += _py[i] * _py[i];
                for (int c = 0; c < p; c++)
                {
                    double bic = _b[i * p + c];
                    zs[s * p + c] += bic;
                    hs[s * p + c] += ia * scale * bic;
                    ba[c] += bic * ia;
                    for (int e = 0; e < p; e++)
                    {
                        btb[c * p + e] += bic * _b[i * p + e];
                        btvb[c * p + e] += bic * _b[i * p + e] * ia;
                    }
                }
            }
            for (int c = 0; c < p; c++)
                for (int e = 0; e < p; e++) btvb[c * p + e] -= gamma * ba[c] * ba[e];
            for (int c = 0; c < p; c++)
                for (int e = 0; e < p; e++) gz[c * p + e] += zs[s * p + c] * zs[s * p + e];
        }
        double trP = trVinv - TraceProduct(_c, btb, p);
        double trPV1 = sumD - TraceProduct(_c, gz, p);
        // ‖Z′PZ‖² = Σd² − 2Σ d zᵀCz + tr(C Gz C Gz)
        double zpz = sumD2 + TraceOfSquare(_c, gz, p);
        // ‖PZ‖² = Σ_s [‖V⁻¹1ₛ‖² − 2 hₛᵀC zₛ + zₛᵀ C B′B C zₛ]
        double pz = sumU2;
        var cbtbc = Multiply3(_c, btb, _c, p);
        for (int s = 0; s < _blocks.Length; s++)
        {
            var z = zs.AsSpan(s * p, p);
            var h = hs.AsSpan(s * p, p);
            zpz -= 2 * ds[s] * WeightedLeastSquares.Quadratic(_c, z, p);
            pz += -2 * Bilinear(h, _c, z, p) + WeightedLeastSquares.Quadratic(cbtbc, z, p);
        }
        double pp = normVinv2 - 2 * TraceProduct(_c, btvb, p) + TraceOfSquare(_c, btb, p);
        return new Evaluation(ll,
            0.5 * (yPV1Py - trPV1), 0.5 * (yPV2Py - trP),
            0.5 * zpz, 0.5 * pz, 0.5 * pp, (double[])_beta.Clone(), cov);
    }

    private double Residual(int i) => _y[i] - WeightedLeastSquares.Fitted(_x, _p, i, _beta);

    private double[] Ones()
    {
        var o = new double[_k];
        Array.Fill(o, 1.0);
        return o;
    }

    /// <summary>
    /// Maximizes the restricted likelihood by Fisher scoring from <paramref name="start"/>. A component listed in
    /// <paramref name="fixedComponent"/> (0 or 1) is held at its start value (for profile likelihoods).
    /// </summary>
    public (double S1, double S2, Evaluation Eval, int Iterations, bool Converged, double Change) Maximize((double S1, double S2) start, int fixedComponent = -1, double tolerance = 1e-10, int maxIterations = 500)
    {
        double s1 = start.S1, s2 = start.S2;
        var e = Evaluate(s1, s2);
        double lastChange = double.NaN;
        for (int iter = 1; iter <= maxIterations; iter++)
        {
            bool free1 = fixedComponent != 0 && (s1 > 0 || e.G1 > 0);
            bool free2 = fixedComponent != 1 && (s2 > 0 || e.G2 > 0);
            double d1 = 0, d2 = 0;
            if (free1 && free2)
            {
                double det = e.I11 * e.I22 - e.I12 * e.I12;
                if (det > 0)
                {
                    d1 = (e.I22 * e.G1 - e.I12 * e.G2) / det;
                    d2 = (e.I11 * e.G2 - e.I12 * e.G1) / det;
                }
                else { d1 = e.G1 / e.I11; d2 = e.G2 / e.I22; }
            }
            else if (free1) d1 = e.G1 / e.I11;
            else if (free2) d2 = e.G2 / e.I22;
            double step = 1;
            Evaluation next = e;
            double n1 = s1, n2 = s2;
            bool accepted = false;
            for (int half = 0; half < 40; half++)
            {
                n1 = Math.Max(0, s1 + step * d1);
                n2 = Math.Max(0, s2 + step * d2);
                next = Evaluate(n1, n2);
                if (next.LogLik >= e.LogLik - 1e-12 * Math.Abs(e.LogLik)) { accepted = true; break; }
                step /= 2;
            }
            // Every halving lowered the likelihood: the step shrank to ~2⁻³⁹ and its "change" would pass the tolerance
            // test, so stop here (at the last accepted point) and say the fit did not converge.
            if (!accepted) return (s1, s2, e, iter, false, lastChange);
            double change = Math.Max(Math.Abs(n1 - s1), Math.Abs(n2 - s2));
            s1 = n1; s2 = n2; e = next;
            lastChange = change;
            if (change <= tolerance * Math.Max(1, Math.Max(s1, s2))) return (s1, s2, e, iter, true, change);
        }
        return (s1, s2, e, maxIterations, false, lastChange);
    }

    private static double TraceProduct(double[] a, double[] b, int p) => WeightedLeastSquares.TraceOfProduct(a, b, p);

    /// <summary>tr((A G)²).</summary>
    private static double TraceOfSquare(double[] a, double[] g, int p)
    {
        var ag = new double[p * p];
        WeightedLeastSquares.MultiplySquare(a, g, ag, p);
        return TraceProduct(ag, ag, p);
    }

    private static double[] Multiply3(double[] a, double[] b, double[] c, int p)
    {
        var ab = new double[p * p];
        var abc = new double[p * p];
        WeightedLeastSquares.MultiplySquare(a, b, ab, p);
        WeightedLeastSquares.MultiplySquare(ab, c, abc, p);
        return abc;
    }

    private static double Bilinear(ReadOnlySpan<double> h, double[] c, ReadOnlySpan<double> z, int p) => WeightedLeastSquares.Bilinear(h, c, z, p);
}
