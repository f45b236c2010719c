using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary>Bias tests, trim-and-fill, PET-PEESE, leave-one-out, influence and cumulative analyses against metafor fixtures.</summary>
public class BiasAndInfluenceTests
{
    [Theory]
    [InlineData("bcg")]
    [InlineData("molloy2014")]
    [InlineData("egger2001")]
    public void Egger_tests_both_ways_and_rank_correlation(string set)
    {
        var fit = MetaAnalysis.Fit(Studies(set));
        var r = MetaFixtures.Json(set);
        var egger = PublicationBias.Egger(fit);
        MetaFixtures.Near(r["regtest"]!["zval"].D(), egger.Statistic, MetaFixtures.Estimate, "regtest z");
        MetaFixtures.Near(r["regtest"]!["pval"].D(), egger.PValue, MetaFixtures.Estimate, "regtest p");
        MetaFixtures.Near(r["regtest"]!["est"].D(), egger.LimitEstimate, MetaFixtures.Estimate, "limit estimate");
        var lm = PublicationBias.EggerClassical(fit);
        MetaFixtures.Near(r["regtest_lm"]!["tval"].D(), lm.Statistic, MetaFixtures.Estimate, "lm t");
        MetaFixtures.Near(r["regtest_lm"]!["pval"].D(), lm.PValue, MetaFixtures.Estimate, "lm p");
        MetaFixtures.Near(r["regtest_lm"]!["df"].D(), lm.DegreesOfFreedom!.Value, 0, "lm df");
        var rank = PublicationBias.RankCorrelation(fit);
        MetaFixtures.Near(r["ranktest"]!["tau"].D(), rank.Tau, 1e-12, "Kendall tau");
        MetaFixtures.Near(r["ranktest"]!["pval"].D(), rank.PValue, 1e-9, "rank p");
    }

    [Theory]
    [InlineData("bcg")]
    [InlineData("molloy2014")]
    [InlineData("egger2001")]
    public void Trim_and_fill_matches_metafor(string set)
    {
        var fit = MetaAnalysis.Fit(Studies(set));
        var r = MetaFixtures.Json(set)["trimfill"]!;
        var tf = PublicationBias.TrimAndFill(fit);
        Assert.Equal((int)r["k0"].D(), tf.MissingStudies);
        Assert.Equal(r["side"]!.GetValue<string>(), tf.Side.ToString().ToLowerInvariant());
        MetaFixtures.Near(r["beta"].D(), tf.Filled.Estimate.Estimate, MetaFixtures.Estimate, "beta");
        MetaFixtures.Near(r["se"].D(), tf.Filled.Estimate.StandardError, MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["tau2"].D(), tf.Filled.Tau2, MetaFixtures.Estimate, "tau2");
        if (r["yi"] is not null)
        {
            MetaFixtures.Near(r["yi"].Array(), [.. tf.Filled.Studies.Yi], 1e-9, "filled yi");
            MetaFixtures.Near(r["vi"].Array(), [.. tf.Filled.Studies.Vi], 1e-12, "filled vi");
            MetaFixtures.Near(r["ci_lb"].D(), tf.Filled.Estimate.Interval.Lower, MetaFixtures.IntervalTolerance, "ci.lb");
        }
        if (r["se_k0"] is { } sek0) MetaFixtures.Near(sek0.D(), tf.MissingStudiesStandardError, 1e-9, "se k0");
    }

    [Theory]
    [InlineData("bcg")]
    [InlineData("egger2001")]
    public void Pet_peese_is_weighted_least_squares(string set)
    {
        var fit = MetaAnalysis.Fit(Studies(set));
        var r = MetaFixtures.Json(set);
        var pp = PublicationBias.PetPeese(fit);
        foreach (var (key, coef) in new[] { ("pet", pp.Pet), ("peese", pp.Peese) })
        {
            MetaFixtures.Near(r[key]!["est"].D(), coef.Estimate, MetaFixtures.Estimate, key + " estimate");
            MetaFixtures.Near(r[key]!["se"].D(), coef.StandardError, MetaFixtures.Estimate, key + " se");
            MetaFixtures.Near(r[key]!["tval"].D(), coef.Statistic, MetaFixtures.Estimate, key + " t");
            MetaFixtures.Near(r[key]!["pval"].D(), coef.PValue, MetaFixtures.Estimate, key + " p");
            MetaFixtures.Near(r[key]!["ci_lb"].D(), coef.Interval.Lower, MetaFixtures.IntervalTolerance, key + " ci.lb");
        }
        MetaFixtures.Near(r["pet"]!["slope"].D(), pp.PetSlope, MetaFixtures.Estimate, "PET slope");
        Assert.Equal(r["pet"]!["pval"].D() < 0.10, pp.UsePeese);
    }

    [Theory]
    [InlineData("bcg")]
    [InlineData("molloy2014")]
    public void Leave_one_out_matches_leave1out(string set)
    {
        var r = MetaFixtures.Json(set)["leave1out"]!;
        var loo = MetaAnalysis.Fit(Studies(set)).LeaveOneOut();
        Compare(r, loo.Rows, "pval");
    }

    [Fact]
    public void Cumulative_by_year_matches_cumul()
    {
        var studies = MetaFixtures.Bcg();
        var r = MetaFixtures.Json("bcg")["cumul_year"]!;
        var cu = MetaAnalysis.Fit(studies).Cumulative([.. studies.Moderator("year").Numbers]);
        Assert.Equal(r["order"].Array().Select(o => (int)o - 1), cu.Order);
        Compare(r, cu.Rows, "pvals");
    }

    [Theory]
    [InlineData("bcg", "influence")]
    [InlineData("molloy2014", "influence")]
    [InlineData("bcg", "influence_ablat")]
    public void Influence_diagnostics_match_influence(string set, string key)
    {
        var r = MetaFixtures.Json(set)[key]!;
        var fit = MetaAnalysis.Fit(Studies(set), key == "influence_ablat" ? MetaFixtures.Options("REML", "z", "ablat") : null);
        var inf = fit.Influence();
        MetaFixtures.Near(r["rstudent"].Array(), [.. inf.Studies.Select(s => s.StudentizedResidual)], MetaFixtures.Estimate, "rstudent");
        MetaFixtures.Near(r["dffits"].Array(), [.. inf.Studies.Select(s => s.Dffits)], MetaFixtures.Estimate, "dffits");
        MetaFixtures.Near(r["cook.d"].Array(), [.. inf.Studies.Select(s => s.CooksDistance)], MetaFixtures.Estimate, "cook.d");
        MetaFixtures.Near(r["cov.r"].Array(), [.. inf.Studies.Select(s => s.CovarianceRatio)], MetaFixtures.Estimate, "cov.r");
        MetaFixtures.Near(r["tau2.del"].Array(), [.. inf.Studies.Select(s => s.Tau2Deleted)], MetaFixtures.Estimate, "tau2.del");
        MetaFixtures.Near(r["QE.del"].Array(), [.. inf.Studies.Select(s => s.QDeleted)], MetaFixtures.Estimate, "QE.del");
        MetaFixtures.Near(r["hat"].Array(), [.. inf.Studies.Select(s => s.Hat)], MetaFixtures.Estimate, "hat");
        MetaFixtures.Near(r["weight"].Array(), [.. inf.Studies.Select(s => s.Weight)], MetaFixtures.Estimate * 10, "weight");
        if (key == "influence_ablat")
        {
            MetaFixtures.Near(r["dfbs_intrcpt"].Array(), [.. inf.Studies.Select(s => s.Dfbetas[0])], MetaFixtures.Estimate, "dfbs intrcpt");
            MetaFixtures.Near(r["dfbs_ablat"].Array(), [.. inf.Studies.Select(s => s.Dfbetas[1])], MetaFixtures.Estimate, "dfbs ablat");
        }
        else MetaFixtures.Near(r["dfbs"].Array(), [.. inf.Studies.Select(s => s.Dfbetas[0])], MetaFixtures.Estimate, "dfbs");
    }

    private static void Compare(System.Text.Json.Nodes.JsonNode r, IReadOnlyList<SubsetFit> rows, string pKey)
    {
        MetaFixtures.Near(r["estimate"].Array(), [.. rows.Select(x => x.Estimate)], MetaFixtures.Estimate, "estimate");
        MetaFixtures.Near(r["se"].Array(), [.. rows.Select(x => x.StandardError)], MetaFixtures.Estimate, "se");
        MetaFixtures.Near(r["zval"].Array(), [.. rows.Select(x => x.Statistic)], MetaFixtures.Estimate * 10, "z");
        MetaFixtures.Near(r[pKey].Array(), [.. rows.Select(x => x.PValue)], MetaFixtures.Estimate, "p");
        MetaFixtures.Near(r["ci.lb"].Array(), [.. rows.Select(x => x.Interval.Lower)], MetaFixtures.IntervalTolerance, "ci.lb");
        MetaFixtures.Near(r["ci.ub"].Array(), [.. rows.Select(x => x.Interval.Upper)], MetaFixtures.IntervalTolerance, "ci.ub");
        MetaFixtures.Near(r["Q"].Array(), [.. rows.Select(x => x.Q)], MetaFixtures.Estimate, "Q");
        MetaFixtures.Near(r["tau2"].Array(), [.. rows.Select(x => x.Tau2)], MetaFixtures.Estimate, "tau2");
        MetaFixtures.Near(r["I2"].Array(), [.. rows.Select(x => x.I2)], MetaFixtures.Estimate * 100, "I2");
        MetaFixtures.Near(r["H2"].Array(), [.. rows.Select(x => x.H2)], MetaFixtures.Estimate * 10, "H2");
    }

    private static StudySet Studies(string set) => set switch
    {
        "bcg" => MetaFixtures.Bcg(),
        "molloy2014" => MetaFixtures.Molloy(),
        _ => MetaFixtures.Egger2001(),
    };
}
