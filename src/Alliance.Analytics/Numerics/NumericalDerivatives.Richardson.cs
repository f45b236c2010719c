namespace Alliance.Analytics.Numerics;

/// <summary>
/// Numerical derivatives by central differences with Richardson extrapolation, following R's numDeriv package
/// (Gilbert &amp; Varadhan; <c>numDeriv::genD</c>, <c>numDeriv::jacobian</c>): steps h = d·|x| (+ ε where x ≈ 0),
/// halved r = 4 times and extrapolated. Used where analytic derivatives are not worth their code, e.g. the Hessian
/// of a REML deviance for Satterthwaite degrees of freedom, as lmerTest does.
/// </summary>
public static partial class NumericalDerivatives
{
    private const double ZeroTolerance = 1.7807e-5; // numDeriv: sqrt(.Machine$double.eps / 7e-7)
    private const int Rounds = 4;

    /// <summary>
    /// The Hessian of <paramref name="f"/> at <paramref name="x"/> (symmetric, n × n), as
    /// <c>numDeriv::hessian(f, x)</c> with its defaults (d = 0.1, ε = 1e-4, r = 4, v = 2).
    /// </summary>
    public static double[,] Hessian(Func<double[], double> f, double[] x, double relativeStep = 0.1, double epsilon = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(f);
        int n = x.Length;
        double f0 = f(x);
        var h0 = Steps(x, relativeStep, epsilon);
        var diag = new double[n];
        var hess = new double[n, n];
        var approx = new double[Rounds];
        var point = new double[n];
        for (int i = 0; i < n; i++)
        {
            double h = h0[i];
            for (int k = 0; k < Rounds; k++)
            {
                Array.Copy(x, point, n); point[i] = x[i] + h;
                double f1 = f(point);
                point[i] = x[i] - h;
                double f2 = f(point);
                approx[k] = (f1 - 2 * f0 + f2) / (h * h);
                h /= 2;
            }
            diag[i] = Extrapolate(approx);
            hess[i, i] = diag[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                double hi = h0[i], hj = h0[j];
                for (int k = 0; k < Rounds; k++)
                {
                    Array.Copy(x, point, n); point[i] += hi; point[j] += hj;
                    double f1 = f(point);
                    Array.Copy(x, point, n); point[i] -= hi; point[j] -= hj;
                    double f2 = f(point);
                    approx[k] = (f1 - 2 * f0 + f2 - diag[i] * hi * hi - diag[j] * hj * hj) / (2 * hi * hj);
                    hi /= 2; hj /= 2;
                }
                hess[i, j] = hess[j, i] = Extrapolate(approx);
            }
        return hess;
    }

    /// <summary>
    /// The Jacobian of a vector function <paramref name="f"/> (m outputs) at <paramref name="x"/>: an m × n matrix,
    /// as <c>numDeriv::jacobian(f, x)</c> with its defaults (d = 1e-4, ε = 1e-4, r = 4, v = 2).
    /// </summary>
    public static double[,] Jacobian(Func<double[], double[]> f, double[] x, double relativeStep = 1e-4, double epsilon = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(f);
        int n = x.Length;
        var h0 = Steps(x, relativeStep, epsilon);
        int m = f(x).Length;
        var jac = new double[m, n];
        var approx = new double[m][];
        for (int k = 0; k < m; k++) approx[k] = new double[Rounds];
        var point = new double[n];
        for (int i = 0; i < n; i++)
        {
            double h = h0[i];
            for (int r = 0; r < Rounds; r++)
            {
                Array.Copy(x, point, n); point[i] = x[i] + h;
                var f1 = f(point);
                point[i] = x[i] - h;
                var f2 = f(point);
                for (int k = 0; k < m; k++) approx[k][r] = (f1[k] - f2[k]) / (2 * h);
                h /= 2;
            }
            for (int k = 0; k < m; k++) jac[k, i] = Extrapolate(approx[k]);
        }
        return jac;
    }

    private static double[] Steps(double[] x, double d, double epsilon) =>
        [.. x.Select(v => Math.Abs(d * v) + (Math.Abs(v) < ZeroTolerance ? epsilon : 0))];

    // Richardson extrapolation of estimates at steps h, h/2, h/4, … (error O(h²) each): numDeriv's scheme, in place.
    private static double Extrapolate(double[] a)
    {
        var t = (double[])a.Clone();
        for (int m = 1; m < t.Length; m++)
        {
            double p = Math.Pow(4, m);
            for (int k = 0; k < t.Length - m; k++) t[k] = (t[k + 1] * p - t[k]) / (p - 1);
        }
        return t[0];
    }
}
