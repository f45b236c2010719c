using Alliance.Analytics.Numerics;
using Alliance.Analytics.Reliability;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// The O(k²) item-deleted figures (sums less item i's row and column; the median found by skipping ranks) against the
/// definition: psych::alpha's alpha.drop computes each from the reduced matrix, which <see cref="AlphaFigures.Of"/> does.
/// The psych fixtures (BfiAgreeablenessTests) check the same figures against R on five items.
/// </summary>
public sealed class AlphaIfDeletedTests
{
    [Theory]
    [InlineData(3, 40, 1)]
    [InlineData(12, 60, 2)]
    [InlineData(41, 30, 3)]
    public void ItemDeletedFiguresEqualThoseOfTheReducedMatrices(int k, int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, k];
        for (int i = 0; i < n; i++)
        {
            double t = rng.NextDouble() * 2 - 1;
            // Rounded to a 5-point scale, so that correlations tie and the median meets equal values.
            for (int j = 0; j < k; j++) x[i, j] = Math.Clamp(Math.Round(3 + t + (rng.NextDouble() * 2 - 1)), 1, 5);
        }
        var c = new double[k, k];
        var mean = new double[k];
        for (int j = 0; j < k; j++) { for (int i = 0; i < n; i++) mean[j] += x[i, j]; mean[j] /= n; }
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += (x[i, a] - mean[a]) * (x[i, b] - mean[b]);
                c[a, b] = s / (n - 1);
            }
        var r = SymmetricMatrices.CovarianceToCorrelation(c);

        var fast = AlphaFigures.Dropped(c, r, lambda6: true, CancellationToken.None);

        for (int i = 0; i < k; i++)
        {
            var rest = Enumerable.Range(0, k).Where(j => j != i).ToArray();
            var expected = AlphaFigures.Of(SymmetricMatrices.Submatrix(c, rest), SymmetricMatrices.Submatrix(r, rest));
            Assert.Equal(expected.Raw, fast[i].Raw, 1e-12);
            Assert.Equal(expected.Standardized, fast[i].Standardized, 1e-12);
            Assert.Equal(expected.Lambda6, fast[i].Lambda6, 1e-12);
            Assert.Equal(expected.AverageR, fast[i].AverageR, 1e-12);
            Assert.Equal(expected.SignalToNoise, fast[i].SignalToNoise, 1e-9);
            Assert.Equal(expected.Q, fast[i].Q, 1e-10);
            Assert.Equal(expected.MedianR, fast[i].MedianR, 1e-15);
        }
    }

    [Fact]
    public void ItemDeletedFiguresOfTwoItemsAreMissing()
    {
        var c = new double[,] { { 1, 0.5 }, { 0.5, 1 } };
        var drop = AlphaFigures.Dropped(c, c, lambda6: true, CancellationToken.None);
        Assert.All(drop, d => Assert.True(double.IsNaN(d.Raw) && double.IsNaN(d.MedianR)));
    }
}

/// <summary>
/// The long loops of a wide reliability run check the cancellation token inside, so Ctrl-C stops them at the next
/// step rather than after them (measured by hand: SIGTERM to `reliability` on 400 items × 500 rows stopped it in
/// 0.1–1.1 s). A token cancelled before the call must stop each loop at its first check.
/// </summary>
public sealed class WideReliabilityCancellationTests
{
    private static double[,] OneFactorCorrelations(int k, double loading)
    {
        var r = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) r[i, j] = i == j ? 1 : loading * loading;
        return r;
    }

    [Fact]
    public void TheFactorFitBehindOmegaStopsOnACancelledToken()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => FactorAnalysis.Fit(OneFactorCorrelations(30, 0.6), 1, cancellationToken: cancelled.Token));
        // and without cancellation the same fit recovers the loadings (a one-factor matrix with λ = 0.6)
        var fit = FactorAnalysis.Fit(OneFactorCorrelations(30, 0.6), 1);
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(0.6, fit.Loadings[i, 0], 1e-6));
    }

    [Fact]
    public void TheSplitHalfLoopStopsOnACancelledToken()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var items = Enumerable.Range(1, 40).Select(i => $"q{i}").ToArray();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SplitHalf.Compute(OneFactorCorrelations(40, 0.5), items, SplitHalfEnumeration.AllSplits, 10_000, 1, cancelled.Token));
    }

    [Fact]
    public void TheItemDeletedFiguresStopOnACancelledToken()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var r = OneFactorCorrelations(200, 0.5);
        Assert.ThrowsAny<OperationCanceledException>(() => AlphaFigures.Dropped(r, r, lambda6: false, cancelled.Token));
    }
}
