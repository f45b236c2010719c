using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Meta;

/// <summary>Cluster-robust (CR2) inference for one coefficient.</summary>
/// <param name="Name">Coefficient.</param>
/// <param name="Estimate">β̂ (unchanged by the robust variance).</param>
/// <param name="StandardError">CR2 standard error.</param>
/// <param name="Statistic">t = β̂/SE.</param>
/// <param name="DegreesOfFreedom">Satterthwaite degrees of freedom.</param>
/// <param name="PValue">Two-sided p value from t with those degrees of freedom.</param>
/// <param name="Interval">Confidence interval.</param>
public sealed record RobustCoefficient(string Name, double Estimate, double StandardError, double Statistic, double DegreesOfFreedom, double PValue, ConfidenceInterval Interval);

/// <summary>
/// The cluster-robust (CR2) Wald test that several coefficients are all zero, with the HTZ small-sample correction
/// (Tipton &amp; Pustejovsky 2015; Pustejovsky &amp; Tipton 2018): Q = (Cβ̂)′(C V_CR2 C′)⁻¹(Cβ̂) for the q tested
/// coefficients; F = δ·Q/q with δ = (η − q + 1)/η, referred to F(q, η − q + 1), where η = q(q + 1)/Σ_{s,t} Var_st is
/// the df of the Hotelling T² approximation matching the total variance of the CR2 estimate under the working model.
/// R: <c>clubSandwich::Wald_test(fit, constraints = constrain_zero(terms), vcov = "CR2", cluster, test = "HTZ")</c>.
/// </summary>
/// <param name="Terms">The coefficients tested.</param>
/// <param name="Q">The Wald statistic Q.</param>
/// <param name="F">δ·Q/q.</param>
/// <param name="Delta">δ = max(0, (η − q + 1)/η).</param>
/// <param name="NumeratorDegreesOfFreedom">q.</param>
/// <param name="DenominatorDegreesOfFreedom">η − q + 1.</param>
/// <param name="PValue">Upper tail of F(q, η − q + 1) (NaN when η − q + 1 ≤ 0).</param>
public sealed record RobustWaldTest(IReadOnlyList<string> Terms, double Q, double F, double Delta, int NumeratorDegreesOfFreedom, double DenominatorDegreesOfFreedom, double PValue);

/// <summary>
/// The bias-reduced linearization (CR2) sandwich estimator with Satterthwaite degrees of freedom (Bell &amp;
/// McCaffrey 2002; Tipton 2015; Pustejovsky &amp; Tipton 2018), for a model fitted by weighted least squares with
/// W = Φ⁻¹ (the model's own marginal covariance Φ as working model). R:
/// <c>metafor::robust(fit, cluster, clubSandwich = TRUE)</c> (clubSandwich's <c>vcovCR(type = "CR2")</c> and
/// <c>coef_test(test = "Satterthwaite")</c>).
/// </summary>
/// <remarks>
/// With M = (X′WX)⁻¹, residuals e and cluster blocks j: A_j = D_j′ B_j^{+½} D_j where Φ_j = D_j′D_j (Cholesky) and
/// B_j = D_j (Φ_j − X_j M X_j′) D_j′ (the simplification of D_j(I − H)_jΦ(I − H)_j′D_j′ when W = Φ⁻¹); the
/// variance is M [Σ_j X_j′W_jA_je_je_j′A_jW_jX_j] M. For a coefficient c′β the Satterthwaite degrees of freedom are
/// (Σ_j p_j′Φp_j)² / Σ_i Σ_j (p_i′Φp_j)² with p_j = (I − H)_j′A_jW_jX_jMc.
/// The work is dense in k (k × k matrices), which is fine for the few hundred effect sizes of a meta-analysis.
/// </remarks>
internal static class ClusterRobust
{
    /// <param name="x">Design (k × p, row-major).</param>
    /// <param name="p">Number of coefficients.</param>
    /// <param name="residuals">y − Xβ̂.</param>
    /// <param name="phi">The model's marginal covariance (k × k).</param>
    /// <param name="clusters">Row indices of each cluster.</param>
    /// <param name="beta">β̂.</param>
    /// <param name="names">Coefficient names.</param>
    /// <param name="level">Confidence level.</param>
    /// <param name="tested">Coefficients of the HTZ Wald test (empty: no test).</param>
    public static (RobustCoefficient[] Coefficients, double[] Covariance, RobustWaldTest? Wald) Compute(ReadOnlySpan<double> x, int p, double[] residuals, Matrix<double> phi, int[][] clusters, double[] beta, IReadOnlyList<string> names, double level, IReadOnlyList<int>? tested = null)
    {
        int k = residuals.Length;
        var X = Matrix<double>.Build.Dense(k, p);
        for (int i = 0; i < k; i++) for (int j = 0; j < p; j++) X[i, j] = x[i * p + j];
        var W = phi.Inverse();
        var M = (X.TransposeThisAndMultiply(W * X)).Inverse();
        var H = X * M * X.Transpose() * W;
        var IminusH = Matrix<double>.Build.DenseIdentity(k) - H;
        var e = Vector<double>.Build.DenseOfArray(residuals);

        var meat = Matrix<double>.Build.Dense(p, p);
        var awx = new Matrix<double>[clusters.Length];  // A_j W_j X_j (m_j × p)
        for (int c = 0; c < clusters.Length; c++)
        {
            var rows = clusters[c];
            var phiJ = Sub(phi, rows, rows);
            var xj = Sub(X, rows);
            var d = phiJ.Cholesky().Factor.Transpose();     // upper: Φ_j = D′D
            var b = d * (phiJ - xj * M * xj.Transpose()) * d.Transpose();
            var a = d.Transpose() * InverseSqrt(b) * d;
            var wj = Sub(W, rows, rows);
            awx[c] = a * wj * xj;
            var ej = Vector<double>.Build.DenseOfEnumerable(rows.Select(i => e[i]));
            var u = awx[c].TransposeThisAndMultiply(ej);        // X_j′W_jA_je_j (A, W symmetric)
            meat += u.OuterProduct(u);
        }
        var vcr = M * meat * M;
        double crit = double.NaN;
        var result = new RobustCoefficient[p];
        var pvs = new Vector<double>[p][];
        for (int j = 0; j < p; j++)
        {
            var cvec = Vector<double>.Build.Dense(p);
            cvec[j] = 1;
            var mc = M * cvec;
            // p_c = (I − H)_c′ A_c W_c X_c M c  (k-vector) for every cluster
            var pv = new Vector<double>[clusters.Length];
            for (int c = 0; c < clusters.Length; c++)
            {
                var rows = clusters[c];
                var inner = awx[c] * mc;                 // m_c
                var sub = Sub(IminusH, rows);            // m_c × k
                pv[c] = sub.TransposeThisAndMultiply(inner);
            }
            pvs[j] = pv;
            var phiP = pv.Select(v => phi * v).ToArray();
            double ev = 0, denom = 0;
            for (int a = 0; a < pv.Length; a++)
            {
                ev += pv[a] * phiP[a];
                for (int b = 0; b < pv.Length; b++)
                {
                    double q = pv[a] * phiP[b];
                    denom += q * q;
                }
            }
            double df = ev * ev / denom;
            double se = Math.Sqrt(vcr[j, j]);
            double t = beta[j] / se;
            crit = Numerics.TailProbabilities.StudentQuantileUpper((1 - level) / 2, df);
            result[j] = new RobustCoefficient(names[j], beta[j], se, t, df, Numerics.TailProbabilities.StudentTwoSided(t, df), new ConfidenceInterval(beta[j] - crit * se, beta[j] + crit * se, level));
        }
        RobustWaldTest? wald = tested is { Count: > 0 } ? Htz(tested, pvs, phi, vcr, beta, names) : null;
        return (result, [.. vcr.ToRowMajorArray()], wald);
    }

    /// <summary>
    /// The HTZ test of <paramref name="tested"/> (clubSandwich's <c>Wald_testing</c> with <c>constrain_zero</c>):
    /// P[s,t,i,j] = p_si′Φp_tj, Ω = Σ_i P[·,·,i,i], B = Ω^{−½}PΩ^{−½}, Var_st = Σ_ij B[s,t,i,j]B[t,s,i,j] + B[s,s,i,j]B[t,t,i,j].
    /// </summary>
    private static RobustWaldTest Htz(IReadOnlyList<int> tested, Vector<double>[][] pvs, Matrix<double> phi, Matrix<double> vcr, double[] beta, IReadOnlyList<string> names)
    {
        int q = tested.Count, J = pvs[tested[0]].Length;
        var P = new double[q, q, J, J];
        for (int s = 0; s < q; s++)
            for (int t = 0; t < q; t++)
            {
                var phiT = pvs[tested[t]].Select(v => phi * v).ToArray();
                for (int i = 0; i < J; i++)
                    for (int j = 0; j < J; j++) P[s, t, i, j] = pvs[tested[s]][i] * phiT[j];
            }
        var omega = Matrix<double>.Build.Dense(q, q);
        for (int s = 0; s < q; s++) for (int t = 0; t < q; t++) for (int i = 0; i < J; i++) omega[s, t] += P[s, t, i, i];
        var on = InverseSqrt(omega);
        var B = new double[q, q, J, J];
        for (int i = 0; i < J; i++)
            for (int j = 0; j < J; j++)
                for (int s = 0; s < q; s++)
                    for (int t = 0; t < q; t++)
                    {
                        double sum = 0;
                        for (int a = 0; a < q; a++) for (int b = 0; b < q; b++) sum += on[s, a] * P[a, b, i, j] * on[b, t];
                        B[s, t, i, j] = sum;
                    }
        double total = 0;
        for (int s = 0; s < q; s++)
            for (int t = 0; t < q; t++)
                for (int i = 0; i < J; i++)
                    for (int j = 0; j < J; j++) total += B[s, t, i, j] * B[t, s, i, j] + B[s, s, i, j] * B[t, t, i, j];
        double eta = q * (q + 1) / total;
        var cb = Vector<double>.Build.Dense(q, s => beta[tested[s]]);
        var cvc = Matrix<double>.Build.Dense(q, q, (s, t) => vcr[tested[s], tested[t]]);
        double wald = cb * cvc.Inverse() * cb;
        double delta = Math.Max((eta - q + 1) / eta, 0), df2 = eta - q + 1, f = delta * wald / q;
        double pValue = df2 > 0 ? Numerics.TailProbabilities.FUpper(f, q, df2) : double.NaN;
        return new RobustWaldTest([.. tested.Select(s => names[s])], wald, f, delta, q, df2, pValue);
    }

    private static Matrix<double> Sub(Matrix<double> m, int[] rows, int[] cols)
    {
        var s = Matrix<double>.Build.Dense(rows.Length, cols.Length);
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < cols.Length; j++) s[i, j] = m[rows[i], cols[j]];
        return s;
    }

    private static Matrix<double> Sub(Matrix<double> m, int[] rows)
    {
        var s = Matrix<double>.Build.Dense(rows.Length, m.ColumnCount);
        for (int i = 0; i < rows.Length; i++) s.SetRow(i, m.Row(rows[i]));
        return s;
    }

    /// <summary>The symmetric inverse square root, with eigenvalues below 1e-12 of the largest treated as 0 (a pseudo-inverse, B^{+½}).</summary>
    private static Matrix<double> InverseSqrt(Matrix<double> b)
    {
        var evd = b.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        double max = values.Max(Math.Abs);
        var d = Matrix<double>.Build.Dense(values.Length, values.Length);
        for (int i = 0; i < values.Length; i++) d[i, i] = values[i] > 1e-12 * max ? 1 / Math.Sqrt(values[i]) : 0;
        return evd.EigenVectors * d * evd.EigenVectors.Transpose();
    }
}
