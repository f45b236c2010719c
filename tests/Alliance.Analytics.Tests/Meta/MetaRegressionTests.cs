using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>Meta-regression against <c>metafor::rma(yi, vi, mods = ~ …)</c> (fixtures from meta-fixtures.R): QM, QE, R², coefficients.</summary>
public class MetaRegressionTests
{
    [Theory]
    [InlineData("mods_ablat", "REML", "z")]
    [InlineData("mods_ablat_knha", "REML", "knha")]
    [InlineData("mods_ablat_dl", "DL", "z")]
    public void Bcg_latitude_meta_regression(string key, string method, string test)
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options(method, test, "ablat"));
        MetaFixtures.AssertMatches(MetaFixtures.Json("bcg")[key]!, fit);
        Assert.NotNull(fit.R2);
    }

    [Theory]
    [InlineData("EE")]
    [InlineData("DL")]
    [InlineData("HE")]
    [InlineData("HS")]
    [InlineData("SJ")]
    [InlineData("ML")]
    [InlineData("REML")]
    [InlineData("PM")]
    [InlineData("EB")]
    public void Bcg_two_moderators_every_estimator(string method)
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options(method, "z", "ablat", "year"));
        MetaFixtures.AssertMatches(MetaFixtures.Json("bcg")["mods_ablat_year_" + method]!, fit);
    }

    [Fact]
    public void Categorical_moderator_uses_treatment_coding_in_R_level_order()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options("REML", "z", "alloc", "ablat"));
        Assert.Equal(new[] { "intrcpt", "alloc=random", "alloc=systematic", "ablat" }, fit.Design.ColumnNames.ToArray());
        MetaFixtures.AssertMatches(MetaFixtures.Json("bcg")["mods_alloc_ablat"]!, fit);
        Assert.Equal(3, fit.QMDegreesOfFreedom);
    }

    [Fact]
    public void Raudenbush_log_weeks_moderator_with_Q_profile()
    {
        var studies = MetaFixtures.Raudenbush();
        studies = studies.WithModerator(ModeratorColumn.FromNumbers("logweeks", studies.Moderator("weeks").Numbers.Select(w => Math.Log(w + 1))));
        var fit = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "z", "logweeks"));
        MetaFixtures.AssertMatches(MetaFixtures.Json("raudenbush1985")["mods_logweeks"]!, fit);
    }

    [Fact]
    public void Raudenbush_log_weeks_and_tester_with_Q_profile()
    {
        var studies = MetaFixtures.Raudenbush();
        studies = studies.WithModerator(ModeratorColumn.FromNumbers("logweeks", studies.Moderator("weeks").Numbers.Select(w => Math.Log(w + 1))));
        var fit = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "z", "logweeks", "tester"));
        MetaFixtures.AssertMatches(MetaFixtures.Json("raudenbush1985")["mods_weeks_tester"]!, fit);
    }

    [Fact]
    public void Molloy_back_transformed_to_r_matches_predict_with_transf_ztor()
    {
        var r = MetaFixtures.Json("molloy2014")["reml_r"]!;
        var fit = MetaAnalysis.Fit(MetaFixtures.Molloy());
        MetaFixtures.Near(r["pred"].D(), fit.EstimateR, MetaFixtures.Estimate, "r");
        MetaFixtures.Near(r["ci_lb"].D(), fit.IntervalR.Lower, MetaFixtures.IntervalTolerance, "r ci.lb");
        MetaFixtures.Near(r["ci_ub"].D(), fit.IntervalR.Upper, MetaFixtures.IntervalTolerance, "r ci.ub");
        MetaFixtures.Near(r["pi_lb"].D(), fit.PredictionIntervalR.Lower, MetaFixtures.IntervalTolerance, "r pi.lb");
        MetaFixtures.Near(r["pi_ub"].D(), fit.PredictionIntervalR.Upper, MetaFixtures.IntervalTolerance, "r pi.ub");
    }

    [Theory]
    [InlineData("mods_design_meanage", "z")]
    [InlineData("mods_design_meanage_knha", "knha")]
    public void Molloy_design_and_age(string key, string test)
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Molloy(), MetaFixtures.Options("REML", test, "design", "meanage"));
        MetaFixtures.AssertMatches(MetaFixtures.Json("molloy2014")[key]!, fit);
    }

    [Theory]
    [InlineData("knha")]
    public void Molloy_Knapp_Hartung_random_effects(string test)
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Molloy(), MetaFixtures.Options("REML", test));
        MetaFixtures.AssertMatches(MetaFixtures.Json("molloy2014")["knha"]!, fit);
        MetaFixtures.AssertMatches(MetaFixtures.Json("bcg")["knha"]!, MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options("REML", test)));
    }

    [Fact]
    public void Raw_correlations_use_the_large_sample_variance()
    {
        var fixture = MetaFixtures.Json("molloy2014");
        var raw = MetaFixtures.Molloy(EffectMeasure.RawCorrelation);
        MetaFixtures.Near(fixture["cor"]!["yi"].Array(), [.. raw.Yi], 1e-12, "COR yi");
        MetaFixtures.Near(fixture["cor"]!["vi"].Array(), [.. raw.Vi], 1e-12, "COR vi");
        var z = MetaFixtures.Molloy();
        MetaFixtures.Near(fixture["zcor"]!["yi"].Array(), [.. z.Yi], 1e-12, "ZCOR yi");
        MetaFixtures.Near(fixture["zcor"]!["vi"].Array(), [.. z.Vi], 1e-12, "ZCOR vi");
        MetaFixtures.AssertMatches(fixture["cor_reml"]!, MetaAnalysis.Fit(raw));
    }

    [Theory]
    [InlineData("z")]
    [InlineData("knha")]
    public void Predict_matches_predict_rma(string test)
    {
        var r = MetaFixtures.Edge("predict_ablat_" + test);
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options("REML", test, "ablat"));
        var at = r["ablat"].Array();
        for (int i = 0; i < at.Length; i++)
        {
            var (mean, pi) = fit.Predict([at[i]]);
            double est = mean.Value, se = mean.StandardError;
            var ci = mean.Interval!;
            string w = $"ablat = {at[i]}";
            MetaFixtures.Near(r["pred"]!.D(i), est, MetaFixtures.Estimate, w + " pred");
            MetaFixtures.Near(r["se"]!.D(i), se, MetaFixtures.Estimate, w + " se");
            MetaFixtures.Near(r["ci_lb"]!.D(i), ci.Lower, MetaFixtures.IntervalTolerance, w + " ci.lb");
            MetaFixtures.Near(r["ci_ub"]!.D(i), ci.Upper, MetaFixtures.IntervalTolerance, w + " ci.ub");
            MetaFixtures.Near(r["pi_lb"]!.D(i), pi.Lower, MetaFixtures.IntervalTolerance, w + " pi.lb");
            MetaFixtures.Near(r["pi_ub"]!.D(i), pi.Upper, MetaFixtures.IntervalTolerance, w + " pi.ub");
        }
    }

    [Fact]
    public void Subgroups_fit_each_level_and_test_the_difference()
    {
        var r = MetaFixtures.Json("bcg")["subgroups_alloc"]!;
        var sub = MetaAnalysis.Subgroups(MetaFixtures.Bcg(), "alloc", tau2: SubgroupTau2.Separate);
        Assert.Equal(new[] { "alternate", "random", "systematic" }, sub.Levels.ToArray());
        MetaFixtures.Near(r["beta"].Array(), [.. sub.Fits.Select(f => f.Estimate.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].Array(), [.. sub.Fits.Select(f => f.Estimate.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["tau2"].Array(), [.. sub.Fits.Select(f => f.Tau2)], MetaFixtures.Estimate, "tau2");
        MetaFixtures.Near(r["Qb"].D(), sub.QBetween, MetaFixtures.Estimate, "Q between");
        MetaFixtures.Near(r["Qbp"].D(), sub.QBetweenPValue, MetaFixtures.Estimate, "Q between p");
        Assert.Equal(2, sub.QBetweenDegreesOfFreedom);
    }

    [Fact]
    public void Exact_permutation_test_of_a_binary_moderator_matches_permutest()
    {
        var r = MetaFixtures.Json("bcg")["permutation_random"]!;
        var studies = MetaFixtures.Bcg();
        studies = studies.WithModerator(ModeratorColumn.FromNumbers("random", studies.Moderator("alloc").Text.Select(a => a == "random" ? 1.0 : 0.0)));
        var fit = MetaAnalysis.Fit(studies, MetaFixtures.Options("REML", "z", "random"));
        MetaFixtures.Near(r["QM"].D(), fit.QM, MetaFixtures.Estimate, "QM");
        var perm = PermutationTest.Run(fit, new PermutationOptions { Iterations = 2000 });
        Assert.True(perm.Exact);
        Assert.Equal(1716, perm.Iterations);
        MetaFixtures.Near(r["QMp"].D(), perm.QMPValue, 1e-12, "QM permutation p");
        MetaFixtures.Near(r["pval"].Array(), [.. perm.Coefficients.Select(c => c.PValue)], 1e-12, "coefficient permutation p");
    }

    [Fact]
    public void Exact_sign_flip_test_of_an_intercept_only_model_matches_permutest()
    {
        var r = MetaFixtures.Json("bcg")["permutation_intercept"]!;
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg());
        var perm = PermutationTest.Run(fit, new PermutationOptions { Iterations = 10000 });
        Assert.True(perm.Exact);
        Assert.Equal(8192, perm.Iterations);
        MetaFixtures.Near(r["pval"].D(), perm.Coefficients[0].PValue, 1e-12, "p");
        MetaFixtures.Near(r["QMp"].D(), perm.QMPValue, 1e-12, "QM p");
    }

    [Fact]
    public void Sampled_permutation_test_is_reproducible_and_independent_of_threads()
    {
        var fit = MetaAnalysis.Fit(MetaFixtures.Bcg(), MetaFixtures.Options("REML", "z", "ablat"));
        var one = PermutationTest.Run(fit, new PermutationOptions { Iterations = 500, Seed = 7, MaxDegreeOfParallelism = 1 });
        var two = PermutationTest.Run(fit, new PermutationOptions { Iterations = 500, Seed = 7, MaxDegreeOfParallelism = 2 });
        Assert.False(one.Exact);
        Assert.Equal(one.QMPValue, two.QMPValue);
        Assert.Equal(one.Coefficients.Select(c => c.PValue), two.Coefficients.Select(c => c.PValue));
        // The exact p of latitude is tiny (QM 16.4 in metafor's example); with the observed arrangement counted, p ≥ 1/500.
        Assert.InRange(one.QMPValue, 1.0 / 500, 0.02);
    }
}
