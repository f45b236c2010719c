using System.Text.Json.Nodes;
using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>
/// Subgroup analyses with a common τ² (the mixed-effects model) and separate τ² (fits per level, fixed-effect Q between),
/// and the degrees of freedom of the three-level model's t tests (residual vs containment), against
/// Fixtures/Meta/meta-subgroups-dfs.json (meta-subgroups-dfs-fixtures.R, metafor 3.8-1); in the library and through the CLI.
/// </summary>
public class SubgroupAndDfTests
{
    private static JsonNode R(string key) => MetaFixtures.Json("meta-subgroups-dfs")[key]!;

    private static StudySet Data(string key) => key.StartsWith("bcg", StringComparison.Ordinal) ? MetaFixtures.Bcg() : MetaFixtures.Molloy();

    [Theory]
    [InlineData("bcg_alloc_z", "alloc", "z")]
    [InlineData("bcg_alloc_knha", "alloc", "knha")]
    [InlineData("molloy_design_z", "design", "z")]
    public void Common_tau2_is_the_mixed_effects_model(string key, string moderator, string test)
    {
        var r = R(key);
        var c = r["common"]!;
        var sub = MetaAnalysis.Subgroups(Data(key), moderator, MetaFixtures.Options("REML", test), SubgroupTau2.Common);
        Assert.Equal(r["groups"]!.AsArray().Select(g => g!.GetValue<string>()), sub.Levels);
        Assert.Equal(r["k"].Array().Select(x => (int)x), sub.Groups.Select(g => g.K));
        Assert.Empty(sub.Fits);
        MetaFixtures.Near(c["tau2"].D(), sub.CommonTau2!.Value, MetaFixtures.Estimate, "common tau2");
        MetaFixtures.Near(c["beta"].Array(), [.. sub.Groups.Select(g => g.Estimate.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(c["se"].Array(), [.. sub.Groups.Select(g => g.Estimate.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(c["pval"].Array(), [.. sub.Groups.Select(g => g.Estimate.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(c["ci_lb"].Array(), [.. sub.Groups.Select(g => g.Estimate.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(c["ci_ub"].Array(), [.. sub.Groups.Select(g => g.Estimate.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        MetaFixtures.Near(c["QM"].D(), sub.QBetween, MetaFixtures.Estimate, "QM (between)");
        MetaFixtures.Near(c["QMp"].D(), sub.QBetweenPValue, MetaFixtures.Estimate, "QMp");
        var qmdf = c["QMdf"].Array();
        Assert.Equal(qmdf[0], sub.QBetweenDegreesOfFreedom);
        if (test == "knha")
        {
            Assert.Equal(qmdf[1], sub.QBetweenDenominatorDegreesOfFreedom);
            Assert.Equal("F", sub.BetweenTest);
            Assert.All(sub.Groups, g => Assert.Equal(c["ddf"].Array()[0], g.Estimate.DegreesOfFreedom));
        }
        else
        {
            Assert.Null(sub.QBetweenDenominatorDegreesOfFreedom);
            Assert.All(sub.Groups, g => Assert.Null(g.Estimate.DegreesOfFreedom));
        }
        MetaFixtures.Near(c["QE"].D(), sub.QWithin, MetaFixtures.Estimate, "QE (within)");
        Assert.Equal((int)c["QEdf"].D(), sub.QWithinDegreesOfFreedom);
        MetaFixtures.Near(c["QEp"].D(), sub.QWithinPValue, MetaFixtures.Estimate, "QEp");
        MetaFixtures.Near(r["within_Q"].Array(), [.. sub.Groups.Select(g => g.Q)], MetaFixtures.Estimate, "within-group Q");
        MetaFixtures.Near(r["within_p"].Array(), [.. sub.Groups.Select(g => g.QPValue)], MetaFixtures.Estimate, "within-group Q p");
    }

    [Theory]
    [InlineData("bcg_alloc_z", "alloc", "z")]
    [InlineData("bcg_alloc_knha", "alloc", "knha")]
    [InlineData("molloy_design_z", "design", "z")]
    public void Separate_tau2_fits_each_level_and_tests_with_the_fixed_effect_Q(string key, string moderator, string test)
    {
        var r = R(key);
        var s = r["separate"]!;
        var sub = MetaAnalysis.Subgroups(Data(key), moderator, MetaFixtures.Options("REML", test), SubgroupTau2.Separate);
        Assert.Null(sub.CommonTau2);
        MetaFixtures.Near(s["tau2"].Array(), [.. sub.Groups.Select(g => g.Tau2)], MetaFixtures.Estimate, "tau2");
        MetaFixtures.Near(s["I2"].Array(), [.. sub.Groups.Select(g => g.I2)], MetaFixtures.Estimate * 100, "I2");
        MetaFixtures.Near(s["beta"].Array(), [.. sub.Groups.Select(g => g.Estimate.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(s["se"].Array(), [.. sub.Groups.Select(g => g.Estimate.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(s["pval"].Array(), [.. sub.Groups.Select(g => g.Estimate.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(s["ci_lb"].Array(), [.. sub.Groups.Select(g => g.Estimate.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(s["ci_ub"].Array(), [.. sub.Groups.Select(g => g.Estimate.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        if (test == "knha") Assert.Equal(s["ddf"].Array(), sub.Groups.Select(g => g.Estimate.DegreesOfFreedom ?? double.NaN));
        MetaFixtures.Near(s["Qb"].D(), sub.QBetween, MetaFixtures.Estimate, "Q between");
        MetaFixtures.Near(s["Qbp"].D(), sub.QBetweenPValue, MetaFixtures.Estimate, "Q between p");
        Assert.Equal(s["Qbdf"].Array()[0], sub.QBetweenDegreesOfFreedom);
        Assert.Equal("chi2", sub.BetweenTest);
    }

    [Theory]
    [InlineData("three_level_t_residual", false, DegreesOfFreedomRule.Residual)]
    [InlineData("three_level_t_contain", false, DegreesOfFreedomRule.Containment)]
    [InlineData("three_level_year_t_residual", true, DegreesOfFreedomRule.Residual)]
    [InlineData("three_level_year_t_contain", true, DegreesOfFreedomRule.Containment)]
    public void Three_level_t_tests_count_df_by_the_rule(string key, bool year, DegreesOfFreedomRule rule)
    {
        var r = R(key);
        Assert.Equal(MetaNames.Name(rule), r["dfs"]!.GetValue<string>());
        var studies = MetaFixtures.Konstantopoulos();
        var fit = MetaAnalysis.FitMultilevel(studies, new MultilevelOptions
        {
            Test = MetaTest.KnappHartung, DegreesOfFreedomRule = rule, ProfileIntervals = false, Moderators = year ? ["year"] : [],
        });
        Assert.Equal(r["ddf"].Array(), fit.Coefficients.Select(c => c.DegreesOfFreedom!.Value));
        Assert.Equal(r["ddf"].Array()[0], fit.DegreesOfFreedom);
        Assert.Equal(rule, fit.DegreesOfFreedomRule);
        MetaFixtures.Near(r["beta"].Array(), [.. fit.Coefficients.Select(c => c.Estimate)], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["pval"].Array(), [.. fit.Coefficients.Select(c => c.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(r["ci_lb"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci_ub"].Array(), [.. fit.Coefficients.Select(c => c.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        var qmdf = r["QMdf"].Array();
        Assert.Equal((int)qmdf[0], fit.QMDegreesOfFreedom);
        Assert.Equal(qmdf[1], fit.QMDenominatorDegreesOfFreedom);
        MetaFixtures.Near(r["QM"].D(), fit.QM, MetaFixtures.Estimate, "QM");
        MetaFixtures.Near(r["QMp"].D(), fit.QMPValue, MetaFixtures.Estimate, "QMp");
        if (!year)
        {
            MetaFixtures.Near(r["pi_lb"].D(), fit.PredictionInterval.Lower, MetaFixtures.IntervalTolerance, "pi.lb");
            MetaFixtures.Near(r["pi_ub"].D(), fit.PredictionInterval.Upper, MetaFixtures.IntervalTolerance, "pi.ub");
        }
    }

    [Fact]
    public void Z_tests_have_no_df_and_no_rule()
    {
        var fit = MetaAnalysis.FitMultilevel(MetaFixtures.Konstantopoulos(), new MultilevelOptions { DegreesOfFreedomRule = DegreesOfFreedomRule.Containment, ProfileIntervals = false });
        Assert.Null(fit.DegreesOfFreedom);
        Assert.Null(fit.DegreesOfFreedomRule);
        Assert.Null(fit.Estimate.DegreesOfFreedom);
        Assert.Null(fit.QMDenominatorDegreesOfFreedom);
    }

    [Theory]
    [InlineData("htz_year_school", "year,school")]
    [InlineData("htz_year", "year")]
    public void CR2_HTZ_Wald_test_of_the_moderators_matches_clubSandwich(string key, string mods)
    {
        var r = R(key);
        var fit = MetaAnalysis.FitMultilevel(MetaFixtures.Konstantopoulos(), new MultilevelOptions { Moderators = [.. mods.Split(',')], ClusterRobust = true, ProfileIntervals = false });
        var w = fit.RobustWald!;
        Assert.Equal(mods.Split(','), w.Terms);
        Assert.Equal((int)r["df_num"].D(), w.NumeratorDegreesOfFreedom);
        MetaFixtures.Near(r["Fstat"].D(), w.F, MetaFixtures.Estimate, "F");
        MetaFixtures.Near(r["delta"].D(), w.Delta, MetaFixtures.Estimate, "delta");
        MetaFixtures.Near(r["df_denom"].D(), w.DenominatorDegreesOfFreedom, 1e-4, "HTZ denominator df");
        MetaFixtures.Near(r["p_val"].D(), w.PValue, MetaFixtures.Estimate, "p");
        MetaFixtures.Near(r["se"].Array(), [.. fit.Robust.Select(c => c.StandardError)], MetaFixtures.Estimate * 10, "CR2 se");
        MetaFixtures.Near(r["df"].Array(), [.. fit.Robust.Select(c => c.DegreesOfFreedom)], 1e-4, "Satterthwaite df");
    }

    [Fact]
    public void Cli_robust_with_moderators_adds_the_HTZ_test()
    {
        var o = Json("meta", MetaFixtures.Path("konstantopoulos2011.csv"), "--yi", "yi", "--vi", "vi", "--cluster", "district", "--robust", "--mods", "year,school");
        var w = o["robust_wald"]!;
        Assert.Equal("HTZ", w["test"]!.GetValue<string>());
        MetaFixtures.Near(R("htz_year_school")["Fstat"].D(), w["f"].D(), MetaFixtures.Estimate, "F");
        MetaFixtures.Near(R("htz_year_school")["df_denom"].D(), w["df_denom"].D(), 1e-4, "df");
        Assert.Null(Json("meta", MetaFixtures.Path("konstantopoulos2011.csv"), "--yi", "yi", "--vi", "vi", "--cluster", "district", "--robust")["robust_wald"]);
    }

    // ---- through the CLI

    private static JsonObject Json(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run([.. args, "--format", "json"]);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        return JsonNode.Parse(output)!.AsObject();
    }

    [Fact]
    public void Cli_three_level_json_records_the_df_and_its_rule()
    {
        string file = MetaFixtures.Path("konstantopoulos2011.csv");
        var residual = Json("meta", file, "--yi", "yi", "--vi", "vi", "--cluster", "district", "--test", "knha");
        Assert.Equal(55, residual["df"]!.GetValue<double>());
        Assert.Equal("residual", residual["dfs"]!.GetValue<string>());
        var contain = Json("meta", file, "--yi", "yi", "--vi", "vi", "--cluster", "district", "--test", "knha", "--dfs", "contain");
        Assert.Equal(10, contain["df"]!.GetValue<double>());
        Assert.Equal("contain", contain["dfs"]!.GetValue<string>());
        MetaFixtures.Near(R("three_level_t_contain")["ci_lb"].D(), contain["ci"]!.D(0), MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(R("three_level_t_contain")["pi_lb"].D(), contain["pi"]!.D(0), MetaFixtures.IntervalTolerance, "pi.lb");
        var year = Json("meta", file, "--yi", "yi", "--vi", "vi", "--cluster", "district", "--test", "knha", "--dfs", "contain", "--mods", "year");
        Assert.Equal(R("three_level_year_t_contain")["ddf"].Array(), year["coefficients"]!.AsArray().Select(c => c!["df"]!.GetValue<double>()));
        Assert.Equal(54, year["qm_df2"]!.GetValue<double>());
        var z = Json("meta", file, "--yi", "yi", "--vi", "vi", "--cluster", "district");
        Assert.Null(z["df"]);
        Assert.Null(z["dfs"]);
    }

    [Fact]
    public void Cli_univariate_knha_json_gives_each_coefficient_its_df()
    {
        var o = Json("meta", MetaFixtures.Path("bcg.csv"), "--mods", "ablat", "--test", "knha");
        Assert.Equal(11, o["df"]!.GetValue<double>());
        Assert.Equal("residual", o["dfs"]!.GetValue<string>());
        Assert.All(o["coefficients"]!.AsArray(), c => Assert.Equal(11, c!["df"]!.GetValue<double>()));
        Assert.Equal(11, o["qm_df2"]!.GetValue<double>());
    }

    [Fact]
    public void Cli_several_moderators_with_a_categorical_one_match_rma()
    {
        var r = MetaFixtures.Json("bcg")["mods_alloc_ablat"]!;
        var o = Json("meta", MetaFixtures.Path("bcg.csv"), "--mods", "alloc,ablat");
        var coefficients = o["coefficients"]!.AsArray();
        Assert.Equal(["intrcpt", "alloc=random", "alloc=systematic", "ablat"], coefficients.Select(c => c!["name"]!.GetValue<string>()));
        MetaFixtures.Near(r["beta"].Array(), [.. coefficients.Select(c => c!["estimate"].D())], MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].Array(), [.. coefficients.Select(c => c!["se"].D())], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["QM"].D(), o["qm"].D(), MetaFixtures.Estimate * 10, "QM");
        Assert.Equal(3, o["qm_df"]!.GetValue<int>());
    }

    [Fact]
    public void Cli_bias_and_leave_one_out_t_tests_carry_their_df()
    {
        var o = Json("meta", MetaFixtures.Path("bcg.csv"), "--bias", "--influence", "--test", "knha");
        Assert.Equal(MetaFixtures.Json("bcg")["pet"]!["df"].D(), o["pet_peese"]!["df"].D());
        Assert.Equal(MetaFixtures.Json("bcg")["regtest_lm"]!["df"].D(), o["egger_lm"]!["df"].D());
        Assert.Equal(11, o["egger"]!["df"].D());
        Assert.All(o["leave_one_out"]!.AsArray(), row => Assert.Equal(11, row!["df"].D()));
        var z = Json("meta", MetaFixtures.Path("bcg.csv"), "--influence");
        Assert.All(z["leave_one_out"]!.AsArray(), row => Assert.Null(row!["df"]));
    }

    [Theory]
    [InlineData(null, "common")]
    [InlineData("common", "common")]
    [InlineData("separate", "separate")]
    public void Cli_subgroup_adds_the_subgroup_analysis_with_common_tau2_by_default(string? option, string model)
    {
        var args = new List<string> { "meta", MetaFixtures.Path("bcg.csv"), "--subgroup", "alloc", "--test", "knha" };
        if (option is not null) args.AddRange(["--subgroup-tau2", option]);
        var o = Json([.. args]);
        var s = o["subgroups"]!.AsObject();
        var r = R("bcg_alloc_knha")[model]!;
        Assert.Equal(model, s["tau2_model"]!.GetValue<string>());
        Assert.Equal("alloc", s["moderator"]!.GetValue<string>());
        var groups = s["groups"]!.AsArray();
        Assert.Equal(3, groups.Count);
        MetaFixtures.Near(r["beta"].Array(), [.. groups.Select(g => g!["estimate"].D())], MetaFixtures.Estimate, "estimates");
        MetaFixtures.Near(r["se"].Array(), [.. groups.Select(g => g!["se"].D())], MetaFixtures.Estimate, "se");
        if (model == "common")
        {
            MetaFixtures.Near(r["QM"].D(), s["q_between"].D(), MetaFixtures.Estimate, "F between");
            Assert.Equal("F", s["q_between_test"]!.GetValue<string>());
            Assert.Equal(10, s["q_between_df2"]!.GetValue<double>());
            MetaFixtures.Near(r["tau2"].D(), s["tau2"].D(), MetaFixtures.Estimate, "common tau2");
        }
        else
        {
            MetaFixtures.Near(r["Qb"].D(), s["q_between"].D(), MetaFixtures.Estimate, "Q between");
            Assert.Equal("chi2", s["q_between_test"]!.GetValue<string>());
            Assert.Null(s["q_between_df2"]);
            Assert.Null(s["tau2"]);
            MetaFixtures.Near(r["tau2"].Array(), [.. groups.Select(g => g!["tau2"].D())], MetaFixtures.Estimate, "tau2");
        }
        Assert.Equal(2, s["q_between_df"]!.GetValue<int>());
        // The overall model is still the document's model.
        Assert.Equal(13, o["k"]!.GetValue<int>());
    }

    [Fact]
    public void Cli_subgroup_text_summary_names_the_tau2_model_and_the_test()
    {
        var (exit, output, error) = CliRunner.Run(["meta", MetaFixtures.Path("bcg.csv"), "--subgroup", "alloc", "--subgroup-tau2", "separate"]);
        Assert.True(exit == 0, error);
        Assert.Contains("Subgroup analysis by alloc (separate τ²)", output);
        Assert.Contains("Q_between(2) = 1.8614", output);
        Assert.Contains("Q_within(10)", output);
    }

    [Theory]
    [InlineData("--subgroup-tau2", "separate")]
    [InlineData("--dfs", "contain")]
    [InlineData("--subgroup", "alloc", "--mods", "ablat")]
    [InlineData("--subgroup", "nosuchcolumn")]
    [InlineData("--subgroup", "alloc", "--subgroup-tau2", "both")]
    public void Cli_misuse_of_the_new_options_is_a_usage_error(params string[] options)
    {
        var (exit, _, error) = CliRunner.Run(["meta", MetaFixtures.Path("bcg.csv"), .. options]);
        Assert.Equal(2, exit);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
