namespace Alliance.Analytics.Numerics;

/// <summary>
/// Finite-difference derivatives for fits whose analytic second derivatives are impractical: the Hessian of a
/// function from its analytic gradient by central differences, symmetrised (the observed information of a marginal
/// likelihood whose gradient comes from Fisher's identity).
/// </summary>
public static partial class NumericalDerivatives
{
    /// <summary>
    /// Hessian H_ij ≈ (g_i(x + h_j e_j) − g_i(x − h_j e_j)) / (2 h_j), then (H + Hᵀ)/2, with h_j =
    /// <paramref name="relativeStep"/> · max(1, |x_j|). Error O(h²); 2·n gradient evaluations, run in parallel
    /// (each evaluation gets its own copy of x; results do not depend on scheduling).
    /// </summary>
    /// <param name="gradient">Gradient of the function at a point (must not modify its argument).</param>
    /// <param name="x">The point.</param>
    /// <param name="relativeStep">Relative step (default 1e-4: balances truncation and rounding for a smooth gradient).</param>
    /// <param name="parallel">Evaluate the columns in parallel.</param>
    /// <param name="cancellationToken">Cancels between evaluations.</param>
    public static double[,] HessianFromGradient(Func<double[], double[]> gradient, ReadOnlySpan<double> x, double relativeStep = 1e-4,
        bool parallel = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        int n = x.Length;
        var x0 = x.ToArray();
        var columns = new double[n][];
        void Column(int j)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double h = relativeStep * Math.Max(1, Math.Abs(x0[j]));
            var xp = (double[])x0.Clone();
            var xm = (double[])x0.Clone();
            xp[j] += h;
            xm[j] -= h;
            var gp = gradient(xp);
            var gm = gradient(xm);
            var col = new double[n];
            double denom = xp[j] - xm[j];
            for (int i = 0; i < n; i++) col[i] = (gp[i] - gm[i]) / denom;
            columns[j] = col;
        }
        if (parallel) Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, Column);
        else for (int j = 0; j < n; j++) Column(j);
        var hessian = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                hessian[i, j] = 0.5 * (columns[j][i] + columns[i][j]);
        return hessian;
    }
}
