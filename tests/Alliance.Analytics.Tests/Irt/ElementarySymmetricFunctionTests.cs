using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// The summation algorithm for polytomous elementary symmetric functions against brute-force enumeration and the
/// log-domain recursion, and the conditional log-likelihood of 36 items × 7 categories with extreme parameters (where
/// plain double-precision γ would underflow) against an independent log-domain computation.
/// </summary>
public class ElementarySymmetricFunctionTests
{
    [Fact]
    public void SummationAlgorithmEqualsEnumeration()
    {
        double[][] eps = [[1, 0.5, 2], [1, 3], [1, 0.2, 0.7, 1.1]];
        int[][] scores = [[0, 1, 2], [0, 1], [0, 1, 2, 3]];
        var gamma = ElementarySymmetricFunctions.Compute(eps, scores);
        var brute = new double[7];
        for (int a = 0; a < 3; a++) for (int b = 0; b < 2; b++) for (int c = 0; c < 4; c++) brute[a + b + c] += eps[0][a] * eps[1][b] * eps[2][c];
        for (int r = 0; r < 7; r++) Assert.Equal(brute[r], gamma[r], 1e-12);
        var log = ElementarySymmetricFunctions.ComputeLog([.. eps.Select(e => e.Select(v => Math.Log(v)).ToArray())], scores);
        for (int r = 0; r < 7; r++) Assert.Equal(Math.Log(brute[r]), log[r], 1e-12);
    }

    [Fact]
    public void ConditionalLikelihoodIsStableFor36ItemsWith7CategoriesAndExtremeParameters()
    {
        var rng = RandomStream.Create(36);
        double[][] d = [.. Enumerable.Range(0, 36).Select(j => Enumerable.Range(1, 6).Select(k => -k * (0.3 * j / 36.0) - 0.5 * k * (k - 3.5)).ToArray())];
        var x = IrtSimulation.Simulate(false, Enumerable.Repeat(1.0, 36).ToArray(), d, 800, seed: 36, sd: 2.5, missing: 0.01);
        var data = ItemResponseData.Create(x, UnusedCategoryPolicy.Keep);
        var est = new ConditionalEstimator(data, IrtModelType.PartialCredit, new ParallelOptions());
        // extreme η: category parameters spread over ±60 logits, far beyond double range for Π ε
        var eta = new double[est.ParameterCount];
        for (int i = 0; i < eta.Length; i++) eta[i] = 12 * (rng.NextDouble() - 0.5) * (1 + i % 6);
        var (ll, _, _) = est.Evaluate(eta, hessian: false, default);
        var lambda = est.Lambda(eta);
        var offsets = est.Offsets.ToArray();
        // independent: per person, log P(pattern | r) = Σ λ_{j,x_j} − log γ_r over the answered items, in the log domain
        var cache = new Dictionary<string, double[]>();
        double reference = 0;
        for (int i = 0; i < data.PersonCount; i++)
        {
            var p = data.Person(i).ToArray();
            var items = Enumerable.Range(0, 36).Where(j => p[j] != ItemResponseData.Missing).ToArray();
            int r = items.Sum(j => data.Scores[j][p[j]]), max = items.Sum(j => data.Scores[j][^1]);
            if (r == 0 || r == max) continue;
            string key = string.Join(",", items);
            if (!cache.TryGetValue(key, out var logGamma))
            {
                logGamma = ElementarySymmetricFunctions.ComputeLog(
                    [.. items.Select(j => new[] { 0.0 }.Concat(Enumerable.Range(1, data.CategoryCount(j) - 1).Select(c => lambda[offsets[j] + c - 1])).ToArray())],
                    [.. items.Select(j => data.Scores[j])]);
                cache[key] = logGamma;
            }
            double num = items.Sum(j => p[j] == 0 ? 0 : lambda[offsets[j] + p[j] - 1]);
            reference += num - logGamma[r];
        }
        Assert.True(double.IsFinite(ll));
        Assert.Equal(reference, ll, 1e-6 * Math.Abs(reference));
    }

    [Fact]
    public void TheCmlSolutionHasAZeroGradientWhenIterationsUseTheDominantPatternHessian()
    {
        // 3% missing: one complete pattern holds most persons, so Newton steps use its scaled Hessian.
        double[][] d = [.. Enumerable.Range(0, 12).Select(j => Enumerable.Range(1, 4).Select(k => -k * (j - 6) * 0.15 - 0.3 * k * (k - 2.5)).ToArray())];
        var x = IrtSimulation.Simulate(false, Enumerable.Repeat(1.0, 12).ToArray(), d, 1500, seed: 8, missing: 0.03);
        var data = ItemResponseData.Create(x, UnusedCategoryPolicy.Keep);
        var est = new ConditionalEstimator(data, IrtModelType.PartialCredit, new ParallelOptions());
        var (eta, ll, _, convergence) = est.Fit(1e-8, 100, null, default);
        Assert.True(convergence.Converged);
        var (ll2, g, _) = est.Evaluate(eta, hessian: false, default);
        Assert.Equal(ll, ll2, 1e-9);
        Assert.All(est.ProjectGradient(g), v => Assert.InRange(Math.Abs(v), 0, 1e-5));
    }
}
