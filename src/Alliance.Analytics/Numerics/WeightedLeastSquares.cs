namespace Alliance.Analytics.Numerics;

/// <summary>
/// Weighted least squares for small designs (a few columns, many rows), on spans and without allocation, for kernels
/// that refit a model many times (τ² iterations, permutation tests, leave-one-out). The design is row-major:
/// <c>x[i * p + j]</c> is row i, column j. β̂ = (X′WX)⁻¹X′Wy with W = diag(w); (X′WX)⁻¹ by Cholesky.
/// </summary>
/// <remarks>
/// MathNet's dense matrices are used where a design is large or a result is returned; this kernel exists because
/// the meta-analysis iterations call it thousands of times on p ≤ ~10 columns, where MathNet's allocation per call
/// dominates the arithmetic.
/// </remarks>
public static class WeightedLeastSquares
{
    /// <summary>
    /// Fits y on X with weights w: writes β̂ to <paramref name="beta"/> (length p) and (X′WX)⁻¹ to
    /// <paramref name="inverse"/> (p × p, row-major). Returns false (outputs unspecified) when X′WX is not positive
    /// definite (a column is constant zero, columns are collinear, or too few positive weights).
    /// </summary>
    public static bool Fit(ReadOnlySpan<double> x, int p, ReadOnlySpan<double> y, ReadOnlySpan<double> w, Span<double> beta, Span<double> inverse)
    {
        int k = y.Length;
        Span<double> xty = p <= 32 ? stackalloc double[p] : new double[p];
        CrossProduct(x, p, w, inverse);
        xty.Clear();
        for (int i = 0; i < k; i++)
        {
            double wy = w[i] * y[i];
            var row = x.Slice(i * p, p);
            for (int a = 0; a < p; a++) xty[a] += row[a] * wy;
        }
        if (!InvertSymmetric(inverse, p)) return false;
        Multiply(inverse, xty, beta, p);
        return true;
    }

    /// <summary>Writes X′ diag(w) X (p × p, row-major, full symmetric) to <paramref name="result"/>.</summary>
    public static void CrossProduct(ReadOnlySpan<double> x, int p, ReadOnlySpan<double> w, Span<double> result)
    {
        int k = w.Length;
        result[..(p * p)].Clear();
        if (p == 1)
        {
            double s = 0;
            for (int i = 0; i < k; i++) s += w[i] * x[i] * x[i];
            result[0] = s;
            return;
        }
        for (int i = 0; i < k; i++)
        {
            double wi = w[i];
            var row = x.Slice(i * p, p);
            for (int a = 0; a < p; a++)
            {
                double wa = wi * row[a];
                for (int b = 0; b <= a; b++) result[a * p + b] += wa * row[b];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) result[b * p + a] = result[a * p + b];
    }

    /// <summary>
    /// Inverts a symmetric positive definite matrix in place (row-major, p × p) by Cholesky factorisation.
    /// Returns false when the matrix is not numerically positive definite (a pivot ≤ 1e-13 of the largest diagonal).
    /// </summary>
    public static bool InvertSymmetric(Span<double> a, int p)
    {
        if (p == 1)
        {
            if (!(a[0] > 0) || !double.IsFinite(a[0])) return false;
            a[0] = 1 / a[0];
            return true;
        }
        double maxDiag = 0;
        for (int i = 0; i < p; i++) maxDiag = Math.Max(maxDiag, Math.Abs(a[i * p + i]));
        double tol = 1e-13 * maxDiag;
        // Cholesky: lower triangle L with A = LL′, stored in the lower triangle of a.
        for (int j = 0; j < p; j++)
        {
            double d = a[j * p + j];
            for (int m = 0; m < j; m++) d -= a[j * p + m] * a[j * p + m];
            if (!(d > tol)) return false;
            double l = Math.Sqrt(d);
            a[j * p + j] = l;
            for (int i = j + 1; i < p; i++)
            {
                double s = a[i * p + j];
                for (int m = 0; m < j; m++) s -= a[i * p + m] * a[j * p + m];
                a[i * p + j] = s / l;
            }
        }
        // Invert L in place (lower triangle).
        for (int j = 0; j < p; j++)
        {
            a[j * p + j] = 1 / a[j * p + j];
            for (int i = j + 1; i < p; i++)
            {
                double s = 0;
                for (int m = j; m < i; m++) s -= a[i * p + m] * a[m * p + j];
                a[i * p + j] = s / a[i * p + i];
            }
        }
        // A⁻¹ = L⁻ᵀL⁻¹: entry (i, j), i ≥ j, is Σ_{m ≥ i} L⁻¹[m, i] L⁻¹[m, j].
        for (int i = 0; i < p; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int m = i; m < p; m++) s += a[m * p + i] * a[m * p + j];
                a[j * p + i] = s; // upper triangle holds the result for now
            }
        for (int i = 0; i < p; i++)
            for (int j = 0; j < i; j++) a[i * p + j] = a[j * p + i];
        return true;
    }

    /// <summary>
    /// log det A of a symmetric positive definite p × p matrix (row-major) by Cholesky, 2 Σ log Lᵢᵢ; the matrix is
    /// overwritten. NaN when it is not positive definite.
    /// </summary>
    public static double LogDeterminant(Span<double> a, int p)
    {
        double logDet = 0;
        for (int j = 0; j < p; j++)
        {
            double d = a[j * p + j];
            for (int m = 0; m < j; m++) d -= a[j * p + m] * a[j * p + m];
            if (!(d > 0)) return double.NaN;
            double l = Math.Sqrt(d);
            logDet += 2 * Math.Log(l);
            a[j * p + j] = l;
            for (int i = j + 1; i < p; i++)
            {
                double s = a[i * p + j];
                for (int m = 0; m < j; m++) s -= a[i * p + m] * a[j * p + m];
                a[i * p + j] = s / l;
            }
        }
        return logDet;
    }

    /// <summary>y = A x for a p × p row-major matrix.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> x, Span<double> y, int p)
    {
        for (int i = 0; i < p; i++)
        {
            double s = 0;
            for (int j = 0; j < p; j++) s += a[i * p + j] * x[j];
            y[i] = s;
        }
    }

    /// <summary>The quadratic form x′Ax for a p × p row-major matrix.</summary>
    public static double Quadratic(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int p)
    {
        double s = 0;
        for (int i = 0; i < p; i++)
        {
            double r = 0;
            for (int j = 0; j < p; j++) r += a[i * p + j] * x[j];
            s += x[i] * r;
        }
        return s;
    }

    /// <summary>Fitted value of row i: x_i′β.</summary>
    public static double Fitted(ReadOnlySpan<double> x, int p, int i, ReadOnlySpan<double> beta)
    {
        var row = x.Slice(i * p, p);
        double s = 0;
        for (int j = 0; j < p; j++) s += row[j] * beta[j];
        return s;
    }

    /// <summary>The weighted residual sum of squares Σ wᵢ (yᵢ − xᵢ′β)².</summary>
    public static double WeightedRss(ReadOnlySpan<double> x, int p, ReadOnlySpan<double> y, ReadOnlySpan<double> w, ReadOnlySpan<double> beta)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double e = y[i] - Fitted(x, p, i, beta);
            s += w[i] * e * e;
        }
        return s;
    }
}
