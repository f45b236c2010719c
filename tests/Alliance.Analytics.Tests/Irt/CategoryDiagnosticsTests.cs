using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Category tables and Linacre's (2002) guidelines: the minimum threshold advance (1.4 logits for 3 categories, 1.1 for
/// 4, 0.81 for 5: Linacre 2002, Journal of Applied Measurement 3(1), guideline 7), counts, category fit near 1 when the
/// model holds, and disordered thresholds flagged.
/// </summary>
public class CategoryDiagnosticsTests
{
    [Theory]
    [InlineData(2, 1.4)]
    [InlineData(3, 1.1)]
    [InlineData(4, 0.81)]
    public void MinimumAdvanceIsLinacresBinomialSpacing(int steps, double linacre)
    {
        Assert.Equal(linacre, CategoryDiagnostics.MinimumAdvance(steps), 0.02);
    }

    [Fact]
    public void CountsAndCategoryFitUnderARatingScaleModelThatHolds()
    {
        // rating scale truth: β spread, τ = (−1.5, −0.5, 0.5, 1.5) → d_jk = −k β_j − Σ τ. With measures estimated from
        // L answers a person's residuals lose about one of L degrees of freedom, so mean-squares centre near (L − 1)/L
        // (0.95 for 20 items), not exactly 1.
        double[] beta = [.. Enumerable.Range(0, 20).Select(j => -1.0 + 0.1 * j)];
        double[] tau = [-1.5, -0.5, 0.5, 1.5];
        double[][] d = [.. beta.Select(b => Enumerable.Range(1, 4).Select(k => -k * b - tau.Take(k).Sum()).ToArray())];
        var x = IrtSimulation.Simulate(false, Enumerable.Repeat(1.0, 20).ToArray(), d, 1500, seed: 21);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.RatingScale });
        var table = fit.ScaleCategories!;
        long answers = 0;
        for (int i = 0; i < x.RowCount; i++) foreach (double v in x.Row(i)) if (!double.IsNaN(v)) answers++;
        Assert.Equal(answers, table.Rows.Sum(r => r.Count));
        Assert.Equal(1, table.Rows.Sum(r => r.Percent), 1e-9);
        for (int c = 0; c < 5; c++)
        {
            long direct = 0;
            for (int i = 0; i < x.RowCount; i++) foreach (double v in x.Row(i)) if (v == c) direct++;
            Assert.Equal(direct, table.Rows[c].Count);
        }
        Assert.All(table.Rows, r => Assert.InRange(r.Outfit, 0.85, 1.1));
        Assert.All(table.Rows, r => Assert.InRange(r.Infit, 0.85, 1.1));
        Assert.True(table.ThresholdsOrdered);
        for (int k = 1; k < 5; k++) Assert.Equal(tau[k - 1], table.Rows[k].Threshold, 4 * table.Rows[k].ThresholdStandardError);
        Assert.True(table.Checks.Single(c => c.Number == 3).Passed);
        Assert.True(table.Checks.Single(c => c.Number == 5).Passed);
        Assert.True(table.Checks.Single(c => c.Number == 1).Passed);
        Assert.Equal(8, table.Checks.Length);
    }

    [Fact]
    public void DisorderedThresholdsAndSparseCategoriesAreFlagged()
    {
        // partial credit truth with crossed thresholds in every item: δ = (0.5, −0.5, 1.0)
        double[] delta = [0.5, -0.5, 1.0];
        double[][] d = [.. Enumerable.Range(0, 6).Select(j => Enumerable.Range(1, 3).Select(k => -delta.Take(k).Sum() - k * 0.2 * (j - 2.5)).ToArray())];
        var x = IrtSimulation.Simulate(false, Enumerable.Repeat(1.0, 6).ToArray(), d, 60, seed: 4);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        Assert.Contains(fit.Items, i => !i.ThresholdsOrdered);
        Assert.Contains(fit.Warnings, w => w.Contains("disordered"));
        var failed = fit.ItemCategories.SelectMany(t => t.Failed).Select(c => c.Number).ToHashSet();
        Assert.Contains(5, failed);
        Assert.Contains(1, failed); // 60 persons: some category of some item has fewer than 10 answers
        Assert.Equal(6, fit.ItemCategories.Length);
    }
}
