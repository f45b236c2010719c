using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>Degenerate input: extreme scores, items without variance, unused and sparse categories, non-convergence, misuse.</summary>
public class RobustnessTests
{
    private static readonly double[] Slopes = [1, 1, 1, 1, 1, 1];
    private static readonly double[][] D = [[1.5, 1.0, 0.0], [1.0, 0.5, -0.5], [2.0, 2.0, 1.0], [0.5, 0.0, -1.0], [1.0, 1.5, 1.0], [1.5, 2.0, 2.5]];

    private static ResponseMatrix Simulated(int n = 600, long seed = 3) => IrtSimulation.Simulate(false, Slopes, D, n, seed, sd: 1.5);

    private static ResponseMatrix WithColumn(ResponseMatrix x, Func<int, double> column, string name = "flat")
    {
        var values = new List<double>();
        for (int i = 0; i < x.RowCount; i++) { values.AddRange(x.Row(i).ToArray()); values.Add(column(i)); }
        return ResponseMatrix.Create([.. values], [.. x.Items, name], x.Scale);
    }

    [Fact]
    public void ExtremeScoresAreCountedAndFlaggedNeverSilentNaN()
    {
        var x = Simulated();
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit, PersonEstimator = PersonEstimator.MaximumLikelihood });
        Assert.True(fit.ExtremePersons > 0);
        var extreme = fit.Persons.Where(p => p.Extreme != 0).ToArray();
        Assert.Equal(fit.ExtremePersons, extreme.Length);
        Assert.All(extreme, p => Assert.True(double.IsInfinity(p.Theta)));
        var wle = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        Assert.All(wle.Persons, p => Assert.True(double.IsFinite(p.Theta) && double.IsFinite(p.StandardError)));
    }

    [Fact]
    public void AnItemWithoutVarianceIsLeftOutWithAWarning()
    {
        var x = WithColumn(Simulated(), _ => 2);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.RatingScale });
        Assert.Equal(6, fit.Items.Length);
        Assert.Single(fit.ExcludedItems);
        Assert.Contains(fit.Warnings, w => w.Contains("flat") && w.Contains("no variance"));
    }

    [Fact]
    public void AnUnusedMiddleCategoryIsKeptAsAStructuralZeroOrDowncoded()
    {
        var x0 = Simulated();
        // item "gap" uses categories 0, 1 and 3 only
        var x = WithColumn(x0, i => new[] { 0.0, 1, 3, 3, 1, 0, 3 }[i % 7], "gap");
        var keep = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        var gap = keep.Items[keep.IndexOf("gap")];
        Assert.Equal([0.0, 1, 3], gap.Categories.ToArray());
        Assert.Equal([0, 1, 3], gap.Scores.ToArray());
        Assert.Equal(2, gap.B.Length);
        Assert.All(gap.B, b => Assert.True(double.IsFinite(b)));
        Assert.Contains(keep.Warnings, w => w.Contains("structural zero"));
        var down = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit, UnusedCategories = UnusedCategoryPolicy.Downcode });
        Assert.Equal([0, 1, 2], down.Items[down.IndexOf("gap")].Scores.ToArray());
        foreach (var model in new[] { IrtModelType.GradedResponse, IrtModelType.GeneralizedPartialCredit })
        {
            var mml = IrtAnalysis.Fit(x, new IrtOptions { Model = model, StandardErrors = false });
            Assert.All(mml.Items[mml.IndexOf("gap")].B, b => Assert.True(double.IsFinite(b)));
        }
    }

    [Fact]
    public void ACategoryUsedOnlyByExtremeScorersIsMergedForCml()
    {
        // the top category of item "top" is chosen only by persons whose every other answer is also the highest
        var x0 = Simulated(800, 9);
        int k = x0.ItemCount;
        var x = WithColumn(x0, i =>
        {
            var row = x0.Row(i);
            bool allTop = true;
            for (int j = 0; j < k; j++) if (row[j] != 3) allTop = false;
            return allTop ? 3 : i % 3;
        }, "top");
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
        Assert.True(fit.Convergence.Converged);
        Assert.Contains(fit.Warnings, w => w.Contains("only by persons with extreme raw scores"));
        Assert.All(fit.Items.SelectMany(i => i.B), b => Assert.True(double.IsFinite(b)));
    }

    [Fact]
    public void NonConvergenceIsReportedWithTheLastChange()
    {
        var fit = IrtAnalysis.Fit(Simulated(), new IrtOptions { Model = IrtModelType.GeneralizedPartialCredit, MaxIterations = 3, StandardErrors = false });
        Assert.False(fit.Convergence.Converged);
        Assert.True(fit.Convergence.FinalChange > 0);
        Assert.Contains(fit.Warnings, w => w.Contains("did not converge"));
        Assert.False((bool)fit.ToJson()["converged"]!);
    }

    [Fact]
    public void MisuseGivesAClearInputError()
    {
        var x = Simulated(100);
        var e = Assert.Throws<AllianceInputException>(() => IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GradedResponse, Estimation = IrtEstimation.Conditional }));
        Assert.Contains("marginal", e.Message);
        var vas = ResponseMatrix.Create(new double[,] { { 1.5, 2 }, { 3, 4 } }, ["a", "b"], ItemScale.Continuous(0, 10));
        Assert.Throws<AllianceInputException>(() => IrtAnalysis.Fit(vas));
        var allMissing = ResponseMatrix.Create(new double[,] { { double.NaN, 1 }, { double.NaN, 2 }, { double.NaN, 0 } }, ["a", "b"], ItemScale.Likert(3, 0));
        Assert.Throws<AllianceInputException>(() => IrtAnalysis.Fit(allMissing));
    }

    [Fact]
    public void RowsWithoutAnswersAreReportedInTheUsage()
    {
        var x0 = Simulated(200);
        var values = x0.Values.ToArray();
        for (int j = 0; j < x0.ItemCount; j++) values[5 * x0.ItemCount + j] = double.NaN;
        var x = ResponseMatrix.Create(values, x0.Items, x0.Scale);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.RatingScale });
        Assert.Equal(199, fit.Usage.RowsUsed);
        Assert.Contains(fit.Usage.Exclusions, e => e.Reason == "no item answered" && e.Lines.Contains(6)); // no source lines: row + 1
    }
}
