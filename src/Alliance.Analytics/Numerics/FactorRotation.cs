using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Numerics;

/// <summary>An oblique rotation: the pattern loadings, the factor correlations and how the iteration ended.</summary>
/// <param name="Pattern">p × f rotated (pattern) loadings.</param>
/// <param name="FactorCorrelations">f × f correlations of the rotated factors (Φ = T′T).</param>
/// <param name="Convergence">How the gradient-projection iteration ended.</param>
public sealed record ObliqueRotation(double[,] Pattern, double[,] FactorCorrelations, Convergence Convergence);

/// <summary>
/// Factor rotations used by ω hierarchical: Kaiser's varimax (as R's <c>stats::varimax</c>) and the oblimin family
/// by Jennrich's (2002) gradient projection algorithm (as <c>GPArotation::oblimin</c>, i.e. <c>GPFoblq</c>).
/// </summary>
public static class FactorRotation
{
    /// <summary>
    /// Varimax rotation with Kaiser normalisation, exactly as R's <c>stats::varimax(x, normalize = TRUE, eps)</c>:
    /// rows are scaled to unit length, the rotation is updated from the SVD of the varimax gradient until the
    /// criterion grows by less than a factor 1 + eps, and rows are scaled back (Kaiser 1958).
    /// </summary>
    public static double[,] Varimax(double[,] loadings, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(loadings);
        int p = loadings.GetLength(0), nc = loadings.GetLength(1);
        if (nc < 2) return (double[,])loadings.Clone();
        var x = Matrix<double>.Build.DenseOfArray(loadings);
        var sc = Vector<double>.Build.Dense(p, i => Math.Sqrt(x.Row(i).DotProduct(x.Row(i))));
        for (int i = 0; i < p; i++) x.SetRow(i, x.Row(i) / sc[i]);
        var tt = Matrix<double>.Build.DenseIdentity(nc);
        double d = 0;
        for (int iter = 0; iter < 1000; iter++)
        {
            var z = x * tt;
            var z2 = z.PointwisePower(2);
            var colMeans = Vector<double>.Build.Dense(nc, j => z2.Column(j).Sum() / p);
            var inner = z.PointwisePower(3) - z * Matrix<double>.Build.DenseOfDiagonalVector(colMeans);
            var b = x.TransposeThisAndMultiply(inner);
            var svd = b.Svd(true);
            tt = svd.U * svd.VT;
            double dpast = d;
            d = svd.S.Sum();
            if (d < dpast * (1 + eps)) break;
        }
        var result = x * tt;
        for (int i = 0; i < p; i++) result.SetRow(i, result.Row(i) * sc[i]);
        return result.ToArray();
    }

    /// <summary>
    /// Oblimin rotation (γ = 0: quartimin, the default of <c>GPArotation::oblimin</c> and of psych's ω) by the
    /// gradient projection algorithm for oblique rotations (Jennrich 2002; Bernaards &amp; Jennrich 2005), starting
    /// from the identity. The criterion is Σ (L² ∘ (L² N))/4 with N the off-diagonal ones matrix (γ ≠ 0 centres
    /// the columns first). Stops when the norm of the projected gradient is below <paramref name="eps"/>.
    /// </summary>
    public static ObliqueRotation Oblimin(double[,] loadings, double gamma = 0, double eps = 1e-5, int maxIterations = 1000)
    {
        ArgumentNullException.ThrowIfNull(loadings);
        int k = loadings.GetLength(1);
        if (k < 2) throw new ArgumentException("Rotation needs at least two factors.", nameof(loadings));
        var a = Matrix<double>.Build.DenseOfArray(loadings);
        var tmat = Matrix<double>.Build.DenseIdentity(k);
        double al = 1;
        var l = a * tmat.Inverse().Transpose();
        var (f, gq) = ObliminCriterion(l, gamma);
        var g = -(l.Transpose() * gq * tmat.Inverse()).Transpose();
        double s = double.NaN;
        int iter;
        for (iter = 0; iter <= maxIterations; iter++)
        {
            // Gp = G − T diag(1′(T ∘ G)).
            var gp = g.Clone();
            for (int j = 0; j < k; j++)
            {
                double dj = tmat.Column(j).DotProduct(g.Column(j));
                gp.SetColumn(j, g.Column(j) - tmat.Column(j) * dj);
            }
            s = Math.Sqrt(gp.PointwisePower(2).Enumerate().Sum());
            if (s < eps) break;
            al *= 2;
            Matrix<double> tmatt = tmat, lt = l;
            double ft = f;
            Matrix<double> gqt = gq;
            for (int i = 0; i <= 10; i++)
            {
                var xm = tmat - al * gp;
                var v = Vector<double>.Build.Dense(k, j => 1 / Math.Sqrt(xm.Column(j).DotProduct(xm.Column(j))));
                tmatt = xm * Matrix<double>.Build.DenseOfDiagonalVector(v);
                lt = a * tmatt.Inverse().Transpose();
                (ft, gqt) = ObliminCriterion(lt, gamma);
                if (f - ft > 0.5 * s * s * al) break;
                al /= 2;
            }
            tmat = tmatt;
            l = lt;
            f = ft;
            gq = gqt;
            g = -(l.Transpose() * gq * tmatt.Inverse()).Transpose();
        }
        bool converged = s < eps;
        var phi = tmat.Transpose() * tmat;
        return new ObliqueRotation(l.ToArray(), phi.ToArray(),
            new Convergence(converged, Math.Min(iter, maxIterations), s, eps, converged ? "projected gradient below tolerance" : "iteration limit reached"));
    }

    private static (double F, Matrix<double> Gradient) ObliminCriterion(Matrix<double> l, double gamma)
    {
        int p = l.RowCount, k = l.ColumnCount;
        var l2 = l.PointwisePower(2);
        var n = Matrix<double>.Build.Dense(k, k, (i, j) => i == j ? 0 : 1);
        var x = l2 * n;
        if (gamma != 0) x = (Matrix<double>.Build.DenseIdentity(p) - Matrix<double>.Build.Dense(p, p, gamma / p)) * x;
        var gq = l.PointwiseMultiply(x);
        double f = l2.PointwiseMultiply(x).Enumerate().Sum() / 4;
        return (f, gq);
    }
}
