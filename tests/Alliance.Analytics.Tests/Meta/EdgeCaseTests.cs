using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>Edge cases against metafor (Fixtures/Meta/meta-edge-fixtures.R → meta-edge.json).</summary>
public class EdgeCaseTests
{
    /// <summary>rma.uni sets test = "z" when k = 1 (Knapp–Hartung would have s² = 0 on 0 degrees of freedom).</summary>
    [Fact]
    public void Knapp_Hartung_with_one_study_falls_back_to_z_as_metafor()
    {
        var r = MetaFixtures.Edge("knha_k1");
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg().Take([0]), MetaFixtures.Options("REML", "knha"));
        Assert.Null(fit.DegreesOfFreedom);
        var e = fit.Estimate;
        MetaFixtures.Near(r["beta"].D(), e.Estimate, MetaFixtures.Rounding, "beta");
        MetaFixtures.Near(r["se"].D(), e.StandardError, MetaFixtures.Rounding, "se");
        MetaFixtures.Near(r["zval"].D(), e.Statistic, 1e-8, "z");
        MetaFixtures.Near(r["pval"].D(), e.PValue, 1e-8, "p");
        MetaFixtures.Near(r["ci_lb"].D(), e.Ci.Lower, 1e-8, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].D(), e.Ci.Upper, 1e-8, "ci.ub");
        Assert.Equal("z", fit.ToJson()["test"]!.GetValue<string>());
        Assert.Contains(fit.Warnings, w => w.Contains("z test", StringComparison.Ordinal));
    }

    [Fact]
    public void Cumulative_under_Knapp_Hartung_starts_with_a_z_row_as_cumul()
    {
        var r = MetaFixtures.Edge("cumul_year_knha");
        var studies = MetaFixtures.Bcg();
        var cu = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "knha")).Cumulative([.. studies.Moderator("year").Numbers]);
        Assert.All(cu.Rows, row => Assert.True(double.IsFinite(row.Ci.Lower) && double.IsFinite(row.Ci.Upper), row.Label));
        MetaFixtures.Near(r["estimate"].Array(), [.. cu.Rows.Select(x => x.Estimate)], MetaFixtures.Estimate, "estimate");
        MetaFixtures.Near(r["se"].Array(), [.. cu.Rows.Select(x => x.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["ci_lb"].Array(), [.. cu.Rows.Select(x => x.Ci.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].Array(), [.. cu.Rows.Select(x => x.Ci.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        MetaFixtures.Near(r["tau2"].Array(), [.. cu.Rows.Select(x => x.Tau2)], MetaFixtures.Estimate, "tau2");
    }

    [Fact]
    public void Subgroups_under_Knapp_Hartung_with_a_single_study_level()
    {
        var r = MetaFixtures.Edge("subgroups_alloc_knha_single");
        var bcg = MetaFixtures.Bcg();
        int drop = bcg.Labels.IndexOf(r["dropped"]!.GetValue<string>());
        Assert.True(drop >= 0);
        var studies = bcg.Take([.. Enumerable.Range(0, bcg.Count).Where(i => i != drop)]);
        var sub = MetaAnalysis.Subgroups(studies, "alloc", MetaFixtures.Options("REML", "knha"));
        Assert.Equal(r["k"].Array().Select(x => (int)x), sub.Fits.Select(f => f.K));
        MetaFixtures.Near(r["beta"].Array(), [.. sub.Fits.Select(f => f.Estimate.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].Array(), [.. sub.Fits.Select(f => f.Estimate.StandardError)], MetaFixtures.Estimate, "se");
        Assert.True(double.IsFinite(sub.QBetween));
        MetaFixtures.Near(r["Qb"].D(), sub.QBetween, MetaFixtures.Estimate, "Q between");
        MetaFixtures.Near(r["Qbp"].D(), sub.QBetweenPValue, MetaFixtures.Estimate, "Q between p");
    }
}
