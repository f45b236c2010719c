using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Reliability;
using Alliance.Analytics.Instruments;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// Smoothing (psych::cor.smooth), split-half over more splits than psych samples (psych::splitHalf brute = TRUE), the
/// BCa formula (Efron &amp; Tibshirani 1993, eq. 14.14–14.15) and the Jacobson–Truax index, against
/// Fixtures/Reliability/smoothing-splits-bca.R; and the bootstrap's own guarantees.
/// </summary>
public sealed class SmoothingSplitsBootstrapTests
{
    private static readonly Lazy<System.Text.Json.Nodes.JsonNode> R = new(() => Json("smoothing-splits-bca.json"));

    [Fact]
    public void A_matrix_that_is_not_positive_definite_is_smoothed_as_psych_cor_smooth()
    {
        var s = R.Value["smooth"]!;
        var (matrix, smoothed, min) = SymmetricMatrices.SmoothToPositiveDefinite(Matrix(s["input"]));
        Assert.True(smoothed);
        Assert.Equal(Number(s["min_eigen"]), min, ClosedForm);
        BfiAgreeablenessTests.AssertMatrix(Matrix(s["output"]), matrix, ClosedForm);
        var pd = SymmetricMatrices.Eigen(matrix).Values;
        Assert.True(pd[^1] > 0);
    }

    [Fact]
    public void Split_half_over_all_92378_splits_of_20_items_matches_psych_brute_force()
    {
        var items = Csv("twenty-items.csv", ItemScale.Likert(4));
        var exact = ReliabilityAnalysis.Analyze(items, new ReliabilityOptions { MaximumSplits = 100_000, OmegaIfDeleted = false }).SplitHalf;
        Assert.False(exact.Sampled);
        Assert.Equal(92378, exact.SplitsEvaluated);
        var r = R.Value["split20"]!;
        Assert.Equal(Number(r["max"]), exact.Maximum, ClosedForm);
        Assert.Equal(Number(r["min"]), exact.Minimum, ClosedForm);
        Assert.Equal(Number(r["mean"]), exact.Mean, ClosedForm);

        // Default: 10,000 seeded random splits, inside the exact range, mean close to the exact mean, reproducible.
        var sampled = ReliabilityAnalysis.Analyze(items, new ReliabilityOptions { OmegaIfDeleted = false }).SplitHalf;
        Assert.True(sampled.Sampled);
        Assert.Equal(10_000, sampled.SplitsEvaluated);
        Assert.InRange(sampled.Maximum, exact.Minimum, exact.Maximum);
        Assert.InRange(sampled.Minimum, exact.Minimum, exact.Maximum);
        Assert.Equal(exact.Mean, sampled.Mean, 0.002);
        var again = ReliabilityAnalysis.Analyze(items, new ReliabilityOptions { OmegaIfDeleted = false }).SplitHalf;
        Assert.Equal((sampled.Maximum, sampled.Minimum, sampled.Mean), (again.Maximum, again.Minimum, again.Mean));
        Assert.Equal(sampled.BestHalf.ToArray(), again.BestHalf.ToArray());
    }

    [Theory]
    [InlineData(3, "split3")]
    [InlineData(7, "split7")]
    public void Psych_compatible_split_half_reproduces_psychs_enumeration_for_odd_item_counts(int items, string key)
    {
        // psych::splitHalf evaluates the first round(C(k, ⌊k/2⌋))/2 lexicographic halves and divides by that count
        // (for 3 items: 2 splits summed, divided by 1.5), which this mode reproduces.
        var x = Csv("twenty-items.csv", ItemScale.Likert(4));
        var subset = x.SelectItems([.. x.Items.Take(items)]);
        var s = ReliabilityAnalysis.Analyze(subset, new ReliabilityOptions { Splits = SplitHalfEnumeration.PsychCompatible, OmegaIfDeleted = false }).SplitHalf;
        var r = R.Value[key]!;
        Assert.Equal(Number(r["max"]), s.Maximum, ClosedForm);
        Assert.Equal(Number(r["min"]), s.Minimum, ClosedForm);
        Assert.Equal(Number(r["mean"]), s.Mean, ClosedForm);
    }

    [Fact]
    public void A_polychoric_matrix_that_is_not_positive_definite_is_smoothed_with_a_warning_as_psych()
    {
        // Three items seen only in pairs: a~b and b~c agree, a~c disagree; psych::polychoric smooths the result.
        var data = Csv("not-positive-definite.csv", ItemScale.Likert(4));
        var poly = ReliabilityAnalysis.Polychoric(data);
        var r = R.Value["npd_polychoric"]!;
        Assert.True(poly.Smoothed);
        Assert.True(poly.SmallestEigenvalue < 0);
        Assert.Contains(poly.Warnings, w => w.Contains("not positive definite", StringComparison.Ordinal));
        BfiAgreeablenessTests.AssertMatrix(Matrix(r["smoothed"]), poly.Matrix(), Iterative);
        Assert.Equal(100, poly.PairCount(0, 1));
    }

    [Fact]
    public void Items_answered_together_in_fewer_than_three_rows_are_refused()
    {
        var values = new double[] { 1, 2, double.NaN, 2, 3, double.NaN, 3, double.NaN, 4, 4, double.NaN, 2, double.NaN, 2, 3, double.NaN, 4, 4 };
        var m = ResponseMatrix.Create(values, ["a", "b", "c"], ItemScale.Likert(5));
        var e = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.Analyze(m));
        Assert.Contains("answered together in only", e.Message);
    }

    [Fact]
    public void Bca_and_percentile_intervals_follow_the_textbook_formula()
    {
        var b = R.Value["bca"]!;
        var result = AlphaBootstrap.Summarise(Numbers(b["t"]), Numbers(b["jack"]), Number(b["est"]), seed: 1, level: 0.95);
        Assert.Equal(Number(b["z0"]), result.BiasCorrection, ClosedForm);
        Assert.Equal(Number(b["a"]), result.Acceleration, ClosedForm);
        Assert.Equal(Number(b["lower"]), result.Bca.Lower, ClosedForm);
        Assert.Equal(Number(b["upper"]), result.Bca.Upper, ClosedForm);
        Assert.Equal(Numbers(b["percentile"])[0], result.Percentile.Lower, ClosedForm);
        Assert.Equal(Numbers(b["percentile"])[1], result.Percentile.Upper, ClosedForm);
    }

    [Fact]
    public void Reliable_change_index_follows_Jacobson_and_Truax()
    {
        var r = R.Value["rci"]!;
        var before = Numbers(r["before"]);
        var after = Numbers(r["after"]);
        var result = ReliabilityAnalysis.ReliableChange(before, after, new ReliableChangeOptions { Reliability = Number(r["reliability"]) });
        Assert.Equal(Number(r["sd"]), result.StandardDeviation, ClosedForm);
        Assert.Equal(Number(r["sem"]), result.StandardErrorOfMeasurement, ClosedForm);
        Assert.Equal(Number(r["sdiff"]), result.StandardErrorOfDifference, ClosedForm);
        var rci = Numbers(r["rci"]);
        for (int i = 0; i < rci.Length; i++)
            if (double.IsNaN(rci[i])) Assert.True(double.IsNaN(result.Indexes[i]));
            else Assert.Equal(rci[i], result.Indexes[i], ClosedForm);
        Assert.Equal((int)Number(r["improved"]), result.Improved);
        Assert.Equal((int)Number(r["deteriorated"]), result.Deteriorated);
        Assert.Equal(9, result.Pairs);
        Assert.Equal(1, result.Usage.RowsExcluded);
        // Jacobson & Truax's critical difference at 95%: 1.96 × √2 × SD √(1 − r).
        Assert.Equal(1.959964 * Math.Sqrt(2) * result.StandardDeviation * Math.Sqrt(0.12), result.CriticalDifference, 1e-5);
    }

    [Fact]
    public void Bootstrap_of_alpha_matches_psychs_bootstrap_distribution_and_is_reproducible()
    {
        // psych::alpha(na.omit(A), n.iter = 2000) in bfi-agreeableness.R; different random numbers, so the spread and
        // the percentile bounds agree within Monte Carlo error (about 2% of the SD and 0.001 in the bounds).
        var r = Json("bfi-agreeableness.json")["bootstrap"]!;
        var data = BfiAgreeableness();
        var options = new ReliabilityOptions { Interval = AlphaIntervalMethod.Bootstrap, BootstrapReplicates = 2000, Seed = 42, Missing = MissingData.Listwise, OmegaIfDeleted = false };
        var a = ReliabilityAnalysis.Analyze(data, options);
        Assert.Equal(Number(r["listwise_sd"]), a.Bootstrap!.StandardError, 0.1 * Number(r["listwise_sd"]));
        Assert.Equal(Numbers(r["listwise_ci"])[0], a.Bootstrap.Percentile.Lower, 0.003);
        Assert.Equal(Numbers(r["listwise_ci"])[1], a.Bootstrap.Percentile.Upper, 0.003);
        Assert.Equal("BCa bootstrap", a.AlphaInterval.Method);
        Assert.InRange(a.Alpha, a.Bootstrap.Bca.Lower, a.Bootstrap.Bca.Upper);

        var b = ReliabilityAnalysis.Analyze(data, options);
        Assert.Equal(a.Bootstrap, b.Bootstrap);
        var other = ReliabilityAnalysis.Analyze(data, options with { Seed = 43 });
        Assert.NotEqual(a.Bootstrap.Percentile, other.Bootstrap!.Percentile);
    }

    [Fact]
    public void Pairwise_bootstrap_resamples_psychs_pairwise_alpha()
    {
        // psych::alpha(A, n.iter = 1000): each replicate's α from cov(resample, use = "pairwise").
        var r = Json("bfi-agreeableness.json")["bootstrap"]!;
        var pairwise = ReliabilityAnalysis.Analyze(BfiAgreeableness(), new ReliabilityOptions { Interval = AlphaIntervalMethod.Bootstrap, BootstrapReplicates = 1000, Seed = 5, OmegaIfDeleted = false });
        Assert.Equal(Number(r["pairwise_sd"]), pairwise.Bootstrap!.StandardError, 0.1 * Number(r["pairwise_sd"]));
        Assert.Equal(Numbers(r["pairwise_ci"])[0], pairwise.Bootstrap.Percentile.Lower, 0.004);
        Assert.Equal(Numbers(r["pairwise_ci"])[1], pairwise.Bootstrap.Percentile.Upper, 0.004);
        // Every resample of 2,800 rows leaves each pair of items with rows in common: no replicate is lost, and none is warned about.
        Assert.Equal(pairwise.Bootstrap.Requested, pairwise.Bootstrap.Replicates);
        Assert.DoesNotContain(pairwise.Warnings, w => w.Contains("bootstrap resamples", StringComparison.Ordinal));
    }

    [Fact]
    public void Bootstrap_replicates_do_not_depend_on_the_number_of_threads()
    {
        var data = BfiAgreeableness();
        var options = new ReliabilityOptions { Interval = AlphaIntervalMethod.Bootstrap, BootstrapReplicates = 300, Seed = 9, Missing = MissingData.Listwise, OmegaIfDeleted = false };
        var parallel = ReliabilityAnalysis.Analyze(data, options).Bootstrap;
        AlphaBootstrapResult? single = null;
        var thread = new Thread(() =>
        {
            // A scheduler with one thread: Parallel.For runs the blocks one after another.
            var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, 1).ExclusiveScheduler;
            single = Task.Factory.StartNew(() => ReliabilityAnalysis.Analyze(data, options).Bootstrap, CancellationToken.None, TaskCreationOptions.None, scheduler).Result;
        });
        thread.Start();
        thread.Join();
        Assert.Equal(parallel, single);
    }
}
