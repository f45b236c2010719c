namespace Alliance.Analytics.Numerics;

/// <summary>How common factors are extracted.</summary>
public enum FactorMethod
{
    /// <summary>
    /// Minimum residual (unweighted least squares): minimise the sum of squared off-diagonal residuals
    /// Σ_{i&lt;j} (r_ij − Σ_k λ_ik λ_jk)². psych's default, <c>fa(r, fm = "minres")</c> (Harman &amp; Jones 1966).
    /// </summary>
    MinimumResidual,

    /// <summary>
    /// Maximum likelihood: minimise log|Σ| + tr(Σ⁻¹R) − log|R| − p with Σ = ΛΛ′ + Ψ (Jöreskog 1967).
    /// <c>fa(r, fm = "ml")</c>.
    /// </summary>
    MaximumLikelihood,
}

/// <summary>
/// An unrotated common-factor solution of a correlation matrix.
/// </summary>
/// <param name="Loadings">p × f loadings Λ; each column's sum is made non-negative (psych's sign convention).</param>
/// <param name="Uniquenesses">ψ_i, the fitted unique variances (bounded below by 0.005, as psych does).</param>
/// <param name="Communalities">h²_i = Σ_k λ_ik², the variance each variable shares with the factors.</param>
/// <param name="Objective">The minimised criterion (minres: ½ Σ squared residuals; ML: the discrepancy function).</param>
/// <param name="Method">Extraction method.</param>
/// <param name="Convergence">How the optimisation over the uniquenesses ended.</param>
public sealed record FactorSolution(double[,] Loadings, double[] Uniquenesses, double[] Communalities, double Objective,
    FactorMethod Method, Convergence Convergence)
{
    /// <summary>Number of factors.</summary>
    public int Factors => Loadings.GetLength(1);
}

/// <summary>
/// Common factor analysis of a correlation matrix by minimum residual or maximum likelihood, as psych's <c>fa</c>
/// with <c>rotate = "none"</c>: the uniquenesses ψ are found by bounded Newton minimisation (ψ_i ∈ [0.005, 1],
/// start 1 − SMC_i; exact Hessian for minres, BFGS for ML), and the loadings follow from the eigen decomposition at the optimum.
/// </summary>
/// <remarks>
/// For minres the criterion at ψ is F(ψ) = ½‖R − diag ψ − ΛΛ′‖² with Λ the top-f eigenpairs of R − diag ψ (negative
/// eigenvalues clipped at 0); its gradient is diag(ΛΛ′ + ψ − R), which vanishes where the diagonal is fitted exactly,
/// so the minimiser also minimises the off-diagonal residuals psych reports. For ML the criterion is psych's
/// <c>FAfn</c>, −Σ_{k&gt;f}(log e_k − e_k) − f + p with e the eigenvalues of ψ^{-½} R ψ^{-½}, and gradient
/// diag(ΛΛ′ + ψ − R)/ψ². References: Harman &amp; Jones (1966); Jöreskog (1967); Revelle, psych::fa.
/// </remarks>
public static class FactorAnalysis
{
    /// <summary>Lower bound of a uniqueness (psych's).</summary>
    public const double MinimumUniqueness = 0.005;

    /// <summary>
    /// Extracts <paramref name="factors"/> common factors of the correlation matrix <paramref name="r"/>.
    /// R: <c>psych::fa(r, nfactors, fm = "minres" | "ml", rotate = "none")</c>.
    /// </summary>
    /// <exception cref="ArgumentException">When the matrix is not square, has missing entries, or has fewer than
    /// <paramref name="factors"/> + 1 variables.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled (checked every iteration).</exception>
    public static FactorSolution Fit(double[,] r, int factors = 1, FactorMethod method = FactorMethod.MinimumResidual, double tolerance = 1e-9,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        int p = r.GetLength(0);
        if (r.GetLength(1) != p) throw new ArgumentException("The matrix must be square.", nameof(r));
        if (factors < 1 || factors >= p) throw new ArgumentOutOfRangeException(nameof(factors), factors, $"Between 1 and {p - 1} factors can be extracted from {p} variables.");
        foreach (double v in r) if (!double.IsFinite(v)) throw new ArgumentException("The matrix has missing or infinite entries.", nameof(r));

        var smc = SymmetricMatrices.SquaredMultipleCorrelations(r);
        double upper = Math.Max(smc.Max(), 1);
        var start = new double[p];
        for (int i = 0; i < p; i++) start[i] = r[i, i] - smc[i];
        var lower = Enumerable.Repeat(MinimumUniqueness, p).ToArray();
        var upperV = Enumerable.Repeat(upper, p).ToArray();

        BoundedMinimizer.Objective objective = method == FactorMethod.MinimumResidual
            ? (psi, g, h) => MinresCriterion(r, psi, factors, g, h)
            : (psi, g, _) => MlCriterion(r, psi, factors, g);
        var (psiHat, objectiveValue, convergence) = BoundedMinimizer.Minimise(objective, start, lower, upperV,
            exactHessian: method == FactorMethod.MinimumResidual, tolerance, cancellationToken: cancellationToken);
        var loadings = method == FactorMethod.MinimumResidual ? MinresLoadings(r, psiHat, factors) : MlLoadings(r, psiHat, factors);
        // psych: make each factor's loadings sum to a non-negative number.
        for (int k = 0; k < factors; k++)
        {
            double s = 0;
            for (int i = 0; i < p; i++) s += loadings[i, k];
            if (s < 0) for (int i = 0; i < p; i++) loadings[i, k] = -loadings[i, k];
        }
        var h2 = new double[p];
        for (int i = 0; i < p; i++)
            for (int k = 0; k < factors; k++) h2[i] += loadings[i, k] * loadings[i, k];
        return new FactorSolution(loadings, psiHat, h2, objectiveValue, method, convergence);
    }

    /// <summary>
    /// ½‖R − ψ − ΛΛ′‖² with its gradient diag(ΛΛ′ + ψ − R) and exact Hessian
    /// H_ij = δ_ij − P²_ij − 2 Σ_{f∈T} Σ_{k∉T} λ_f/(λ_f − λ_k) v_fi v_fj v_ki v_kj, from first-order eigen perturbation
    /// (T the retained factors with positive eigenvalues, P = Σ_{f∈T} v_f v_f′).
    /// </summary>
    private static double MinresCriterion(double[,] r, double[] psi, int nf, double[] g, double[,]? h)
    {
        int p = r.GetLength(0);
        var (values, v) = SymmetricMatrices.Eigen(Reduced(r, psi));
        int t = 0;
        while (t < nf && values[t] > 0) t++;
        double f = 0;
        for (int k = t; k < p; k++) f += values[k] * values[k];
        for (int i = 0; i < p; i++)
        {
            double ll = 0;
            for (int k = 0; k < t; k++) ll += v[i, k] * v[i, k] * values[k];
            g[i] = ll + psi[i] - r[i, i];
        }
        if (h is not null)
        {
            for (int i = 0; i < p; i++)
                for (int j = 0; j <= i; j++)
                {
                    double proj = 0, cross = 0;
                    for (int fct = 0; fct < t; fct++)
                    {
                        proj += v[i, fct] * v[j, fct];
                        double vv = v[i, fct] * v[j, fct], inner = 0;
                        for (int k = t; k < p; k++) inner += v[i, k] * v[j, k] / (values[fct] - values[k]);
                        cross += values[fct] * vv * inner;
                    }
                    double hij = (i == j ? 1 : 0) - proj * proj - 2 * cross;
                    h[i, j] = h[j, i] = hij;
                }
        }
        return f / 2;
    }

    /// <summary>The reduced matrix R − diag ψ.</summary>
    private static double[,] Reduced(double[,] r, double[] psi)
    {
        var a = (double[,])r.Clone();
        for (int i = 0; i < psi.Length; i++) a[i, i] -= psi[i];
        return a;
    }

    /// <summary>ψ^{-½} R ψ^{-½}.</summary>
    private static double[,] Scaled(double[,] r, double[] psi)
    {
        int p = r.GetLength(0);
        var s = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                s[i, j] = r[i, j] / Math.Sqrt(psi[i] * psi[j]);
        return s;
    }

    private static double[,] MinresLoadings(double[,] r, double[] psi, int nf)
    {
        int p = r.GetLength(0);
        var (values, vectors) = SymmetricMatrices.Eigen(Reduced(r, psi));
        var l = new double[p, nf];
        for (int k = 0; k < nf; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            for (int i = 0; i < p; i++) l[i, k] = vectors[i, k] * s;
        }
        return l;
    }

    private static double MlCriterion(double[,] r, double[] psi, int nf, double[] g)
    {
        int p = r.GetLength(0);
        var (values, vectors) = SymmetricMatrices.Eigen(Scaled(r, psi));
        double e = 0;
        for (int k = nf; k < p; k++) e += Math.Log(values[k]) - values[k];
        for (int i = 0; i < p; i++)
        {
            double ll = 0;
            for (int k = 0; k < nf; k++) ll += vectors[i, k] * vectors[i, k] * Math.Max(values[k] - 1, 0);
            ll *= psi[i];
            g[i] = (ll + psi[i] - r[i, i]) / (psi[i] * psi[i]);
        }
        return -(e - nf + p);
    }

    private static double[,] MlLoadings(double[,] r, double[] psi, int nf)
    {
        int p = r.GetLength(0);
        var (values, vectors) = SymmetricMatrices.Eigen(Scaled(r, psi));
        var l = new double[p, nf];
        for (int k = 0; k < nf; k++)
        {
            double sc = Math.Sqrt(Math.Max(values[k] - 1, 0));
            for (int i = 0; i < p; i++) l[i, k] = Math.Sqrt(psi[i]) * vectors[i, k] * sc;
        }
        return l;
    }
}
