using MathNet.Numerics.LinearAlgebra;

namespace Alliance.Analytics.Numerics;

/// <summary>
/// Helpers for small symmetric matrices (correlation and covariance matrices of a scale's items), stored as
/// <c>double[,]</c>: eigen decomposition in descending order, covariance to correlation, pseudo-inverse, squared
/// multiple correlations and smoothing of a matrix that is not positive definite. Dense linear algebra is MathNet's.
/// </summary>
public static class SymmetricMatrices
{
    /// <summary>
    /// Eigenvalues in descending order and the matching unit eigenvectors (as columns) of a symmetric matrix.
    /// R: <c>eigen(x, symmetric = TRUE)</c> (eigenvectors are determined up to sign).
    /// </summary>
    public static (double[] Values, double[,] Vectors) Eigen(double[,] a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.GetLength(0);
        var evd = Matrix<double>.Build.DenseOfArray(a).Evd(Symmetricity.Symmetric);
        var raw = evd.EigenValues;
        var order = Enumerable.Range(0, n).OrderByDescending(i => raw[i].Real).ToArray();
        var values = new double[n];
        var vectors = new double[n, n];
        var v = evd.EigenVectors;
        for (int c = 0; c < n; c++)
        {
            int src = order[c];
            values[c] = raw[src].Real;
            for (int r = 0; r < n; r++) vectors[r, c] = v[r, src];
        }
        return (values, vectors);
    }

    /// <summary>The correlation matrix of a covariance matrix: c_ij / √(c_ii c_jj). R: <c>cov2cor(c)</c>.</summary>
    public static double[,] CovarianceToCorrelation(double[,] c)
    {
        ArgumentNullException.ThrowIfNull(c);
        int n = c.GetLength(0);
        var r = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                r[i, j] = i == j ? 1 : c[i, j] / Math.Sqrt(c[i, i] * c[j, j]);
        return r;
    }

    /// <summary>
    /// Moore–Penrose pseudo-inverse of a symmetric matrix, dropping eigenvalues below √ε times the largest, as
    /// psych's <c>Pinv</c> does (it equals the inverse for a positive-definite matrix).
    /// </summary>
    public static double[,] PseudoInverse(double[,] a)
    {
        var (values, vectors) = Eigen(a);
        int n = values.Length;
        double tol = Math.Sqrt(2.220446049250313e-16) * Math.Max(Math.Abs(values[0]), Math.Abs(values[n - 1]));
        var inv = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            if (Math.Abs(values[k]) <= tol) continue;
            double d = 1 / values[k];
            for (int i = 0; i < n; i++)
            {
                double vik = vectors[i, k] * d;
                for (int j = 0; j < n; j++) inv[i, j] += vik * vectors[j, k];
            }
        }
        return inv;
    }

    /// <summary>
    /// Squared multiple correlations: for each variable the R² of its regression on all others,
    /// 1 − 1 / (R⁻¹)_ii, clipped to [0, 1] (psych's <c>smc(r)</c>, which uses the pseudo-inverse so a singular matrix
    /// still gives values).
    /// </summary>
    public static double[] SquaredMultipleCorrelations(double[,] r)
    {
        var inv = PseudoInverse(CovarianceToCorrelation(r));
        int n = r.GetLength(0);
        var smc = new double[n];
        for (int i = 0; i < n; i++) smc[i] = Math.Clamp(1 - 1 / inv[i, i], 0, 1);
        return smc;
    }

    /// <summary>
    /// Smooths a correlation matrix that is not positive definite (a smallest eigenvalue below machine ε): eigenvalues
    /// under 1e-12 are set to 1e-10, all are rescaled to sum to the dimension, the matrix is rebuilt and rescaled to
    /// unit diagonal. Returns the input unchanged when it is positive definite. psych's <c>cor.smooth(x)</c>
    /// (Wothke 1993).
    /// </summary>
    public static (double[,] Matrix, bool Smoothed, double SmallestEigenvalue) SmoothToPositiveDefinite(double[,] r)
    {
        var (values, vectors) = Eigen(r);
        int n = values.Length;
        double min = values[n - 1];
        if (min >= 2.220446049250313e-16) return (r, false, min);
        const double tol = 1e-12;
        for (int k = 0; k < n; k++) if (values[k] < tol) values[k] = 100 * tol;
        double total = values.Sum();
        for (int k = 0; k < n; k++) values[k] *= n / total;
        var s = new double[n, n];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++)
            {
                double vik = vectors[i, k] * values[k];
                for (int j = 0; j < n; j++) s[i, j] += vik * vectors[j, k];
            }
        return (CovarianceToCorrelation(s), true, min);
    }

    /// <summary>Sum of all elements.</summary>
    public static double Sum(double[,] a)
    {
        double s = 0;
        foreach (double v in a) s += v;
        return s;
    }

    /// <summary>Sum of the diagonal.</summary>
    public static double Trace(double[,] a)
    {
        double s = 0;
        for (int i = 0; i < a.GetLength(0); i++) s += a[i, i];
        return s;
    }

    /// <summary>The matrix with the rows and columns at <paramref name="keep"/> only, in that order.</summary>
    public static double[,] Submatrix(double[,] a, IReadOnlyList<int> keep)
    {
        int k = keep.Count;
        var s = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                s[i, j] = a[keep[i], keep[j]];
        return s;
    }
}
