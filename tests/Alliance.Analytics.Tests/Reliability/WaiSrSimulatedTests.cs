using Alliance.Analytics.Instruments;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Reliability;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// A simulated WAI-SR-like data set (600 × 12, 5 points, general factor plus Task, Goal and Bond group factors, 3%
/// missing) and psych's figures for it, made by Fixtures/Reliability/wai-sr-simulated.R: α per subscale and total,
/// split-half over all 462 splits, Guttman's λ, ω total, Schmid–Leiman ω hierarchical (minres and ML, 2 and 3 group
/// factors), polychoric correlations (global and per-pair thresholds) and ordinal α and ω.
/// </summary>
public sealed class WaiSrSimulatedTests
{
    private static readonly Lazy<Alliance.Analytics.Data.ResponseMatrix> Data = new(() => Csv("wai-sr-simulated.csv", Alliance.Analytics.Instruments.ItemScale.Likert(5)));
    private static readonly Lazy<ReliabilityReport> Report = new(() =>
        ReliabilityAnalysis.Analyze(Data.Value, InstrumentRegistry.BuiltIn.Get("WAI-SR"), new ReliabilityOptions { Ordinal = true }));
    private static readonly Lazy<System.Text.Json.Nodes.JsonNode> R = new(() => Json("wai-sr-simulated.json"));

    [Theory]
    [InlineData("Total", "total")]
    [InlineData("Task", "task")]
    [InlineData("Goal", "goal")]
    [InlineData("Bond", "bond")]
    public void Alpha_of_each_WAI_SR_scale_matches_psych_alpha(string scale, string key)
    {
        var s = Report.Value.Scales.Single(x => x.Name == scale);
        var t = R.Value[key]!["total"]!;
        Assert.Equal(Number(t["raw_alpha"]), s.Alpha, ClosedForm);
        Assert.Equal(Number(t["std.alpha"]), s.AlphaStandardized, ClosedForm);
        Assert.Equal(Number(t["G6(smc)"]), s.Lambdas.Lambda6, ClosedForm);
        Assert.Equal(Number(t["average_r"]), s.AverageR, ClosedForm);
        Assert.Equal(Number(t["ase"]), s.AlphaStandardError, ClosedForm);
        Assert.Equal(Number(t["mean"]), s.ScoreMean, ClosedForm);
        Assert.Equal(Number(t["sd"]), s.ScoreStandardDeviation, ClosedForm);
        Assert.Equal(Number(R.Value[key]!["feldt"]!["lower"]), s.AlphaInterval.Lower, ClosedForm);
        Assert.Equal(Number(R.Value[key]!["feldt"]!["upper"]), s.AlphaInterval.Upper, ClosedForm);
        var stats = R.Value[key]!["item_stats"]!;
        var drop = R.Value[key]!["alpha_drop"]!;
        for (int j = 0; j < s.Items.Length; j++)
        {
            Assert.Equal(Numbers(stats["r.drop"])[j], s.ItemStatistics[j].RestCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["raw.r"])[j], s.ItemStatistics[j].TotalCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["r.cor"])[j], s.ItemStatistics[j].CorrectedTotalCorrelation, ClosedForm);
            Assert.Equal(Numbers(drop["raw_alpha"])[j], s.ItemStatistics[j].AlphaIfDeleted, ClosedForm);
            Assert.Equal(Numbers(drop["std.alpha"])[j], s.ItemStatistics[j].StandardizedAlphaIfDeleted, ClosedForm);
        }
    }

    [Fact]
    public void Subscales_are_taken_from_the_instrument_in_its_order()
    {
        var report = Report.Value;
        Assert.Equal(["Task", "Goal", "Bond"], report.Subscales.Select(s => s.Name).ToArray());
        Assert.Equal(["wai1", "wai2", "wai10", "wai12"], report.Subscales[0].Items.ToArray());
        Assert.Equal(["wai3", "wai5", "wai7", "wai9"], report.Subscales[2].Items.ToArray());
        Assert.Equal(12, report.Total.Items.Length);
    }

    [Fact]
    public void Split_half_over_all_462_splits_and_lambdas_match_psych()
    {
        var s = Report.Value.Total;
        Assert.Equal(462, s.SplitHalf.SplitsEvaluated);
        Assert.False(s.SplitHalf.Sampled);
        Assert.Equal(Number(R.Value["split_half"]!["max"]), s.SplitHalf.Maximum, ClosedForm);
        Assert.Equal(Number(R.Value["split_half"]!["min"]), s.SplitHalf.Minimum, ClosedForm);
        Assert.Equal(Number(R.Value["split_half"]!["mean"]), s.SplitHalf.Mean, ClosedForm);
        var g = R.Value["guttman"]!;
        Assert.Equal(Number(g["lambda1"]), s.Lambdas.Lambda1, ClosedForm);
        Assert.Equal(Number(g["lambda2"]), s.Lambdas.Lambda2, ClosedForm);
        Assert.Equal(Number(g["lambda4"]), s.Lambdas.Lambda4, ClosedForm);
        Assert.Equal(Number(g["lambda5"]), s.Lambdas.Lambda5, ClosedForm);
        Assert.Equal(Number(g["lambda6"]), s.Lambdas.Lambda6, ClosedForm);
    }

    [Fact]
    public void Omega_total_of_one_factor_matches_psych()
    {
        Assert.Equal(Number(R.Value["omega1"]!["omega_total"]), Report.Value.Total.Omega.Total, Iterative);
    }

    [Fact]
    public void Schmid_Leiman_omega_hierarchical_matches_psych_omega_with_three_factors()
    {
        var h = Report.Value.Hierarchical!;
        var o = R.Value["omega3"]!;
        Assert.True(h.Convergence.Converged, h.Convergence.ToString());
        Assert.Equal(Number(o["omega_h"]), h.OmegaHierarchical, Iterative);
        Assert.Equal(Number(o["omega_total"]), h.OmegaTotal, Iterative);
        Assert.Equal(Number(o["omega_limit"]), h.OmegaLimit, Iterative);
        Assert.Equal(Number(o["ecv"]), h.ExplainedCommonVariance, Iterative);
        var general = Numbers(o["general"]);
        var u2 = Numbers(o["u2"]);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(general[i], h.GeneralLoadings[i], Iterative);
            Assert.Equal(u2[i], h.Uniquenesses[i], Iterative);
        }
        // Group factors: the same columns as psych's up to order and sign.
        var expected = Matrix(o["group"]);
        for (int k = 0; k < 3; k++)
        {
            bool found = Enumerable.Range(0, 3).Any(c => Enumerable.Range(0, 12).All(i => Math.Abs(Math.Abs(expected[i, c]) - Math.Abs(h.GroupLoadings[i, k])) < Iterative));
            Assert.True(found, $"group factor {k + 1} has no match in psych's solution");
        }
        // omega.group rows 2–4 (F1*–F3*), columns total, general, group: the same set up to order.
        var groups = Matrix(o["group_omega"]);
        foreach (var g in h.Groups)
            Assert.Contains(Enumerable.Range(1, 3), row =>
                Math.Abs(groups[row, 0] - g.OmegaTotal) < Iterative && Math.Abs(groups[row, 1] - g.OmegaGeneral) < Iterative && Math.Abs(groups[row, 2] - g.OmegaGroup) < Iterative);
    }

    [Fact]
    public void Schmid_Leiman_group_factors_recover_the_simulated_subscales()
    {
        // Parameter recovery: the data were simulated with Task, Goal and Bond group factors.
        var groups = Report.Value.Hierarchical!.Groups;
        Assert.Equal(["Bond", "Goal", "Task"], groups.Select(g => g.Subscale ?? "").Order().ToArray());
        foreach (var g in groups)
        {
            var expected = Report.Value.Subscales.Single(s => s.Name == g.Subscale).Items;
            Assert.Equal(expected.Order().ToArray(), g.Items.Order().ToArray());
        }
    }

    [Fact]
    public void Omega_hierarchical_by_maximum_likelihood_and_with_two_factors_matches_psych()
    {
        var ml = ReliabilityAnalysis.OmegaHierarchical(Data.Value, 3, FactorMethod.MaximumLikelihood);
        Assert.Equal(Number(R.Value["omega3_ml"]!["omega_h"]), ml.OmegaHierarchical, Iterative);
        Assert.Equal(Number(R.Value["omega3_ml"]!["omega_total"]), ml.OmegaTotal, Iterative);
        var two = ReliabilityAnalysis.OmegaHierarchical(Data.Value, 2);
        Assert.Equal(Number(R.Value["omega2"]!["omega_h"]), two.OmegaHierarchical, Iterative);
        Assert.Equal(Number(R.Value["omega2"]!["omega_total"]), two.OmegaTotal, Iterative);
    }

    [Fact]
    public void Polychoric_matrix_thresholds_and_ordinal_figures_match_psych()
    {
        var ordinal = Report.Value.Total.Ordinal!;
        var p = R.Value["polychoric"]!;
        BfiAgreeablenessTests.AssertMatrix(Matrix(p["rho"]), ordinal.Polychoric.Matrix(), Iterative);
        var tau = Matrix(p["tau"]);
        for (int j = 0; j < 12; j++)
            for (int c = 0; c < 4; c++) Assert.Equal(tau[j, c], ordinal.Polychoric.Thresholds[j][c], ClosedForm);
        Assert.Equal(Number(p["ordinal_alpha"]), ordinal.Alpha, Iterative);
        Assert.Equal(Number(p["ordinal_omega"]), ordinal.Omega, Iterative);
    }

    [Fact]
    public void When_an_item_never_reaches_the_top_category_thresholds_are_per_pair_as_psych()
    {
        var values = Data.Value.Values.ToArray();
        int col = Data.Value.IndexOf("wai7");
        for (int r = 0; r < Data.Value.RowCount; r++)
            if (values[r * 12 + col] == 5) values[r * 12 + col] = 4;
        var changed = Alliance.Analytics.Data.ResponseMatrix.Create(values, Data.Value.Items, Data.Value.Scale);
        var poly = ReliabilityAnalysis.Polychoric(changed);
        Assert.Equal(PolychoricThresholds.PerPair, poly.ThresholdMethod);
        Assert.Contains(poly.Warnings, w => w.Contains("per pair", StringComparison.Ordinal));
        BfiAgreeablenessTests.AssertMatrix(Matrix(R.Value["polychoric_unequal"]!["rho"]), poly.Matrix(), Iterative);
    }

    [Fact]
    public void Per_pair_thresholds_without_correction_match_polycors_two_step_estimate()
    {
        var pair = Data.Value.SelectItems(["wai1", "wai2"]);
        var poly = ReliabilityAnalysis.Polychoric(pair, PolychoricThresholds.PerPair, correction: 0);
        Assert.Equal(0, poly.CellsCorrected);
        Assert.Equal(Number(R.Value["polycor_pair"]), poly[0, 1], Iterative);
    }
}
