using Alliance.Analytics.Numerics;
using Alliance.Analytics.Reliability;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// psych's bfi Agreeableness items A1–A5 (2,800 rows, 1–6 scale, A1 reversed as 7 − x): the published figures of
/// /work/shared/domain/reference-values.md (psych 2.2.9) and the full-precision fixture made by
/// Fixtures/Reliability/bfi-agreeableness.R (psych::alpha, splitHalf, guttman, omega, polychoric).
/// </summary>
public sealed class BfiAgreeablenessTests
{
    /// <summary>reference-values.md prints four decimals.</summary>
    private const double PrintedDigits = 5e-5;

    private static readonly Lazy<ScaleReliability> Pairwise = new(() =>
        ReliabilityAnalysis.Analyze(BfiAgreeableness(), new ReliabilityOptions { Ordinal = true, Splits = SplitHalfEnumeration.PsychCompatible }));

    private static readonly Lazy<ScaleReliability> Listwise = new(() =>
        ReliabilityAnalysis.Analyze(BfiAgreeableness(), new ReliabilityOptions { Missing = MissingData.Listwise }));

    private static readonly Lazy<System.Text.Json.Nodes.JsonNode> R = new(() => Json("bfi-agreeableness.json"));

    [Fact]
    public void Published_alpha_figures_of_reference_values_md_are_reproduced()
    {
        // reference-values.md, "psych bfi (psychTools), Agreeableness A1–A5 with A1 reversed", psych::alpha defaults.
        var a = Pairwise.Value;
        Assert.Equal(0.7030, a.Alpha, PrintedDigits);
        Assert.Equal(0.7130, a.AlphaStandardized, PrintedDigits);
        Assert.Equal(0.6828, a.Lambdas.Lambda6, PrintedDigits);
        Assert.Equal(0.3320, a.AverageR, PrintedDigits);
        Assert.Equal(0.7038, Listwise.Value.Alpha, PrintedDigits);
        Assert.Equal(0.7229, a.Omega.Total, PrintedDigits);
        Assert.Equal(0.759, a.Ordinal!.Alpha, 5e-4);
    }

    [Fact]
    public void Published_split_half_figures_of_reference_values_md_are_reproduced_with_psychs_enumeration()
    {
        // reference-values.md: split-half max .7553, min .6156, mean .6715; λ2 .7206 (psych::splitHalf).
        var s = Pairwise.Value;
        Assert.Equal(0.7553, s.SplitHalf.Maximum, PrintedDigits);
        Assert.Equal(0.6156, s.SplitHalf.Minimum, PrintedDigits);
        Assert.Equal(0.6715, s.SplitHalf.Mean, PrintedDigits);
        Assert.Equal(0.7206, s.Lambdas.Lambda2, PrintedDigits);
        Assert.Equal(5, s.SplitHalf.SplitsEvaluated);
    }

    [Fact]
    public void Alpha_totals_match_psych_alpha_pairwise_to_closed_form_precision()
    {
        var t = R.Value["pairwise"]!["total"]!;
        var a = Pairwise.Value;
        Assert.Equal(Number(t["raw_alpha"]), a.Alpha, ClosedForm);
        Assert.Equal(Number(t["std.alpha"]), a.AlphaStandardized, ClosedForm);
        Assert.Equal(Number(t["G6(smc)"]), a.Lambdas.Lambda6, ClosedForm);
        Assert.Equal(Number(t["average_r"]), a.AverageR, ClosedForm);
        Assert.Equal(Number(t["S/N"]), a.SignalToNoise, ClosedForm);
        Assert.Equal(Number(t["ase"]), a.AlphaStandardError, ClosedForm);
        Assert.Equal(Number(t["mean"]), a.ScoreMean, ClosedForm);
        Assert.Equal(Number(t["sd"]), a.ScoreStandardDeviation, ClosedForm);
        Assert.Equal(Number(t["median_r"]), a.MedianR, ClosedForm);
        var feldt = R.Value["pairwise"]!["feldt"]!;
        Assert.Equal(Number(feldt["lower"]), a.AlphaInterval.Lower, ClosedForm);
        Assert.Equal(Number(feldt["upper"]), a.AlphaInterval.Upper, ClosedForm);
        Assert.Equal(2800, a.Usage.RowsUsed);
        Assert.Equal(Number(R.Value["n_complete"]), a.CompleteRows);
    }

    [Fact]
    public void Covariances_and_correlations_are_Rs_pairwise_ones()
    {
        var a = Pairwise.Value;
        AssertMatrix(Matrix(R.Value["pairwise"]!["cov"]), a.Covariances(), ClosedForm);
        AssertMatrix(Matrix(R.Value["pairwise"]!["cor"]), a.Correlations(), ClosedForm);
        AssertMatrix(Matrix(R.Value["pairwise"]!["pearson_pairwise"]), a.PairwiseCorrelationMatrix, ClosedForm);
    }

    [Fact]
    public void Item_statistics_and_alpha_if_deleted_match_psych_alpha()
    {
        var stats = R.Value["pairwise"]!["item_stats"]!;
        var drop = R.Value["pairwise"]!["alpha_drop"]!;
        var items = Pairwise.Value.ItemStatistics;
        for (int j = 0; j < 5; j++)
        {
            var s = items[j];
            Assert.Equal((int)Numbers(stats["n"])[j], s.N);
            Assert.Equal(Numbers(stats["raw.r"])[j], s.TotalCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["std.r"])[j], s.StandardizedTotalCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["r.cor"])[j], s.CorrectedTotalCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["r.drop"])[j], s.RestCorrelation, ClosedForm);
            Assert.Equal(Numbers(stats["mean"])[j], s.Mean, ClosedForm);
            Assert.Equal(Numbers(stats["sd"])[j], s.StandardDeviation, ClosedForm);
            Assert.Equal(Numbers(drop["raw_alpha"])[j], s.AlphaIfDeleted, ClosedForm);
            Assert.Equal(Numbers(drop["std.alpha"])[j], s.StandardizedAlphaIfDeleted, ClosedForm);
            Assert.Equal(Numbers(drop["G6(smc)"])[j], s.Lambda6IfDeleted, ClosedForm);
            Assert.Equal(Numbers(drop["average_r"])[j], s.AverageRIfDeleted, ClosedForm);
        }
    }

    [Fact]
    public void Category_frequencies_floor_and_ceiling_match_psych_response_frequencies()
    {
        // psych's response.freq: share of answers in each category 1..6 (A1 after reversal).
        var freq = Matrix(R.Value["pairwise"]!["response_freq"]);
        foreach (var (s, j) in Pairwise.Value.ItemStatistics.Select((s, j) => (s, j)))
        {
            for (int c = 0; c < 6; c++) Assert.Equal(freq[j, c], (double)s.CategoryCounts[c] / s.N, ClosedForm);
            Assert.Equal(freq[j, 0], s.Floor, ClosedForm);
            Assert.Equal(freq[j, 5], s.Ceiling, ClosedForm);
        }
    }

    [Fact]
    public void Listwise_alpha_and_items_match_psych_alpha_on_na_omit()
    {
        var t = R.Value["listwise"]!["total"]!;
        var a = Listwise.Value;
        Assert.Equal(Number(t["raw_alpha"]), a.Alpha, ClosedForm);
        Assert.Equal(Number(t["std.alpha"]), a.AlphaStandardized, ClosedForm);
        Assert.Equal(Number(t["G6(smc)"]), a.Lambdas.Lambda6, ClosedForm);
        Assert.Equal(Number(t["ase"]), a.AlphaStandardError, ClosedForm);
        Assert.Equal(Number(R.Value["listwise"]!["feldt"]!["lower"]), a.AlphaInterval.Lower, ClosedForm);
        Assert.Equal(Number(R.Value["listwise"]!["feldt"]!["upper"]), a.AlphaInterval.Upper, ClosedForm);
        Assert.Equal(Numbers(R.Value["listwise"]!["item_stats"]!["r.drop"]), a.ItemStatistics.Select(s => s.RestCorrelation).ToArray(), new Tolerance(ClosedForm));
        Assert.Equal(2709, a.Usage.RowsUsed);
        Assert.Equal(91, a.Usage.RowsExcluded);
    }

    [Fact]
    public void Guttman_lambdas_match_psych_guttman_on_the_same_correlation_matrix()
    {
        var g = R.Value["guttman"]!;
        var l = Pairwise.Value.Lambdas;
        Assert.Equal(Number(g["lambda1"]), l.Lambda1, ClosedForm);
        Assert.Equal(Number(g["lambda2"]), l.Lambda2, ClosedForm);
        Assert.Equal(Number(g["lambda3"]), l.Lambda3, ClosedForm);
        Assert.Equal(Number(g["lambda4"]), l.Lambda4, ClosedForm);
        Assert.Equal(Number(g["lambda5"]), l.Lambda5, ClosedForm);
        Assert.Equal(Number(g["lambda6"]), l.Lambda6, ClosedForm);
    }

    [Fact]
    public void Split_half_matches_psych_splitHalf_and_all_ten_splits_when_asked()
    {
        var s = R.Value["split_half"]!;
        var psych = Pairwise.Value.SplitHalf;
        Assert.Equal(Number(s["max"]), psych.Maximum, ClosedForm);
        Assert.Equal(Number(s["min"]), psych.Minimum, ClosedForm);
        Assert.Equal(Number(s["mean"]), psych.Mean, ClosedForm);
        Assert.Equal(Number(s["lambda2"]), Pairwise.Value.Lambdas.Lambda2, ClosedForm);

        // Every distinct split (the default): R's combn over all 10 splits of 5 items into 2 + 3.
        var all = ReliabilityAnalysis.Analyze(BfiAgreeableness()).SplitHalf;
        var r = s["all_splits"]!;
        Assert.Equal(10, all.SplitsEvaluated);
        Assert.False(all.Sampled);
        Assert.Equal(Number(r["max"]), all.Maximum, ClosedForm);
        Assert.Equal(Number(r["min"]), all.Minimum, ClosedForm);
        Assert.Equal(Number(r["mean"]), all.Mean, ClosedForm);
    }

    [Fact]
    public void Omega_total_matches_psych_omega_one_factor_minres_and_ml()
    {
        var o = R.Value["omega_minres"]!;
        var a = Pairwise.Value.Omega;
        Assert.True(a.Convergence.Converged);
        Assert.Equal(Number(o["omega_total"]), a.Total, Iterative);
        Assert.Equal(Numbers(o["loadings"]), a.Loadings.ToArray(), new Tolerance(Iterative));

        var ml = ReliabilityAnalysis.Analyze(BfiAgreeableness(), new ReliabilityOptions { OmegaMethod = FactorMethod.MaximumLikelihood }).Omega;
        Assert.Equal(Number(R.Value["omega_ml"]!["omega_total"]), ml.Total, Iterative);
        Assert.Equal(Numbers(R.Value["omega_ml"]!["loadings"]), ml.Loadings.ToArray(), new Tolerance(Iterative));
    }

    [Fact]
    public void Omega_if_deleted_matches_psych_omega_of_the_other_items()
    {
        // psych::omega(A[, -i], nfactors = 1)$omega.tot for each item i.
        var expected = Numbers(R.Value["omega_if_deleted"]);
        var actual = Pairwise.Value.ItemStatistics.Select(i => i.OmegaIfDeleted).ToArray();
        Assert.Equal(expected, actual, new Tolerance(Iterative));
    }

    [Fact]
    public void Sum_score_sd_and_sem_match_r()
    {
        // sqrt(sum(cov(A, use = "pairwise"))) and that times sqrt(1 - raw alpha).
        Assert.Equal(Number(R.Value["sum_sd"]), Pairwise.Value.SumStandardDeviation, ClosedForm);
        Assert.Equal(Number(R.Value["sem"]), Pairwise.Value.StandardErrorOfMeasurement, ClosedForm);
    }

    [Fact]
    public void Polychoric_correlations_thresholds_and_ordinal_alpha_and_omega_match_psych()
    {
        var p = R.Value["polychoric"]!;
        var ordinal = Pairwise.Value.Ordinal!;
        AssertMatrix(Matrix(p["rho"]), ordinal.Polychoric.Matrix(), Iterative);
        var tau = Matrix(p["tau"]);
        for (int j = 0; j < 5; j++)
            for (int c = 0; c < 5; c++) Assert.Equal(tau[j, c], ordinal.Polychoric.Thresholds[j][c], ClosedForm);
        Assert.Equal(Number(p["ordinal_alpha"]), ordinal.Alpha, Iterative);
        Assert.Equal(Number(p["ordinal_omega"]), ordinal.Omega, Iterative);
        Assert.False(ordinal.Polychoric.Smoothed);

        var listwise = ReliabilityAnalysis.Polychoric(BfiAgreeableness(), missing: MissingData.Listwise);
        AssertMatrix(Matrix(p["listwise_rho"]), listwise.Matrix(), Iterative);
    }

    internal static void AssertMatrix(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
