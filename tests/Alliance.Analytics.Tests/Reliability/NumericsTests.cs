using Alliance.Analytics.Numerics;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>The numerics under the reliability code against R (Fixtures/Reliability/numerics.R).</summary>
public sealed class NumericsTests
{
    [Fact]
    public void Bivariate_normal_cdf_matches_mnormt_over_a_grid_of_limits_and_correlations()
    {
        var cases = Json("numerics.json")["bivariate"]!.AsArray();
        Assert.Equal(120, cases.Count);
        foreach (var c in cases)
        {
            double h = Number(c!["h"]), k = Number(c["k"]), rho = Number(c["rho"]), p = Number(c["p"]);
            Assert.True(Math.Abs(BivariateNormal.Cdf(h, k, rho) - p) < 1e-12, $"Φ2({h}, {k}; {rho}) = {BivariateNormal.Cdf(h, k, rho)}, R {p}");
        }
    }

    [Fact]
    public void Bivariate_normal_limits_reduce_to_the_univariate_cdf()
    {
        Assert.Equal(BivariateNormal.Phi(0.4), BivariateNormal.Cdf(0.4, double.PositiveInfinity, 0.3), 15);
        Assert.Equal(0, BivariateNormal.Cdf(double.NegativeInfinity, 1, 0.3));
        Assert.Equal(BivariateNormal.Phi(0.4) * BivariateNormal.Phi(-1), BivariateNormal.Cdf(0.4, -1, 0), 15);
        Assert.Equal(BivariateNormal.Phi(-1), BivariateNormal.Cdf(0.4, -1, 1), 15);
    }

    [Fact]
    public void Bivariate_density_is_the_derivative_of_the_cdf_in_rho()
    {
        foreach (var (h, k, rho) in new[] { (0.3, -0.8, 0.4), (-1.1, 0.5, -0.7), (1.2, 1.6, 0.95) })
        {
            const double d = 1e-6;
            double numeric = (BivariateNormal.Cdf(h, k, rho + d) - BivariateNormal.Cdf(h, k, rho - d)) / (2 * d);
            Assert.Equal(numeric, BivariateNormal.Density(h, k, rho), 7);
        }
    }

    [Fact]
    public void F_quantiles_and_tails_match_R_up_to_a_million_degrees_of_freedom()
    {
        foreach (var c in Json("numerics.json")["f"]!.AsArray())
        {
            double p = Number(c!["p"]), d1 = Number(c["d1"]), d2 = Number(c["d2"]);
            double q = Number(c["q"]), cdf = Number(c["cdf_at_1.01"]), upper = Number(c["upper_at_3"]);
            Assert.True(Math.Abs(FDistribution.Quantile(p, d1, d2) / q - 1) < 1e-10, $"qf({p}, {d1}, {d2}) = {FDistribution.Quantile(p, d1, d2)}, R {q}");
            Assert.True(Math.Abs(FDistribution.Cdf(1.01, d1, d2) - cdf) < 1e-12, $"pf(1.01, {d1}, {d2})");
            Assert.True(Math.Abs(FDistribution.UpperTail(3, d1, d2) - upper) <= 1e-10 * upper + 1e-300, $"pf(3, {d1}, {d2}, upper) = {FDistribution.UpperTail(3, d1, d2)}, R {upper}");
        }
    }
}
