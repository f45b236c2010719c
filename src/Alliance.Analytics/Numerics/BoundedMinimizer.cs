namespace Alliance.Analytics.Numerics;

/// <summary>
/// Minimises a smooth function of a few variables (up to a hundred or so) subject to box constraints
/// l ≤ x ≤ u, by projected Newton (Bertsekas 1982): variables at a bound whose gradient pushes outward are held,
/// the others take a (Levenberg-damped) Newton step with the exact Hessian when the caller supplies one, or a BFGS
/// approximation, along a projected Armijo line search. Stops when the largest projected gradient component is below
/// the tolerance. Used for the uniquenesses of factor models, where it converges in a handful of iterations.
/// </summary>
internal static class BoundedMinimizer
{
    /// <summary>
    /// The objective: returns f(x), writes the gradient, and writes the Hessian when <paramref name="hessian"/> is
    /// not null (callers without one return false from <see cref="Minimise"/>'s <c>exactHessian</c>).
    /// </summary>
    public delegate double Objective(double[] x, double[] gradient, double[,]? hessian);

    public static (double[] X, double F, Convergence Convergence) Minimise(Objective objective, double[] start, double[] lower, double[] upper,
        bool exactHessian, double tolerance = 1e-10, int maxIterations = 500, CancellationToken cancellationToken = default)
    {
        int n = start.Length;
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(start[i], lower[i], upper[i]);
        var g = new double[n];
        var h = new double[n, n];
        for (int i = 0; i < n; i++) h[i, i] = 1;
        double f = objective(x, g, exactHessian ? h : null);
        var xNew = new double[n];
        var gNew = new double[n];
        var hNew = exactHessian ? new double[n, n] : null;
        var free = new bool[n];
        var d = new double[n];
        double pg = double.NaN;
        for (int iter = 0; iter < maxIterations; iter++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pg = 0;
            for (int i = 0; i < n; i++)
            {
                bool atLower = x[i] <= lower[i] && g[i] > 0, atUpper = x[i] >= upper[i] && g[i] < 0;
                free[i] = !(atLower || atUpper);
                if (free[i]) pg = Math.Max(pg, Math.Abs(g[i]));
            }
            if (pg < tolerance) return (x, f, new Convergence(true, iter, pg, tolerance, "projected gradient below tolerance"));

            if (!NewtonDirection(h, g, free, d)) for (int i = 0; i < n; i++) d[i] = free[i] ? g[i] : 0;
            double slope = 0;
            for (int i = 0; i < n; i++) slope += g[i] * d[i];
            if (!(slope > 0)) { for (int i = 0; i < n; i++) d[i] = free[i] ? g[i] : 0; }

            double step = 1, fNew = double.NaN;
            bool accepted = false;
            for (int ls = 0; ls < 60; ls++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double decrease = 0;
                for (int i = 0; i < n; i++)
                {
                    xNew[i] = Math.Clamp(x[i] - step * d[i], lower[i], upper[i]);
                    decrease += g[i] * (x[i] - xNew[i]);
                }
                fNew = objective(xNew, gNew, hNew);
                if (fNew <= f - 1e-4 * decrease || (decrease <= 0 && fNew <= f)) { accepted = true; break; }
                step /= 2;
            }
            if (!accepted) return (x, f, new Convergence(pg < Math.Sqrt(tolerance), iter, pg, tolerance, "line search could not decrease the criterion"));

            double moved = 0;
            for (int i = 0; i < n; i++) moved = Math.Max(moved, Math.Abs(xNew[i] - x[i]) / (1 + Math.Abs(x[i])));
            if (moved < 1e-15 && f - fNew <= 1e-15 * Math.Abs(f))
                return (x, f, new Convergence(pg < 1e3 * tolerance, iter, pg, tolerance, "no further progress at machine precision"));
            if (exactHessian) Array.Copy(hNew!, h, hNew!.Length);
            else BfgsUpdate(h, x, xNew, g, gNew);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
        }
        return (x, f, new Convergence(false, maxIterations, pg, tolerance, "iteration limit reached"));
    }

    /// <summary>Solves (H_FF + μI) d_F = g_F by Cholesky (<see cref="DenseCholesky"/>), raising μ until H_FF + μI is positive definite.</summary>
    private static bool NewtonDirection(double[,] h, double[] g, bool[] free, double[] d)
    {
        var idx = Enumerable.Range(0, g.Length).Where(i => free[i]).ToArray();
        int m = idx.Length;
        Array.Clear(d);
        if (m == 0) return true;
        double scale = 0;
        foreach (int i in idx) scale = Math.Max(scale, Math.Abs(h[i, i]));
        if (!(scale > 0) || !double.IsFinite(scale)) return false;
        var l = new double[m * m];
        var y = new double[m];
        for (double mu = 0; mu <= 1e6 * scale; mu = mu == 0 ? 1e-8 * scale : mu * 10)
        {
            for (int a = 0; a < m; a++)
                for (int b = 0; b < m; b++)
                    l[a * m + b] = h[idx[a], idx[b]] + (a == b ? mu : 0);
            if (double.IsNaN(DenseCholesky.Factor(l, m))) continue;
            for (int a = 0; a < m; a++) y[a] = g[idx[a]];
            DenseCholesky.SolveLower(l, m, y);
            DenseCholesky.SolveLowerTranspose(l, m, y);
            for (int a = 0; a < m; a++) d[idx[a]] = y[a];
            return true;
        }
        return false;
    }

    private static void BfgsUpdate(double[,] b, double[] x, double[] xNew, double[] g, double[] gNew)
    {
        int n = x.Length;
        var s = new double[n];
        var y = new double[n];
        double sy = 0;
        for (int i = 0; i < n; i++) { s[i] = xNew[i] - x[i]; y[i] = gNew[i] - g[i]; sy += s[i] * y[i]; }
        if (!(sy > 1e-12)) return;
        var bs = new double[n];
        double sbs = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) bs[i] += b[i, j] * s[j];
            sbs += s[i] * bs[i];
        }
        if (!(sbs > 0)) return;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                b[i, j] += y[i] * y[j] / sy - bs[i] * bs[j] / sbs;
    }
}
