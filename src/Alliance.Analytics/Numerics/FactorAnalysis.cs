using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

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
/// with <c>rotate = "none"</c>: the uniquenesses ψ are found by bounded quasi-Newton minimisation (ψ_i ∈ [0.005, 1],
/// start 1 − SMC_i), and the loadings follow from the eigen decomposition at the optimum.
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
    public static FactorSolution Fit(double[,] r, int factors = 1, FactorMethod method = FactorMethod.MinimumResidual, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(r);
        int p = r.GetLength(0);
        if (r.GetLength(1) != p) throw new ArgumentException("The matrix must be square.", nameof(r));
        if (factors < 1 || factors >= p) throw new ArgumentOutOfRangeException(nameof(factors), factors, $"Between 1 and {p - 1} factors can be extracted from {p} variables.");
        foreach (double v in r) if (!double.IsFinite(v)) throw new ArgumentException("The matrix has missing or infinite entries.", nameof(r));

        var smc = SymmetricMatrices.SquaredMultipleCorrelations(r);
        double upper = Math.Max(smc.Max(), 1);
        var start = Vector<double>.Build.Dense(p, i => Math.Clamp(r[i, i] - smc[i], MinimumUniqueness, upper));
        var lower = Vector<double>.Build.Dense(p, MinimumUniqueness);
        var upperV = Vector<double>.Build.Dense(p, upper);

        Func<Vector<double>, (double, Vector<double>)> fg = method == FactorMethod.MinimumResidual
            ? psi => MinresCriterion(r, psi, factors)
            : psi => MlCriterion(r, psi, factors);

        var (psiHat, convergence) = Minimise(fg, start, lower, upperV, tolerance);
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
        double objective = fg(psiHat).Item1;
        return new FactorSolution(loadings, psiHat.ToArray(), h2, objective, method, convergence);
    }

    private static (double, Vector<double>) MinresCriterion(double[,] r, Vector<double> psi, int nf)
    {
        int p = r.GetLength(0);
        var a = (double[,])r.Clone();
        for (int i = 0; i < p; i++) a[i, i] -= psi[i];
        var (values, vectors) = SymmetricMatrices.Eigen(a);
        double f = 0;
        for (int k = 0; k < p; k++)
            if (k >= nf || values[k] < 0) f += values[k] * values[k];
        var g = Vector<double>.Build.Dense(p);
        for (int i = 0; i < p; i++)
        {
            double ll = 0;
            for (int k = 0; k < nf; k++) ll += vectors[i, k] * vectors[i, k] * Math.Max(values[k], 0);
            g[i] = ll + psi[i] - r[i, i];
        }
        return (f / 2, g);
    }

    private static double[,] MinresLoadings(double[,] r, Vector<double> psi, int nf)
    {
        int p = r.GetLength(0);
        var a = (double[,])r.Clone();
        for (int i = 0; i < p; i++) a[i, i] -= psi[i];
        var (values, vectors) = SymmetricMatrices.Eigen(a);
        var l = new double[p, nf];
        for (int k = 0; k < nf; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            for (int i = 0; i < p; i++) l[i, k] = vectors[i, k] * s;
        }
        return l;
    }

    private static (double, Vector<double>) MlCriterion(double[,] r, Vector<double> psi, int nf)
    {
        int p = r.GetLength(0);
        var s = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                s[i, j] = r[i, j] / Math.Sqrt(psi[i] * psi[j]);
        var (values, vectors) = SymmetricMatrices.Eigen(s);
        double e = 0;
        for (int k = nf; k < p; k++) e += Math.Log(values[k]) - values[k];
        double f = -(e - nf + p);
        var g = Vector<double>.Build.Dense(p);
        for (int i = 0; i < p; i++)
        {
            double ll = 0;
            for (int k = 0; k < nf; k++) ll += vectors[i, k] * vectors[i, k] * Math.Max(values[k] - 1, 0);
            ll *= psi[i];
            g[i] = (ll + psi[i] - r[i, i]) / (psi[i] * psi[i]);
        }
        return (f, g);
    }

    private static double[,] MlLoadings(double[,] r, Vector<double> psi, int nf)
    {
        int p = r.GetLength(0);
        var s = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                s[i, j] = r[i, j] / Math.Sqrt(psi[i] * psi[j]);
        var (values, vectors) = SymmetricMatrices.Eigen(s);
        var l = new double[p, nf];
        for (int k = 0; k < nf; k++)
        {
            double sc = Math.Sqrt(Math.Max(values[k] - 1, 0));
            for (int i = 0; i < p; i++) l[i, k] = Math.Sqrt(psi[i]) * vectors[i, k] * sc;
        }
        return l;
    }

    /// <summary>Bounded quasi-Newton minimisation (MathNet's BFGS-B) with a check of the projected gradient.</summary>
    private static (Vector<double> Psi, Convergence Convergence) Minimise(Func<Vector<double>, (double, Vector<double>)> fg,
        Vector<double> start, Vector<double> lower, Vector<double> upper, double tolerance)
    {
        var objective = ObjectiveFunction.Gradient(fg);
        var minimizer = new BfgsBMinimizer(tolerance, 1e-14, 1e-16, 2000);
        var result = minimizer.FindMinimum(objective, lower, upper, start);
        var psi = result.MinimizingPoint;
        double change = ProjectedGradientNorm(fg(psi).Item2, psi, lower, upper);
        bool converged = change <= Math.Sqrt(tolerance);
        return (psi, new Convergence(converged, result.Iterations, change, Math.Sqrt(tolerance),
            converged ? "projected gradient below tolerance" : "BFGS-B stopped: " + result.ReasonForExit));
    }

    private static double ProjectedGradientNorm(Vector<double> g, Vector<double> x, Vector<double> lower, Vector<double> upper)
    {
        double max = 0;
        for (int i = 0; i < g.Count; i++)
        {
            double gi = g[i];
            if (x[i] <= lower[i] + 1e-12 && gi > 0) gi = 0;
            if (x[i] >= upper[i] - 1e-12 && gi < 0) gi = 0;
            max = Math.Max(max, Math.Abs(gi));
        }
        return max;
    }
}
