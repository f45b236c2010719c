using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>Responses simulated from known item parameters (seeded <see cref="RandomStream"/>), for recovery tests.</summary>
internal static class IrtSimulation
{
    /// <summary>
    /// n persons with θ ~ N(0, sd²) answering items with slopes a and intercepts d (slope–intercept form, d per category
    /// above the lowest): graded P(X ≥ c) = logistic(aθ + d_c), else P_c ∝ exp(a c θ + d_c). Categories 0 … m − 1.
    /// </summary>
    public static ResponseMatrix Simulate(bool graded, double[] a, double[][] d, int n, long seed, double sd = 1, double missing = 0)
    {
        var rng = RandomStream.Create(seed);
        int m = a.Length, k = d.Max(x => x.Length) + 1;
        var values = new double[n * m];
        var p = new double[k];
        for (int i = 0; i < n; i++)
        {
            double theta = rng.NextNormal(0, sd);
            for (int j = 0; j < m; j++)
            {
                int mj = d[j].Length + 1;
                if (graded)
                {
                    double upper = 1;
                    for (int c = 0; c < mj - 1; c++)
                    {
                        double lower = 1 / (1 + Math.Exp(-(a[j] * theta + d[j][c])));
                        p[c] = upper - lower;
                        upper = lower;
                    }
                    p[mj - 1] = upper;
                }
                else
                {
                    double sum = 1;
                    p[0] = 1;
                    for (int c = 1; c < mj; c++) { p[c] = Math.Exp(a[j] * c * theta + d[j][c - 1]); sum += p[c]; }
                    for (int c = 0; c < mj; c++) p[c] /= sum;
                }
                double u = rng.NextDouble(), cum = 0;
                int x = mj - 1;
                for (int c = 0; c < mj; c++) { cum += p[c]; if (u < cum) { x = c; break; } }
                values[i * m + j] = missing > 0 && rng.NextDouble() < missing ? double.NaN : x;
            }
        }
        return ResponseMatrix.Create(values, [.. Enumerable.Range(1, m).Select(j => "i" + j.ToString(CultureInfo.InvariantCulture))], ItemScale.Likert(k, 0));
    }
}
