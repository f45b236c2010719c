using Alliance.Analytics.Data;
using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// The formats preset makes Mallinckrodt &amp; Tekie's (2016) finding rediscoverable, checked on the committed files
/// with a partial credit (Rasch) model fitted by joint ML here: in the 7-point WAI the Andrich thresholds among
/// categories 2–4 are disordered; merging 2–4 (map 1,2,2,2,3,4,5) orders them and raises reliability although the
/// score variance falls; the 5-point revised format has ordered thresholds; ratings are ceiling-skewed.
/// </summary>
public class FormatsRecoveryTests
{
    private static readonly int[] MergeCrowded = [1, 2, 2, 2, 3, 4, 5];

    /// <summary>Keyed (reverse-scored) responses of a committed formats file as category codes 0 … K − 1 (−1 missing).</summary>
    private static (int[][] Codes, int Points) Keyed(string file, int[]? map = null)
    {
        var data = AllianceDataset.Load(Repository.Synthetic("formats", file));
        Assert.NotNull(data.Instrument);
        var items = data.Items.Reverse(data.Instrument!.ReverseKeyed.Select(k => data.Items.Items[k - 1]));
        int points = items.Scale.Points!.Value;
        var codes = new int[items.RowCount][];
        for (int r = 0; r < items.RowCount; r++)
        {
            codes[r] = new int[items.ItemCount];
            for (int j = 0; j < items.ItemCount; j++)
            {
                double v = items[r, j];
                codes[r][j] = double.IsNaN(v) ? -1 : (map is null ? (int)v : map[(int)v - 1]) - 1;
            }
        }
        return (codes, map is null ? points : map.Max());
    }

    private static double[][] CompleteRows(int[][] codes) =>
        [.. codes.Where(r => r.All(x => x >= 0)).Select(r => r.Select(x => (double)x).ToArray())];

    [Fact]
    public void SevenPointThresholdsAreDisorderedAndMergingTwoToFourOrdersThem()
    {
        var (seven, k7) = Keyed("wai36_7point.csv");
        var original = Reference.FitPartialCredit(seven, k7);
        Assert.True(original.Converged);
        Assert.True(original.DisorderedItems >= 33, $"only {original.DisorderedItems} of 36 items have disordered thresholds in the 7-point file");

        var (merged, k5) = Keyed("wai36_7point.csv", MergeCrowded);
        var collapsed = Reference.FitPartialCredit(merged, k5);
        Assert.True(collapsed.Converged);
        Assert.Equal(0, collapsed.DisorderedItems);

        // Mallinckrodt & Tekie: merging raised reliability despite less variance.
        Assert.True(collapsed.PersonReliability > original.PersonReliability,
            $"person reliability {collapsed.PersonReliability:F4} after merging is not above {original.PersonReliability:F4}");
        var before = CompleteRows(seven);
        var after = CompleteRows(merged);
        Assert.True(Reference.Alpha(after) > Reference.Alpha(before), $"α after merging {Reference.Alpha(after):F4} is not above {Reference.Alpha(before):F4}");
        double varianceChange = Reference.Variance([.. after.Select(r => r.Sum())]) / Reference.Variance([.. before.Select(r => r.Sum())]) - 1;
        Assert.InRange(varianceChange, -0.45, -0.10);
    }

    [Fact]
    public void RevisedFivePointFormatHasOrderedThresholds()
    {
        var (five, k) = Keyed("wai_revised_5point.csv");
        var fit = Reference.FitPartialCredit(five, k);
        Assert.True(fit.Converged);
        Assert.Equal(0, fit.DisorderedItems);
    }

    /// <summary>The crowded categories are rare and the top of the scale common: each of 2–4 under 4% of keyed answers, "Always" the modal answer, total skewness below −0.8.</summary>
    [Fact]
    public void SevenPointRatingsAreCeilingSkewedWithCrowdedMiddleCategories()
    {
        var (seven, k) = Keyed("wai36_7point.csv");
        var counts = new double[k];
        foreach (var row in seven) foreach (int x in row) if (x >= 0) counts[x]++;
        double total = counts.Sum();
        for (int c = 1; c <= 3; c++) Assert.InRange(counts[c] / total, 0.01, 0.04);
        Assert.Equal(k - 1, Array.IndexOf(counts, counts.Max()));
        Assert.True(Alliance.Analytics.Numerics.Moments.Skewness([.. CompleteRows(seven).Select(r => r.Sum())]) < -0.8);
    }

    /// <summary>Both formats hold the same clients and sessions, row for row, so they can be linked.</summary>
    [Fact]
    public void BothFormatsShareClientsAndSessions()
    {
        var seven = AllianceDataset.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var five = AllianceDataset.Load(Repository.Synthetic("formats", "wai_revised_5point.csv"));
        Assert.Equal(seven.RowCount, five.RowCount);
        for (int r = 0; r < seven.RowCount; r++)
        {
            Assert.Equal(seven.ClientId![r], five.ClientId![r]);
            Assert.Equal(seven.Session![r], five.Session![r]);
        }
        Assert.Equal(new double[] { 3, 8 }, seven.Session!.Values.ToArray().Distinct().Order());
    }

    /// <summary>The library's category probabilities equal the GRM-with-crowding formula written out in the tests.</summary>
    [Fact]
    public void CategoryProbabilitiesMatchTheFormula()
    {
        var model = SimulationInstruments.Wai36SevenPoint(new CohortOptions());
        Span<double> p = stackalloc double[7];
        foreach (double theta in new[] { -3.0, -1.2, 0.0, 0.7, 2.5 })
            for (int item = 0; item < model.ItemCount; item += 7)
            {
                model.CategoryProbabilities(item, theta, p);
                for (int c = 0; c < 7; c++) Assert.Equal(CohortRecoveryTests.Category(model, item, theta, c), p[c], 1e-12);
            }
    }

    /// <summary>
    /// The crowding setting makes the choice among categories 2–4 unrelated to θ: with κ = 0.85 the three are used
    /// about equally (GRM shares mixed with equal shares), with κ = 0 their shares follow the GRM and rise towards 4.
    /// </summary>
    [Fact]
    public void CrowdingFlattensUseOfTheMiddleCategories()
    {
        double Ratio(double kappa)
        {
            var options = Simulator.FormatsDefaults with { Crowding = kappa, ItemMissingRate = 0 };
            var cohort = CohortSimulator.Simulate(options, seed: 3);
            var model = SimulationInstruments.Wai36SevenPoint(options);
            var responses = cohort.Render(model, 0, [3, 8]);
            var reverse = model.ReverseKeyed.ToHashSet();
            var counts = new double[8];
            for (int s = 0; s < responses.RowCount; s++)
                for (int j = 0; j < 36; j++)
                {
                    int c = responses.Codes[s * 36 + j];
                    counts[reverse.Contains(j + 1) ? 8 - c : c]++;
                }
            return counts[4] / counts[2];
        }
        Assert.InRange(Ratio(0.85), 0.85, 1.35);
        Assert.InRange(Ratio(0), 2.0, 4.0);
    }
}
