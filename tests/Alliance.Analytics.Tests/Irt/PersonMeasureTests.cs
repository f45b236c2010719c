using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;
using MathNet.Numerics.Integration;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Person estimators against closed forms: for J Rasch items of equal difficulty 0 and raw score r, ML θ = log(r/(J − r))
/// with SE 1/√(J p q), and Warm's WLE θ = log((r + ½)/(J − r + ½)) (Warm 1989, the equal-difficulty case); EAP against
/// adaptive numerical integration of the posterior.
/// </summary>
public class PersonMeasureTests
{
    private const int J = 8;

    private static ItemSet EqualItems() => new()
    {
        Graded = false,
        A = Enumerable.Repeat(1.0, J).ToArray(),
        D = [.. Enumerable.Range(0, J).Select(_ => new[] { 0.0, 0.0 })],
        Scores = [.. Enumerable.Range(0, J).Select(_ => new[] { 0, 1 })],
    };

    private static byte[] Pattern(int r) => [.. Enumerable.Range(0, J).Select(j => (byte)(j < r ? 1 : 0))];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void MaximumLikelihoodAndWleMatchTheirClosedForms(int r)
    {
        var items = EqualItems();
        var grid = QuadratureGrid.Normal();
        var ml = PersonScoring.Estimate(items, Pattern(r), PersonEstimator.MaximumLikelihood, grid);
        Assert.Equal(Math.Log((double)r / (J - r)), ml.Theta, 1e-8);
        double p = (double)r / J;
        Assert.Equal(1 / Math.Sqrt(J * p * (1 - p)), ml.StandardError, 1e-8);
        var wle = PersonScoring.Estimate(items, Pattern(r), PersonEstimator.Wle, grid);
        Assert.Equal(Math.Log((r + 0.5) / (J - r + 0.5)), wle.Theta, 1e-8);
    }

    [Fact]
    public void ExtremeScoresAreInfiniteForMlAndFiniteForWle()
    {
        var items = EqualItems();
        var grid = QuadratureGrid.Normal();
        var ml = PersonScoring.Estimate(items, Pattern(J), PersonEstimator.MaximumLikelihood, grid);
        Assert.True(double.IsPositiveInfinity(ml.Theta));
        Assert.Equal(1, ml.Extreme);
        var wle = PersonScoring.Estimate(items, Pattern(0), PersonEstimator.Wle, grid);
        Assert.Equal(Math.Log(0.5 / (J + 0.5)), wle.Theta, 1e-8);
        Assert.Equal(-1, wle.Extreme);
    }

    [Fact]
    public void EapAndMapAgreeWithTheIntegratedPosterior()
    {
        var items = EqualItems();
        var grid = QuadratureGrid.Normal();
        int r = 6;
        double Like(double t) => Math.Pow(1 / (1 + Math.Exp(-t)), r) * Math.Pow(1 / (1 + Math.Exp(t)), J - r) * Math.Exp(-t * t / 2);
        double z = GaussLegendreRule.Integrate(Like, -10, 10, 64);
        double mean = GaussLegendreRule.Integrate(t => t * Like(t), -10, 10, 64) / z;
        double second = GaussLegendreRule.Integrate(t => t * t * Like(t), -10, 10, 64) / z;
        var eap = PersonScoring.Estimate(items, Pattern(r), PersonEstimator.Eap, grid);
        Assert.Equal(mean, eap.Theta, 1e-4);
        Assert.Equal(Math.Sqrt(second - mean * mean), eap.StandardError, 1e-4);
        var map = PersonScoring.Estimate(items, Pattern(r), PersonEstimator.Map, grid);
        double pm = 1 / (1 + Math.Exp(-map.Theta));
        Assert.Equal(0, r - J * pm - map.Theta, 1e-8); // d/dθ [log L + log φ] = 0
    }
}
