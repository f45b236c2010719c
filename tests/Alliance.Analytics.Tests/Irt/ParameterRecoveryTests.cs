using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Parameter recovery from responses simulated with known parameters (reference-values.md, "Parameter recovery"):
/// estimates within 4 SE of the truth at large n, and 95% Wald intervals covering the truth about 95% of the time over
/// repeated small samples (the band allows for the Monte Carlo error of the replications).
/// </summary>
public class ParameterRecoveryTests
{
    private static readonly double[] Slopes = [0.8, 1.2, 1.6, 2.0, 1.0];
    private static readonly double[][] Graded = [[2.0, 0.5, -1.5], [1.5, 0.0, -1.0], [2.5, 1.0, -0.5], [1.0, -0.5, -2.0], [3.0, 1.5, 0.0]];
    private static readonly double[][] Gpcm = [[1.0, 1.5, 0.5], [0.5, 0.5, -0.5], [1.5, 2.0, 1.0], [0.0, -0.5, -2.0], [2.0, 3.0, 2.5]];

    [Theory]
    [InlineData(IrtModelType.GradedResponse)]
    [InlineData(IrtModelType.GeneralizedPartialCredit)]
    public void LargeSampleEstimatesAreWithinFourStandardErrors(IrtModelType model)
    {
        bool graded = model == IrtModelType.GradedResponse;
        var d = graded ? Graded : Gpcm;
        var x = IrtSimulation.Simulate(graded, Slopes, d, 4000, seed: 11, missing: 0.05);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = model });
        Assert.True(fit.Convergence.Converged);
        for (int j = 0; j < Slopes.Length; j++)
        {
            Assert.InRange(Math.Abs(fit.Items[j].A - Slopes[j]), 0, 4 * fit.Items[j].AStandardError);
            for (int c = 0; c < 3; c++) Assert.InRange(Math.Abs(fit.Items[j].Intercepts[c] - d[j][c]), 0, 4 * fit.Items[j].InterceptStandardErrors[c]);
        }
    }

    [Fact]
    public void GradedIntervalsCoverTheTruthNinetyFivePercentOfTheTime()
    {
        int covered = 0, total = 0;
        for (int rep = 0; rep < 20; rep++)
        {
            var x = IrtSimulation.Simulate(true, Slopes, Graded, 500, seed: 1000 + rep);
            var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GradedResponse });
            for (int j = 0; j < Slopes.Length; j++)
            {
                total++;
                if (Math.Abs(fit.Items[j].A - Slopes[j]) <= 1.96 * fit.Items[j].AStandardError) covered++;
                for (int c = 0; c < 3; c++)
                {
                    total++;
                    if (Math.Abs(fit.Items[j].Intercepts[c] - Graded[j][c]) <= 1.96 * fit.Items[j].InterceptStandardErrors[c]) covered++;
                }
            }
        }
        Assert.InRange((double)covered / total, 0.91, 0.985);
    }

    [Fact]
    public void PartialCreditByCmlIntervalsCoverTheTruth()
    {
        // Rasch: a = 1; the truth's thresholds are centred (locations sum to 0) like the fit's normalisation.
        var d = Gpcm;
        var ones = Enumerable.Repeat(1.0, 5).ToArray();
        double[][] b = [.. d.Select(dj => Enumerable.Range(0, 3).Select(c => -(dj[c] - (c == 0 ? 0 : dj[c - 1]))).ToArray())];
        double shift = b.Average(bj => bj.Average());
        int covered = 0, total = 0;
        for (int rep = 0; rep < 20; rep++)
        {
            var x = IrtSimulation.Simulate(false, ones, d, 400, seed: 2000 + rep);
            var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit });
            for (int j = 0; j < 5; j++)
                for (int c = 0; c < 3; c++)
                {
                    total++;
                    if (Math.Abs(fit.Items[j].B[c] - (b[j][c] - shift)) <= 1.96 * fit.Items[j].BStandardErrors[c]) covered++;
                }
        }
        Assert.InRange((double)covered / total, 0.91, 0.985);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        // 12 four-category items and 3000 persons give far more than 1024 unique patterns, so the E-step and the
        // person loops are split into several blocks that run on different threads
        double[] slopes = [.. Enumerable.Range(0, 12).Select(j => 0.8 + 0.1 * j)];
        double[][] d = [.. Enumerable.Range(0, 12).Select(j => new[] { 1.0 - 0.15 * j, 1.2 - 0.3 * j, 0.6 - 0.45 * j })];
        var x = IrtSimulation.Simulate(false, slopes, d, 3000, seed: 5, missing: 0.02);
        int unique = Enumerable.Range(0, x.RowCount).Select(i => string.Join(",", x.Row(i).ToArray())).Distinct().Count();
        Assert.True(unique > 2048, $"only {unique} unique patterns");
        foreach (var options in new[]
        {
            new IrtOptions { Model = IrtModelType.GradedResponse, Estimation = IrtEstimation.Marginal, StandardErrors = false },
            new IrtOptions { Model = IrtModelType.PartialCredit, Estimation = IrtEstimation.Conditional },
        })
        {
            var one = IrtAnalysis.Fit(x, options with { MaxDegreeOfParallelism = 1 });
            foreach (int threads in new[] { 2, 8 })
            {
                var many = IrtAnalysis.Fit(x, options with { MaxDegreeOfParallelism = threads });
                Assert.Equal(one.LogLikelihood, many.LogLikelihood);
                Assert.Equal(one.Convergence.Iterations, many.Convergence.Iterations);
                for (int j = 0; j < 12; j++)
                {
                    Assert.True(one.Items[j].Intercepts.SequenceEqual(many.Items[j].Intercepts));
                    Assert.True(one.Items[j].InterceptStandardErrors.SequenceEqual(many.Items[j].InterceptStandardErrors));
                    Assert.Equal(one.Items[j].Fit, many.Items[j].Fit);
                }
                Assert.True(one.Persons.Select(p => p.Theta).SequenceEqual(many.Persons.Select(p => p.Theta)));
                Assert.True(one.Persons.Select(p => p.Outfit).SequenceEqual(many.Persons.Select(p => p.Outfit)));
            }
        }
    }
}
