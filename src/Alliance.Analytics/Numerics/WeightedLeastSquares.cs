using System.Numerics.Tensors;

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
        Span<double> factor = p <= 16 ? stackalloc double[p * p] : new double[p * p];
        if (!FitCholesky(x, p, y, w, beta, factor)) return false;
        DenseCholesky.Inverse(factor, p, inverse);
        return true;
    }

    /// <summary>
    /// As <see cref="Fit"/>, but leaves the Cholesky factor L of X′WX (lower triangle, row-major) in
    /// <paramref name="factor"/> instead of the inverse, for callers that need only quadratic forms xᵢ′(X′WX)⁻¹xᵢ
    /// (<see cref="InverseQuadratic"/>) or the inverse later (<see cref="DenseCholesky.Inverse"/>).
    /// </summary>
    public static bool FitCholesky(ReadOnlySpan<double> x, int p, ReadOnlySpan<double> y, ReadOnlySpan<double> w, Span<double> beta, Span<double> factor)
    {
        int k = y.Length;
        Span<double> xty = p <= 32 ? stackalloc double[p] : new double[p];
        CrossProduct(x, p, w, factor);
        xty.Clear();
        for (int i = 0; i < k; i++)
        {
            double wy = w[i] * y[i];
            var row = x.Slice(i * p, p);
            for (int a = 0; a < p; a++) xty[a] += row[a] * wy;
        }
        if (!Cholesky(factor, p)) return false;
        // L z = X′Wy, L′β = z
        DenseCholesky.SolveLower(factor, p, xty);
        DenseCholesky.SolveLowerTranspose(factor, p, xty);
        xty.CopyTo(beta);
        return true;
    }

    /// <summary>
    /// Cholesky factorisation A = LL′ in place (lower triangle; the upper triangle is left as it was). False when a
    /// pivot is not above 1e-13 of the largest diagonal element (not numerically positive definite): unlike
    /// <see cref="DenseCholesky.Factor"/>, this relative tolerance flags collinear moderators instead of returning a
    /// factor with a tiny pivot. Solves and inverses from the factor use <see cref="DenseCholesky"/>.
    /// </summary>
    public static bool Cholesky(Span<double> a, int p)
    {
        double maxDiag = 0;
        for (int i = 0; i < p; i++) maxDiag = Math.Max(maxDiag, Math.Abs(a[i * p + i]));
        double tol = 1e-13 * maxDiag;
        for (int j = 0; j < p; j++)
        {
            double d = a[j * p + j];
            for (int m = 0; m < j; m++) d -= a[j * p + m] * a[j * p + m];
            if (!(d > tol) || !double.IsFinite(d)) return false;
            double l = Math.Sqrt(d);
            a[j * p + j] = l;
            for (int i = j + 1; i < p; i++)
            {
                double s = a[i * p + j];
                for (int m = 0; m < j; m++) s -= a[i * p + m] * a[j * p + m];
                a[i * p + j] = s / l;
            }
        }
        return true;
    }

    /// <summary>x′(LL′)⁻¹x = ‖L⁻¹x‖² for one row x of length p.</summary>
    public static double InverseQuadratic(ReadOnlySpan<double> l, ReadOnlySpan<double> x, int p)
    {
        Span<double> z = p <= 32 ? stackalloc double[p] : new double[p];
        double s = 0;
        for (int i = 0; i < p; i++)
        {
            double t = x[i];
            for (int m = 0; m < i; m++) t -= l[i * p + m] * z[m];
            t /= l[i * p + i];
            z[i] = t;
            s += t * t;
        }
        return s;
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
                if (wa == 0) continue;   // indicator columns: most products vanish
                var target = result.Slice(a * p, a + 1);
                if (a >= 7) TensorPrimitives.MultiplyAdd(row[..(a + 1)], wa, target, target);
                else for (int b = 0; b <= a; b++) target[b] += wa * row[b];
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
        Span<double> l = p <= 16 ? stackalloc double[p * p] : new double[p * p];
        a[..(p * p)].CopyTo(l);
        if (!Cholesky(l, p)) return false;
        DenseCholesky.Inverse(l, p, a);
        return true;
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
    public static double Quadratic(ReadOnlySpan<double> a, ReadOnlySpan<double> x, int p) => Bilinear(x, a, x, p);

    /// <summary>The bilinear form u′Av for a p × p row-major matrix.</summary>
    public static double Bilinear(ReadOnlySpan<double> u, ReadOnlySpan<double> a, ReadOnlySpan<double> v, int p)
    {
        double s = 0;
        for (int i = 0; i < p; i++)
        {
            double r = 0;
            for (int j = 0; j < p; j++) r += a[i * p + j] * v[j];
            s += u[i] * r;
        }
        return s;
    }

    /// <summary>C = AB for p × p row-major matrices (C must not overlap A or B).</summary>
    public static void MultiplySquare(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int p)
    {
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
            {
                double s = 0;
                for (int m = 0; m < p; m++) s += a[i * p + m] * b[m * p + j];
                c[i * p + j] = s;
            }
    }

    /// <summary>tr(AB) = Σᵢⱼ Aᵢⱼ Bⱼᵢ for p × p row-major matrices.</summary>
    public static double TraceOfProduct(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int p)
    {
        double t = 0;
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) t += a[i * p + j] * b[j * p + i];
        return t;
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
