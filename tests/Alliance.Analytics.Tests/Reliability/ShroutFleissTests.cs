using Alliance.Analytics.Data;
using Alliance.Analytics.Reliability;
using Alliance.Analytics.Instruments;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// Shrout &amp; Fleiss (1979), Table 2: six targets rated by four judges. Published values from
/// /work/shared/domain/reference-values.md and the full-precision fixture Fixtures/Reliability/shrout-fleiss.R
/// (psych::ICC with and without lmer).
/// </summary>
public sealed class ShroutFleissTests
{
    private static readonly Lazy<IntraclassCorrelationResult> Icc = new(() =>
        ReliabilityAnalysis.IntraclassCorrelation(Csv("shrout-fleiss.csv", ItemScale.Likert(10))));

    [Fact]
    public void The_six_ICCs_match_Shrout_and_Fleiss_Table_4_and_psychs_printout()
    {
        // Shrout & Fleiss (1979), Table 4: .17, .29, .71, .44, .62, .91; psych prints .1657, .2898, .7148, .4428, .6201, .9093
        // (reference-values.md, "Reliability").
        double[] published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91];
        double[] psych = [0.1657, 0.2898, 0.7148, 0.4428, 0.6201, 0.9093];
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(published[i], Icc.Value.Estimates[i].Value, 0.005);
            Assert.Equal(psych[i], Icc.Value.Estimates[i].Value, 5e-5);
        }
        Assert.Equal(0.2898, Icc.Value["ICC(2,1)"].Value, 5e-5);
    }

    [Fact]
    public void Icc_F_tests_and_intervals_match_psych_ICC_anova_to_closed_form_precision()
    {
        var r = Json("shrout-fleiss.json")["anova"]!;
        var e = Icc.Value.Estimates;
        Assert.Equal(["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"], e.Select(x => x.Type).ToArray());
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(Numbers(r["icc"])[i], e[i].Value, ClosedForm);
            Assert.Equal(Numbers(r["f"])[i], e[i].F, ClosedForm);
            Assert.Equal(Numbers(r["df1"])[i], e[i].Df1, ClosedForm);
            Assert.Equal(Numbers(r["df2"])[i], e[i].Df2, ClosedForm);
            Assert.Equal(Numbers(r["p"])[i], e[i].PValue, ClosedForm);
            Assert.Equal(Numbers(r["lower"])[i], e[i].Interval.Lower, ClosedForm);
            Assert.Equal(Numbers(r["upper"])[i], e[i].Interval.Upper, ClosedForm);
        }
        var ms = Json("shrout-fleiss.json")["ms"]!;
        Assert.Equal(Number(ms["MSB"]), Icc.Value.MeanSquareTargets, ClosedForm);
        Assert.Equal(Number(ms["MSJ"]), Icc.Value.MeanSquareRaters, ClosedForm);
        Assert.Equal(Number(ms["MSE"]), Icc.Value.MeanSquareError, ClosedForm);
        Assert.Equal(Number(ms["MSW"]), Icc.Value.MeanSquareWithin, ClosedForm);
    }

    [Fact]
    public void Icc_agrees_with_psychs_default_lmer_fit_to_its_convergence()
    {
        // With complete data and positive variance components the REML fit gives the ANOVA figures (to lmer's tolerance).
        var r = Json("shrout-fleiss.json")["lmer"]!;
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(Numbers(r["icc"])[i], Icc.Value.Estimates[i].Value, 1e-5);
            Assert.Equal(Numbers(r["lower"])[i], Icc.Value.Estimates[i].Interval.Lower, 1e-5);
            Assert.Equal(Numbers(r["upper"])[i], Icc.Value.Estimates[i].Interval.Upper, 1e-5);
        }
    }

    [Fact]
    public void Icc_uses_targets_rated_by_every_rater_and_says_so()
    {
        var values = Csv("shrout-fleiss.csv", ItemScale.Likert(10)).Values.ToArray();
        values[5] = double.NaN;   // target 2, judge 2
        var icc = ReliabilityAnalysis.IntraclassCorrelation(ResponseMatrix.Create(values, ["J1", "J2", "J3", "J4"], ItemScale.Likert(10)));
        Assert.Equal(5, icc.Targets);
        Assert.Equal(1, icc.Usage.RowsExcluded);
        Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.IntraclassCorrelation(Csv("shrout-fleiss.csv", ItemScale.Likert(10)).SelectItems(["J1"])));
    }
}
