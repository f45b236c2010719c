namespace Alliance.Analytics.Numerics;

/// <summary>
/// Span kernels for small dense symmetric positive-definite systems stored row-major (n × n): in-place Cholesky
/// factorisation A = L Lᵀ, triangular solves and log-determinants. They allocate nothing, for per-cluster blocks
/// evaluated thousands of times inside an optimiser (MathNet's <c>Cholesky</c> allocates a matrix per call).
/// </summary>
public static class DenseCholesky
{
    /// <summary>
    /// Overwrites the lower triangle of <paramref name="a"/> (n × n, row-major) with L where A = L Lᵀ, zeroes the
    /// strict upper triangle, and returns log det A = 2 Σ log Lᵢᵢ. Returns NaN when A is not positive definite.
    /// </summary>
    public static double Factor(Span<double> a, int n)
    {
        double logDet = 0;
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) return double.NaN;
            double l = Math.Sqrt(d);
            a[j * n + j] = l;
            logDet += 2 * Math.Log(l);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / l;
            }
            for (int k = j + 1; k < n; k++) a[j * n + k] = 0;
        }
        return logDet;
    }

    /// <summary>Solves L x = b in place (forward substitution) for the lower-triangular factor <paramref name="l"/>.</summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>Solves Lᵀ x = b in place (back substitution) for the lower-triangular factor <paramref name="l"/>.</summary>
    public static void SolveLowerTranspose(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>
    /// Solves L X = B in place for B with <paramref name="columns"/> columns (n × columns, row-major).
    /// </summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b, int columns)
    {
        for (int i = 0; i < n; i++)
        {
            double inv = 1 / l[i * n + i];
            var row = b.Slice(i * columns, columns);
            for (int k = 0; k < i; k++)
            {
                double lik = l[i * n + k];
                if (lik == 0) continue;
                var other = b.Slice(k * columns, columns);
                for (int c = 0; c < columns; c++) row[c] -= lik * other[c];
            }
            for (int c = 0; c < columns; c++) row[c] *= inv;
        }
    }

    /// <summary>The inverse of A = L Lᵀ from its factor L, written to <paramref name="inverse"/> (n × n).</summary>
    public static void Inverse(ReadOnlySpan<double> l, int n, Span<double> inverse)
    {
        Span<double> column = n <= 64 ? stackalloc double[n] : new double[n];
        for (int j = 0; j < n; j++)
        {
            column.Clear();
            column[j] = 1;
            SolveLower(l, n, column);
            SolveLowerTranspose(l, n, column);
            for (int i = 0; i < n; i++) inverse[i * n + j] = column[i];
        }
    }
}
