using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Tests.Simulation;

namespace Alliance.Analytics.Tests.Formats;

/// <summary>
/// The short-form search against a brute force written here (every subset of the items, the quota checked, the
/// objective from its definition), and the builder end to end on the committed 36-item WAI.
/// </summary>
public sealed class ShortFormTests
{
    /// <summary>Mean over the grid of ln Σ_{j∈S} I_j(θ_q) + w · SD_{j∈S}(b_j) (SD with denominator m).</summary>
    private static double Objective(int[] subset, double[,] info, double[] loc, double w)
    {
        int q = info.GetLength(1);
        double log = 0;
        for (int t = 0; t < q; t++) log += Math.Log(subset.Sum(j => info[j, t]));
        double mean = subset.Average(j => loc[j]);
        return log / q + w * Math.Sqrt(subset.Average(j => (loc[j] - mean) * (loc[j] - mean)));
    }

    /// <summary>Every subset of the items by bit mask; the best that meets the quotas.</summary>
    private static (int[] Subset, double F) BruteForce(int[][] groups, int[] counts, double[,] info, double[] loc, double w)
    {
        int n = info.GetLength(0);
        int[]? best = null;
        double bestF = double.NegativeInfinity;
        for (int mask = 0; mask < 1 << n; mask++)
        {
            var subset = Enumerable.Range(0, n).Where(j => (mask >> j & 1) == 1).ToArray();
            if (groups.Select((g, i) => g.Count(subset.Contains) == counts[i]).Any(ok => !ok)) continue;
            double f = Objective(subset, info, loc, w);
            if (f > bestF) { bestF = f; best = subset; }
        }
        return (best!, bestF);
    }

    /// <summary>A random item bank: information of a 2PL item at 9 θ points, locations −2 … 2.</summary>
    private static (double[,] Info, double[] Loc) Bank(int items, long seed)
    {
        var rng = RandomStream.Create(seed);
        var info = new double[items, 9];
        var loc = new double[items];
        for (int j = 0; j < items; j++)
        {
            double a = 0.6 + 1.8 * rng.NextDouble();
            loc[j] = -2 + 4 * rng.NextDouble();
            for (int t = 0; t < 9; t++)
            {
                double p = 1 / (1 + Math.Exp(-a * (-2 + 0.5 * t - loc[j])));
                info[j, t] = a * a * p * (1 - p);
            }
        }
        return (info, loc);
    }

    [Theory]
    [InlineData(1L, 0.0)]
    [InlineData(2L, 0.5)]
    [InlineData(3L, 1.0)]
    [InlineData(4L, 3.0)]
    public void ExactAndHeuristicSearchFindTheBruteForceOptimum(long seed, double w)
    {
        int[][] groups = [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12, 13]];
        int[] counts = [3, 4];
        var (info, loc) = Bank(14, seed);
        var (best, bestF) = BruteForce(groups, counts, info, loc, w);
        var problem = new SelectionProblem(groups, counts, 14, (j, t) => info[j, t], 9, loc, w);
        Assert.Equal(20L * 70, problem.SubsetCount());
        var exact = problem.Solve(exactLimit: 1_000_000, restarts: 0, seed: 1, threads: 2, CancellationToken.None);
        Assert.Equal(ShortFormSearch.Exact, exact.Search);
        Assert.Equal(best, exact.Subset.Order());
        Assert.Equal(bestF, exact.Objective, 1e-12);
        var heuristic = problem.Solve(exactLimit: 0, restarts: 20, seed: 7, threads: 2, CancellationToken.None);
        Assert.Equal(ShortFormSearch.Heuristic, heuristic.Search);
        Assert.Equal(best, heuristic.Subset.Order());
        var oneThread = problem.Solve(exactLimit: 0, restarts: 20, seed: 7, threads: 1, CancellationToken.None);
        Assert.Equal(heuristic.Subset, oneThread.Subset);
    }

    /// <summary>8 Bond + 8 Task/Goal of the committed 36-item WAI: quotas met, heuristic search, figures consistent.</summary>
    [Fact]
    public void BriefFormOfTheCommittedWaiMeetsItsQuotasAndReportsItsFigures()
    {
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var form = ShortForms.Build(data, "Bond=8,Task+Goal=8", new ShortFormOptions { Restarts = 10 });
        Assert.Equal(16, form.Items.Length);
        var bond = data.Instrument!.Subscales.Single(s => s.Name == "Bond").Items.Select(i => $"wai{i}").ToHashSet();
        Assert.Equal(8, form.Items.Count(bond.Contains));
        Assert.Equal(ShortFormSearch.Heuristic, form.Search);   // C(12,8)·C(24,8) = 364 million subsets
        Assert.InRange(form.Reliability, 0.7, form.FullReliability);
        Assert.InRange(form.Alpha, 0.8, form.FullAlpha);
        Assert.True(form.MeanInformation < form.FullMeanInformation);
        var rest = Assert.IsType<Alliance.Analytics.Outcomes.CorrelationEstimate>(form.CorrelationWithRest);
        Assert.True(form.CorrelationWithFull.R > rest.R && rest.R > 0.85);
        Assert.True(Alliance.Analytics.Plotting.PlotExport.ToPng(Alliance.Analytics.Plotting.FormatPlots.ShortFormChart(form)).Length > 5000);

        // the objective reported is the objective of the chosen items (recomputed from the calibration)
        var grid = Enumerable.Range(0, 41).Select(i => form.ThetaFrom + (form.ThetaTo - form.ThetaFrom) * i / 40).ToArray();
        var idx = form.Items.Select(form.Calibration.IndexOf).ToArray();
        var info = new double[36, 41];
        for (int j = 0; j < 36; j++) for (int t = 0; t < 41; t++) info[j, t] = form.Calibration.ItemInformation(j, grid[t]);
        double objective = Objective(idx, info, [.. form.Calibration.Items.Select(i => i.Location)], 1);
        Assert.Equal(objective, form.Objective, 1e-9);

        // no single exchange within a group improves it (a local optimum of the exchange heuristic)
        var groups = new[] { bond.Select(form.Calibration.IndexOf).ToArray(), Enumerable.Range(0, 36).Where(j => !bond.Contains(form.Calibration.Items[j].Name)).ToArray() };
        var loc = form.Calibration.Items.Select(i => i.Location).ToArray();
        foreach (var g in groups)
            foreach (int out_ in idx.Where(g.Contains))
                foreach (int in_ in g.Where(j => !idx.Contains(j)))
                    Assert.True(Objective([.. idx.Where(j => j != out_).Append(in_)], info, loc, 1) <= form.Objective + 1e-12);
    }

    [Fact]
    public void BadBalancesAreRefused()
    {
        var data = AnalysisData.Load(Repository.Synthetic("formats", "wai_revised_5point.csv"));
        Assert.Contains("no subscale 'Rapport'", Assert.Throws<AllianceInputException>(() => ShortForms.Build(data, "Rapport=4")).Message);
        Assert.Contains("cannot choose 13 of its 12 items", Assert.Throws<AllianceInputException>(() => ShortForms.Build(data, "Bond=13")).Message);
        Assert.Contains("not NAME=COUNT", Assert.Throws<AllianceInputException>(() => ShortForms.Build(data, "Bond8")).Message);
    }
}
