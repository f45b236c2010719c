using Alliance.Analytics.Data;
using Alliance.Analytics.Scoring;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Scoring;

/// <summary>
/// Descriptives against psych::describe and table() on the same data (Fixtures/Scoring/describe.R, psych 2.2.9):
/// n, mean, sd and skew (type 3) to 1e-12, category counts exactly.
/// </summary>
public sealed class DescriptivesTests
{
    private const double ClosedForm = 1e-12;

    [Fact]
    public void ItemStatisticsAgreeWithPsychDescribe()
    {
        var data = AllianceDataset.Load(Fixtures.Path("Scoring", "describe-data.csv"), new DataSpec { Points = 5 });
        var result = Descriptives.Describe(data.Items);
        var expected = File.ReadAllLines(Fixtures.Path("Scoring", "describe-psych.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(4, expected.Length);
        foreach (var e in expected)
        {
            var s = result.Items.Single(i => i.Name == e[0]);
            Assert.Equal(int.Parse(e[1], CultureInfo.InvariantCulture), s.N);
            Assert.Equal(double.Parse(e[2], CultureInfo.InvariantCulture), s.Mean, ClosedForm);
            Assert.Equal(double.Parse(e[3], CultureInfo.InvariantCulture), s.StandardDeviation, ClosedForm);
            Assert.Equal(double.Parse(e[4], CultureInfo.InvariantCulture), s.Skewness, ClosedForm);
            Assert.Equal(double.Parse(e[5], CultureInfo.InvariantCulture), s.Min);
            Assert.Equal(double.Parse(e[6], CultureInfo.InvariantCulture), s.Max);
            Assert.Equal(e[7..12].Select(x => int.Parse(x, CultureInfo.InvariantCulture)), s.CategoryCounts);
            Assert.Equal((double)s.CategoryCounts[0] / s.N, s.Floor, ClosedForm);
            Assert.Equal((double)s.CategoryCounts[4] / s.N, s.Ceiling, ClosedForm);
            Assert.Equal(57 - s.N, s.Missing);
        }
    }

    [Fact]
    public void ScoreFloorAndCeilingAreSharesAtTheScoreRange()
    {
        var m = ResponseMatrix.Create(new double[,] { { 5, 5, 5, 5 }, { 0, 0, 0, 0 }, { 10, 10, 10, 10 }, { 10, 10, 10, 10 } },
            ["a", "b", "c", "d"], ItemScale.Continuous(0, 10));
        var scores = InstrumentScoring.Score(m, Alliance.Analytics.Instruments.InstrumentRegistry.BuiltIn.Get("SRS"));
        var total = Descriptives.Describe(m, scores).Scores.Single(s => s.Name == "total");
        Assert.Equal((4, 0.25, 0.5), (total.N, total.Floor, total.Ceiling));
        Assert.Equal(25.0, total.Mean, ClosedForm);
    }
}
