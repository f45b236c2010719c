using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>
/// The comparison with the published meta-analyses, checked against values computed in R 4.2.2 by hand:
/// se = (atanh(.299) − atanh(.256))/(2 qnorm(.975)) = 0.0118874400469;
/// r = .35, n = 200 vs Flückiger et al. 2018: z = (atanh(.35) − atanh(.278))/sqrt(1/197 + se²) = 1.1065811698521,
/// p = 0.2684750522457; vs Martin et al. 2000 (.22, no interval): z = 1.9900844354064, p = 0.0465816350628;
/// study distribution SD atanh(.278)/qnorm(.98) = 0.139020523173, percentile 0.717339040313.
/// </summary>
public sealed class LiteratureBenchmarkTests
{
    [Fact]
    public void Published_values_are_those_of_the_meta_analyses()
    {
        var f = LiteratureBenchmark.Published[0];
        Assert.Equal((0.278, 0.256, 0.299, 295), (f.R, f.Lower, f.Upper, f.Studies));
        var h = LiteratureBenchmark.Published[1];
        Assert.Equal((0.275, 0.25, 0.30), (h.R, h.Lower, h.Upper));
        Assert.Equal(0.22, LiteratureBenchmark.Published[2].R);
        Assert.Equal(0.26, LiteratureBenchmark.Published[3].R);
        Assert.Equal(0.0118874400469, f.StandardErrorZ, 12);
    }

    [Fact]
    public void Difference_tests_and_percentile_match_the_hand_values()
    {
        var b = LiteratureBenchmark.Compare(0.35, 0.22, 0.47, 200);
        Assert.Equal(1.1065811698521, b.Comparisons[0].Z, 10);
        Assert.Equal(0.2684750522457, b.Comparisons[0].PValue, 10);
        Assert.Equal("in line with", b.Comparisons[0].Verdict);
        Assert.Equal(1.9900844354064, b.Comparisons[2].Z, 10);
        Assert.Equal(0.0465816350628, b.Comparisons[2].PValue, 10);
        Assert.Equal("stronger than", b.Comparisons[2].Verdict);
        Assert.Equal(0.139020523173, LiteratureBenchmark.StudyDistributionSd, 11);
        Assert.Equal(0.717339040313, b.StudyPercentile, 10);
        Assert.Contains("in line with", b.Interpretation);
        Assert.Contains("72% of published studies", b.Interpretation);
    }

    [Fact]
    public void A_weak_clinic_is_called_weaker_in_words()
    {
        var b = LiteratureBenchmark.Compare(0.05, -0.05, 0.15, 400);
        Assert.Equal("weaker than", b.Comparisons[0].Verdict);
        Assert.Contains("weaker", b.Interpretation);
    }
}
