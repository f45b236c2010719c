using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Andersen's LR test, DIF by conditional likelihood ratio and model comparison against eRm 1.0.2 on VerbalAggression
/// (Fixtures/Irt/irt-cml.R): RSM median split LR 15.05 on 6 df, p = .0199 (reference-values.md).
/// </summary>
public class RaschTestsTests
{
    private static readonly ItemScale Scale = ItemScale.Likert(3, 0);
    private static ResponseMatrix Six => IrtFixtures.Matrix("verbal-aggression.csv", Scale, 6);

    [Fact]
    public void AndersenMedianSplitEqualsErmLRtest()
    {
        var rsm = IrtTests.Andersen(Six, new IrtOptions { Model = IrtModelType.RatingScale });
        var f = IrtFixtures.Cml.GetProperty("rsm6_andersen_median");
        Assert.Equal(f.GetProperty("lr").GetDouble(), rsm.Test.Statistic, 1e-3);
        Assert.Equal(f.GetProperty("df").GetInt32(), rsm.Test.DegreesOfFreedom);
        Assert.Equal(f.GetProperty("p").GetDouble(), rsm.Test.PValue, 1e-4);
        Assert.Equal(15.05, rsm.Test.Statistic, 0.01);
        var pcm = IrtTests.Andersen(Six, new IrtOptions { Model = IrtModelType.PartialCredit });
        var fp = IrtFixtures.Cml.GetProperty("pcm6_andersen_median");
        Assert.Equal(fp.GetProperty("lr").GetDouble(), pcm.Test.Statistic, 1e-3);
        Assert.Equal(fp.GetProperty("df").GetInt32(), pcm.Test.DegreesOfFreedom);
    }

    [Fact]
    public void AndersenByGroupingColumnEqualsErm()
    {
        var gender = IrtFixtures.Column("verbal-aggression.csv", "gender");
        var pcm = IrtTests.Andersen(Six, new IrtOptions { Model = IrtModelType.PartialCredit }, gender, "gender");
        var f = IrtFixtures.Cml.GetProperty("pcm6_andersen_gender");
        Assert.Equal(f.GetProperty("lr").GetDouble(), pcm.Test.Statistic, 1e-3);
        Assert.Equal(f.GetProperty("df").GetInt32(), pcm.Test.DegreesOfFreedom);
    }

    [Fact]
    public void DifLikelihoodRatioOfItemOneEqualsErmSplitItemFit()
    {
        var gender = IrtFixtures.Column("verbal-aggression.csv", "gender");
        var dif = IrtTests.Dif(Six, gender, new IrtOptions { Model = IrtModelType.PartialCredit });
        var f = IrtFixtures.Cml.GetProperty("pcm6_dif_item1");
        Assert.Equal(f.GetProperty("lr").GetDouble(), dif.Items[0].Test.Statistic, 1e-3);
        Assert.Equal(2, dif.Items[0].Test.DegreesOfFreedom);
        Assert.Equal(6, dif.Items.Length);
    }

    [Fact]
    public void RatingScaleAgainstPartialCreditByConditionalLikelihoodRatio()
    {
        var rsm = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.RatingScale });
        var pcm = IrtAnalysis.Fit(Six, new IrtOptions { Model = IrtModelType.PartialCredit });
        var cmp = IrtTests.Compare(rsm, pcm);
        var t = Assert.Single(cmp.Tests);
        Assert.Equal(5, t.Test.DegreesOfFreedom);
        Assert.Equal(2 * (-1001.856 + 1004.574), t.Test.Statistic, 2e-3);
        Assert.Equal(-2 * pcm.LogLikelihood + 2 * 11, pcm.Aic, 1e-9);
    }
}
