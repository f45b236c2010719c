using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// S-X² (Orlando &amp; Thissen 2000) calibration: when the graded model holds, S-X²/df averages about 1 over items and
/// replications; when an item follows another model (a slope far from the rest under a Rasch fit) it is flagged.
/// Person fit l_z has mean about 0 and SD about 1 under the model.
/// </summary>
public class ItemFitTests
{
    private static readonly double[] Slopes = [0.8, 1.2, 1.6, 2.0, 1.0, 1.4];
    private static readonly double[][] D = [[2.0, 0.5, -1.5], [1.5, 0.0, -1.0], [2.5, 1.0, -0.5], [1.0, -0.5, -2.0], [3.0, 1.5, 0.0], [0.5, -0.5, -1.5]];

    [Fact]
    public void SX2IsCalibratedWhenTheModelHolds()
    {
        var ratios = new List<double>();
        var ps = new List<double>();
        for (int rep = 0; rep < 3; rep++)
        {
            var x = IrtSimulation.Simulate(true, Slopes, D, 1500, seed: 300 + rep);
            var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GradedResponse, StandardErrors = false });
            foreach (var item in fit.Items)
            {
                Assert.True(item.Fit.SX2DegreesOfFreedom > 0);
                ratios.Add(item.Fit.SX2 / item.Fit.SX2DegreesOfFreedom);
                ps.Add(item.Fit.SX2PValue);
            }
        }
        Assert.InRange(ratios.Average(), 0.75, 1.3);
        Assert.True(ps.Count(p => p < 0.01) <= 2);
    }

    [Fact]
    public void SX2FlagsAnItemThatDoesNotFitARaschModel()
    {
        double[] slopes = [1, 1, 1, 1, 1, 3.5];
        var x = IrtSimulation.Simulate(false, slopes, D, 2000, seed: 41);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.PartialCredit, Estimation = IrtEstimation.Marginal, StandardErrors = false });
        var worst = fit.Items.MaxBy(i => i.Fit.SX2 / i.Fit.SX2DegreesOfFreedom)!;
        Assert.Equal("i6", worst.Name);
        Assert.True(worst.Fit.SX2PValue < 1e-4);
        Assert.True(worst.Fit.Infit < 0.9); // a steep item overfits (Guttman-like) under the Rasch model
    }

    [Fact]
    public void PersonFitLzFollowsItsDefinitionAndFlagsRandomResponders()
    {
        // l_z = (l0 − E l0) / √Var l0 at the person's measure (Drasgow, Levine & Williams 1985), recomputed here from
        // the fitted category probabilities; random responders (last 100 rows) have clearly lower l_z than the others (with 6 items the
        // separation is modest: about 1.25 here).
        var x0 = IrtSimulation.Simulate(true, Slopes, D, 1000, seed: 77);
        var values = x0.Values.ToArray();
        var rng = Alliance.Analytics.Numerics.RandomStream.Create(78);
        for (int i = 900; i < 1000; i++) for (int j = 0; j < 6; j++) values[i * 6 + j] = rng.NextInt(4);
        var x = Alliance.Analytics.Data.ResponseMatrix.Create(values, x0.Items, x0.Scale);
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GradedResponse, StandardErrors = false });
        foreach (var p in fit.Persons.Take(20))
        {
            double l0 = 0, e = 0, v = 0;
            for (int j = 0; j < 6; j++)
            {
                var pr = fit.CategoryProbabilities(j, p.Theta);
                int xj = (int)x[p.Row, j];
                l0 += Math.Log(pr[xj]);
                double m1 = pr.Sum(q => q * Math.Log(q)), m2 = pr.Sum(q => q * Math.Log(q) * Math.Log(q));
                e += m1;
                v += m2 - m1 * m1;
            }
            Assert.Equal((l0 - e) / Math.Sqrt(v), p.Lz, 1e-9);
        }
        double regular = fit.Persons.Take(900).Average(p => p.Lz), random = fit.Persons.Skip(900).Average(p => p.Lz);
        Assert.True(regular - random > 1.0, $"regular {regular:F2}, random {random:F2}");
    }
}
