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
        MetaFixtures.Near(r["ci_lb"].D(), e.Interval.Lower, 1e-8, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].D(), e.Interval.Upper, 1e-8, "ci.ub");
        Assert.Equal("z", fit.ToJson()["test"]!.GetValue<string>());
        Assert.Contains(fit.Warnings, w => w.Contains("z test", StringComparison.Ordinal));
    }

    [Fact]
    public void Cumulative_under_Knapp_Hartung_starts_with_a_z_row_as_cumul()
    {
        var r = MetaFixtures.Edge("cumul_year_knha");
        var studies = MetaFixtures.Bcg();
        var cu = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "knha")).Cumulative([.. studies.Moderator("year").Numbers]);
        Assert.All(cu.Rows, row => Assert.True(double.IsFinite(row.Interval.Lower) && double.IsFinite(row.Interval.Upper), row.Label));
        MetaFixtures.Near(r["estimate"].Array(), [.. cu.Rows.Select(x => x.Estimate)], MetaFixtures.Estimate, "estimate");
        MetaFixtures.Near(r["se"].Array(), [.. cu.Rows.Select(x => x.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["ci_lb"].Array(), [.. cu.Rows.Select(x => x.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].Array(), [.. cu.Rows.Select(x => x.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
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
        var sub = MetaAnalysis.Subgroups(studies, "alloc", MetaFixtures.Options("REML", "knha"), SubgroupTau2.Separate);
        Assert.Equal(r["k"].Array().Select(x => (int)x), sub.Fits.Select(f => f.K));
        MetaFixtures.Near(r["beta"].Array(), [.. sub.Fits.Select(f => f.Estimate.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].Array(), [.. sub.Fits.Select(f => f.Estimate.StandardError)], MetaFixtures.Estimate, "se");
        Assert.True(double.IsFinite(sub.QBetween));
        MetaFixtures.Near(r["Qb"].D(), sub.QBetween, MetaFixtures.Estimate, "Q between");
        MetaFixtures.Near(r["Qbp"].D(), sub.QBetweenPValue, MetaFixtures.Estimate, "Q between p");
    }
}

/// <summary>Refits that fail or do not converge become NaN rows (metafor's NA) and are counted, instead of aborting or passing as valid.</summary>
public class FailedRefitTests
{
    /// <summary>Bcg with one of the two 'alternate' trials dropped: leaving out the other makes the alloc dummy constant (singular design).</summary>
    private static StudySet OneAlternate()
    {
        var bcg = MetaFixtures.Bcg();
        int drop = bcg.Labels.IndexOf(MetaFixtures.Edge("subgroups_alloc_knha_single")["dropped"]!.GetValue<string>());
        return bcg.Take([.. Enumerable.Range(0, bcg.Count).Where(i => i != drop)]);
    }

    [Fact]
    public void Influence_writes_a_NaN_row_for_a_refit_with_a_singular_design()
    {
        var studies = OneAlternate();
        var fit = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "z", "alloc"));
        var inf = fit.Influence();
        int single = studies.Moderator("alloc").Text.IndexOf("alternate");
        Assert.Equal(1, inf.FailedRefits);
        Assert.True(double.IsNaN(inf.Studies[single].CooksDistance));
        Assert.True(double.IsNaN(inf.Studies[single].Tau2Deleted));
        Assert.All(inf.Studies.Where((_, i) => i != single), s => Assert.True(double.IsFinite(s.CooksDistance), s.Label));
        Assert.Contains(inf.Warnings, w => w.Contains("1 refit failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Refits_that_do_not_converge_are_failed_rows_not_results()
    {
        var options = MetaFixtures.Options("REML") with { MaxIterations = 1 };
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), options);
        var loo = fit.LeaveOneOut();
        int nan = loo.Rows.Count(r => double.IsNaN(r.Estimate));
        Assert.True(nan > 0);
        Assert.Equal(nan, loo.FailedRefits);
        Assert.Contains(loo.Warnings, w => w.Contains("did not converge", StringComparison.Ordinal));
        var perm = PermutationTest.Run(fit, new PermutationOptions { Iterations = 50 });
        Assert.True(perm.Failed > 0);
    }
}

/// <summary>Messages and report lines do not depend on the current culture.</summary>
public class InvariantCultureTests
{
    [Fact]
    public void Messages_use_a_decimal_point_under_a_comma_culture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // The test host runs in globalization-invariant mode: a clone of the invariant culture with a decimal comma.
            var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            System.Globalization.CultureInfo.CurrentCulture = comma;
            var e = Assert.Throws<AllianceInputException>(() => MetaAnalysis.Fit(MetaFixtures.Bcg(), new MetaAnalysisOptions { Level = 1.5 }));
            Assert.Contains("1.5", e.Message, StringComparison.Ordinal);
            var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options("REML", "z", "ablat"));
            var perm = PermutationTest.Run(fit, new PermutationOptions { Iterations = 20 });
            string qmLine = perm.Summary().Lines[0];
            Assert.Contains(fit.QM.ToString("F4", System.Globalization.CultureInfo.InvariantCulture), qmLine, StringComparison.Ordinal);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }
}

/// <summary>Options that do not apply are said so, not silently dropped.</summary>
public class IgnoredOptionTests
{
    [Fact]
    public void Cumulative_puts_studies_without_an_order_key_last_and_says_so()
    {
        var studies = MetaFixtures.Bcg();
        var years = studies.Moderator("year").Numbers.ToArray();
        years[3] = double.NaN;
        var cu = MetaAnalysis.Fit(studies).Cumulative(years);
        Assert.Equal(3, cu.Order[^1]);
        Assert.Equal(1, cu.MissingOrderKeys);
        Assert.Contains(cu.Warnings, w => w.Contains("no order key", StringComparison.Ordinal));
    }

    [Fact]
    public void Report_notes_a_non_REML_method_with_a_cluster_and_leave_one_out_skipped_with_moderators()
    {
        var three = MetaReport.Run(MetaFixtures.Konstantopoulos(), new MetaReportOptions { ThreeLevel = true, Estimator = TauEstimator.DerSimonianLaird });
        Assert.Contains(three.Notes, n => n.Contains("REML only", StringComparison.Ordinal));
        var mods = MetaReport.Run(MetaFixtures.Bcg(), new MetaReportOptions { Moderators = ["ablat"], Influence = true });
        Assert.Null(mods.LeaveOneOut);
        Assert.NotNull(mods.Influence);
        Assert.Contains(mods.Notes, n => n.Contains("leave-one-out", StringComparison.Ordinal));
    }
}
