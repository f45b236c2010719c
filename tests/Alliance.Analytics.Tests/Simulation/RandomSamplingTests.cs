using Alliance.Analytics.Numerics;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// The samplers of <see cref="RandomSampling"/> against the distributions they claim, by the one-sample
/// Kolmogorov–Smirnov test with MathNet's CDFs as the reference (critical value at α = .001: 1.95/√n) and by their
/// exact means and variances.
/// </summary>
public class RandomSamplingTests
{
    private const int N = 40_000;
    /// <summary>KS critical value at α = .001 (Massey 1951: 1.95 / √n).</summary>
    private static readonly double KsCritical = 1.95 / Math.Sqrt(N);

    private static double KolmogorovSmirnov(double[] sample, Func<double, double> cdf)
    {
        Array.Sort(sample);
        double d = 0;
        for (int i = 0; i < sample.Length; i++)
        {
            double f = cdf(sample[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / sample.Length - f, f - (double)i / sample.Length));
        }
        return d;
    }

    private static double[] Draw(Func<RandomStream, double> sampler, int seed = 7)
    {
        var rng = RandomStream.Create(seed, 3);
        return [.. Enumerable.Range(0, N).Select(_ => sampler(rng))];
    }

    [Theory]
    [InlineData(0.4, 2.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(4.0, 0.5)]
    [InlineData(30.0, 1.0)]
    public void GammaMatchesItsDistribution(double shape, double scale)
    {
        var x = Draw(r => r.NextGamma(shape, scale));
        Assert.True(KolmogorovSmirnov(x, v => Gamma.CDF(shape, 1 / scale, v)) < KsCritical);
        Assert.Equal(shape * scale, x.Average(), 5 * Math.Sqrt(shape) * scale / Math.Sqrt(N));
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(2.2, 1.2)]
    [InlineData(8, 3)]
    public void BetaMatchesItsDistribution(double a, double b)
    {
        var x = Draw(r => r.NextBeta(a, b));
        Assert.True(KolmogorovSmirnov(x, v => Beta.CDF(a, b, v)) < KsCritical);
        Assert.All(x, v => Assert.InRange(v, 0, 1));
    }

    [Theory]
    [InlineData(0, 1, -1, 2)]
    [InlineData(0, 1, 3, 5)]          // far upper tail: the mirrored branch
    [InlineData(2, 0.5, double.NegativeInfinity, 1.5)]
    [InlineData(-1, 2, -1.5, double.PositiveInfinity)]
    public void TruncatedNormalMatchesItsDistribution(double mean, double sd, double lower, double upper)
    {
        var x = Draw(r => r.NextTruncatedNormal(mean, sd, lower, upper));
        double pa = Normal.CDF(mean, sd, lower), pb = Normal.CDF(mean, sd, upper);
        Assert.All(x, v => Assert.InRange(v, lower, upper));
        Assert.True(KolmogorovSmirnov(x, v => (Normal.CDF(mean, sd, v) - pa) / (pb - pa)) < KsCritical);
    }

    [Fact]
    public void TruncatedNormalBeyondDoublePrecisionReturnsTheNearBound()
    {
        var rng = RandomStream.Create(1);
        Assert.Equal(40.0, rng.NextTruncatedNormal(0, 1, 40, 41));
        Assert.Equal(-40.0, rng.NextTruncatedNormal(0, 1, -41, -40));
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(6.5)]
    [InlineData(29.0)]
    public void PoissonMatchesItsProbabilities(double lambda)
    {
        var rng = RandomStream.Create(11, 2);
        var counts = new int[200];
        for (int i = 0; i < N; i++) counts[rng.NextPoisson(lambda)]++;
        // Pearson χ² over cells with expected count ≥ 5, pooled tail; df = cells − 1; p < .001 critical values from MathNet.
        var expected = Enumerable.Range(0, 200).Select(k => N * Poisson.PMF(lambda, k)).ToArray();
        double chi = 0;
        int cells = 0;
        double pooledO = 0, pooledE = 0;
        for (int k = 0; k < 200; k++)
        {
            if (expected[k] >= 5) { chi += Math.Pow(counts[k] - expected[k], 2) / expected[k]; cells++; }
            else { pooledO += counts[k]; pooledE += expected[k]; }
        }
        if (pooledE > 0) { chi += Math.Pow(pooledO - pooledE, 2) / pooledE; cells++; }
        Assert.True(chi < ChiSquared.InvCDF(cells - 1, 0.999), $"χ² = {chi} on {cells - 1} df");
    }

    [Fact]
    public void CategoricalDrawsInProportionToWeights()
    {
        double[] weights = [0.5, 0, 3, 1.5];
        var cumulative = RandomSampling.Cumulative(weights);
        var rng = RandomStream.Create(5);
        var counts = new int[4];
        for (int i = 0; i < N; i++) counts[rng.NextCategorical(cumulative)]++;
        Assert.Equal(0, counts[1]);
        for (int c = 0; c < 4; c++)
        {
            double p = weights[c] / 5;
            Assert.Equal(p, (double)counts[c] / N, 4.5 * Math.Sqrt(p * (1 - p) / N) + 1e-12);
        }
    }

    [Fact]
    public void LogisticMatchesItsDistribution()
    {
        var x = Draw(r => r.NextLogistic());
        Assert.True(KolmogorovSmirnov(x, v => 1 / (1 + Math.Exp(-v))) < KsCritical);
    }

    [Fact]
    public void LogNormalHasTheGivenMedian()
    {
        var x = Draw(r => r.NextLogNormal(Math.Log(65), 0.95));
        Assert.True(KolmogorovSmirnov(x, v => LogNormal.CDF(Math.Log(65), 0.95, v)) < KsCritical);
    }

    /// <summary>
    /// Sample correlations follow Fisher's distribution: z(r) is approximately normal with mean atanh ρ + ρ/(2(n − 1))
    /// and variance 1/(n − 3) (Fisher 1921; the bias term from Hotelling 1953).
    /// </summary>
    [Theory]
    [InlineData(0.278, 40)]
    [InlineData(-0.5, 12)]
    [InlineData(0.0, 200)]
    public void SampleCorrelationFollowsFishersDistribution(double rho, int n)
    {
        var rng = RandomStream.Create(3, 9);
        const int reps = 20_000;
        var z = Enumerable.Range(0, reps).Select(_ => Math.Atanh(rng.NextSampleCorrelation(rho, n))).ToArray();
        double expectedMean = Math.Atanh(rho) + rho / (2 * (n - 1));
        Assert.Equal(expectedMean, z.Average(), 4.5 / Math.Sqrt((n - 3.0) * reps));
        Assert.Equal(1.0 / (n - 3), Reference.Variance(z), 0.1 / (n - 3));
    }

    [Fact]
    public void InvalidParametersThrow()
    {
        var rng = RandomStream.Create(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextGamma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextBeta(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextTruncatedNormal(0, 1, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextPoisson(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextSampleCorrelation(1, 10));
        Assert.Throws<ArgumentException>(() => RandomSampling.Cumulative([1, -1]));
    }
}
