using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>
/// The three-level model on dat.konstantopoulos2011 against <c>rma.mv(yi, vi, random = ~ 1 | district/school)</c>
/// with profile intervals (<c>confint</c>), t tests, a moderator, and CR2 tests against
/// <c>robust(fit, cluster = district, clubSandwich = TRUE)</c>.
/// </summary>
public class ThreeLevelTests
{
    /// <summary>I² per level: metafor does not print it; meta-edge-fixtures.R computes it from the rma.mv fit with the
    /// formula of the metafor website ("I² for multilevel and multivariate models"), P = W − WX(X′WX)⁻¹X′W, W = diag(1/v).</summary>
    [Theory]
    [InlineData("three_level")]
    [InlineData("three_level_year")]
    public void Three_level_I2_matches_the_metafor_website_formula(string key)
    {
        var r = MetaFixtures.Edge(key + "_i2");
        var fit = MetaAnalysis.FitMultilevel(Studies(key == "three_level_year"), Options(key == "three_level_year"));
        MetaFixtures.Near(r["sigma2"].Array(), [.. fit.Sigma2], MetaFixtures.Estimate, "sigma2");
        MetaFixtures.Near(r["total_district_school"].Array(), [.. fit.I2], MetaFixtures.Estimate * 100, "I2 total, district, school");
    }

    [Theory]
    [InlineData("three_level")]
    [InlineData("three_level_year")]
    public void Three_level_REML_matches_rma_mv(string key)
    {
        var r = MetaFixtures.Json("konstantopoulos2011")[key]!;
        var fit = MetaAnalysis.FitMultilevel(Studies(key == "three_level_year"), Options(key == "three_level_year"));
        Assert.True(fit.Convergence.Converged);
        MetaFixtures.Near(r["sigma2"].Array(), [.. fit.Sigma2], MetaFixtures.Estimate, "sigma2");
        MetaFixtures.Near(r["beta"].Array(), [.. fit.Coefficients.Select(c => c.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].Array(), [.. fit.Coefficients.Select(c => c.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["pval"].Array(), [.. fit.Coefficients.Select(c => c.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(r["ci_lb"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        MetaFixtures.Near(r["QE"].D(), fit.Q, MetaFixtures.Estimate, "QE");
        MetaFixtures.Near(r["QM"].D(), fit.QM, MetaFixtures.Estimate, "QM");
        MetaFixtures.Near(r["QMp"].D(), fit.QMPValue, MetaFixtures.Estimate, "QMp");
        MetaFixtures.Near(r["ll_reml"].D(), fit.LogLikelihoodREML, MetaFixtures.Estimate, "logLik");
        MetaFixtures.Near(r["sigma2_1_ci"].Array(), [fit.Sigma2Intervals[0].Lower, fit.Sigma2Intervals[0].Upper], MetaFixtures.IntervalTolerance, "sigma2.1 CI");
        MetaFixtures.Near(r["sigma2_2_ci"].Array(), [fit.Sigma2Intervals[1].Lower, fit.Sigma2Intervals[1].Upper], MetaFixtures.IntervalTolerance, "sigma2.2 CI");
        if (r["pi_lb"] is { } pl)
        {
            MetaFixtures.Near(pl.D(), fit.PredictionInterval.Lower, MetaFixtures.IntervalTolerance, "pi.lb");
            MetaFixtures.Near(r["pi_ub"].D(), fit.PredictionInterval.Upper, MetaFixtures.IntervalTolerance, "pi.ub");
        }
    }

    [Fact]
    public void T_tests_use_k_minus_p_degrees_of_freedom()
    {
        var r = MetaFixtures.Json("konstantopoulos2011")["three_level_t"]!;
        var fit = MetaAnalysis.FitMultilevel(Studies(false), new MultilevelOptions { Test = MetaTest.KnappHartung, ProfileIntervals = false });
        Assert.Equal(r["ddf"].D(), fit.DegreesOfFreedom);
        MetaFixtures.Near(r["ci_lb"].D(), fit.Estimate.Interval.Lower, MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["pi_ub"].D(), fit.PredictionInterval.Upper, MetaFixtures.IntervalTolerance, "pi.ub");
    }

    [Theory]
    [InlineData("cr2", false)]
    [InlineData("cr2_year", true)]
    public void CR2_cluster_robust_tests_match_clubSandwich(string key, bool year)
    {
        var r = MetaFixtures.Json("konstantopoulos2011")[key]!;
        var fit = MetaAnalysis.FitMultilevel(Studies(year), Options(year) with { ClusterRobust = true, ProfileIntervals = false });
        MetaFixtures.Near(r["se"].Array(), [.. fit.Robust.Select(c => c.StandardError)], MetaFixtures.Estimate, "CR2 se");
        MetaFixtures.Near(r["tval"].Array(), [.. fit.Robust.Select(c => c.Statistic)], MetaFixtures.Estimate * 10, "t");
        MetaFixtures.Near(r["df"].Array(), [.. fit.Robust.Select(c => c.DegreesOfFreedom)], 1e-4, "Satterthwaite df");
        MetaFixtures.Near(r["pval"].Array(), [.. fit.Robust.Select(c => c.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(r["ci_lb"].Array(), [.. fit.Robust.Select(c => c.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].Array(), [.. fit.Robust.Select(c => c.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
    }

    private static StudySet Studies(bool year)
    {
        var s = MetaFixtures.Konstantopoulos();
        return year ? s.WithModerator(ModeratorColumn.FromNumbers("year1990", s.Moderator("year").Numbers.Select(y => y - 1990))) : s;
    }

    private static MultilevelOptions Options(bool year) => new() { Moderators = year ? ["year1990"] : [] };
}
