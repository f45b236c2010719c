using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Numerics;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Marginal-ML standard errors beyond the mirt fixture: Oakes' information equals the Jacobian of the Fisher-identity
/// score (central differences of the marginal gradient), a singular information names its parameters, a large
/// information (whose determinant overflows) still inverts, the CLI's --se-method, and no NaN separation.
/// </summary>
public class MarginalStandardErrorTests
{
    private static ResponseMatrix Science => IrtFixtures.Matrix("science.csv", ItemScale.Likert(4, 1));

    [Theory]
    [InlineData(IrtModelType.GradedResponse, false)]
    [InlineData(IrtModelType.GeneralizedPartialCredit, false)]
    [InlineData(IrtModelType.PartialCredit, true)]
    [InlineData(IrtModelType.RatingScale, true)]
    public void OakesInformationIsTheJacobianOfTheMarginalScore(IrtModelType model, bool freeVariance)
    {
        var data = ItemResponseData.Create(Science, UnusedCategoryPolicy.Keep);
        var est = new MarginalEstimator(data, model, QuadratureGrid.Normal(), freeVariance, new ParallelOptions());
        var (x, _, _) = est.Fit(1e-9, 100000, true, null, default);
        var oakes = est.OakesInformation(x, default);
        // Richardson-extrapolated Jacobian of the analytic marginal score (numDeriv's jacobian)
        var jac = NumericalDerivatives.Jacobian(v => est.Gradient(v, default), x, 1e-3);
        int p = est.ParameterCount;
        for (int i = 0; i < p; i++)
            for (int k = 0; k < p; k++)
            {
                double expected = -0.5 * (jac[i, k] + jac[k, i]);
                Assert.True(Math.Abs(oakes[i, k] - expected) <= 1e-6 * Math.Sqrt(Math.Abs(oakes[i, i] * oakes[k, k])) + 1e-9,
                    $"[{i},{k}] Oakes {oakes[i, k]} vs Jacobian {expected}");
            }
    }

    [Theory]
    [InlineData(IrtModelType.GradedResponse, false)]
    [InlineData(IrtModelType.GeneralizedPartialCredit, false)]
    [InlineData(IrtModelType.PartialCredit, true)]
    [InlineData(IrtModelType.RatingScale, true)]
    public void LouisInformationEqualsOakes(IrtModelType model, bool freeVariance)
    {
        // with missing answers, so that the pairwise counts differ from the single ones
        var x = IrtFixtures.Matrix("science.csv", ItemScale.Likert(4, 1), missing: (i, j) => (i * 7 + j * 3) % 11 == 0);
        var data = ItemResponseData.Create(x, UnusedCategoryPolicy.Keep);
        var est = new MarginalEstimator(data, model, QuadratureGrid.Normal(), freeVariance, new ParallelOptions());
        var (theta, _, _) = est.Fit(1e-9, 100000, true, null, default);
        var oakes = est.OakesInformation(theta, default);
        var louis = est.LouisInformation(theta, default);
        int p = est.ParameterCount;
        for (int i = 0; i < p; i++)
            for (int k = 0; k < p; k++)
                Assert.True(Math.Abs(oakes[i, k] - louis[i, k]) <= 1e-6 * Math.Sqrt(Math.Abs(oakes[i, i] * oakes[k, k])),
                    $"[{i},{k}] Oakes {oakes[i, k]} vs Louis {louis[i, k]}");
    }

    [Theory]
    [InlineData(IrtStandardErrorMethod.Oakes)]
    [InlineData(IrtStandardErrorMethod.Sandwich)]
    public void StandardErrorsAreTheSameBitsForAnyThreadCount(IrtStandardErrorMethod method)
    {
        IrtFit Run(int threads) => IrtAnalysis.Fit(IrtFixtures.Matrix("mml-sim.csv", ItemScale.Likert(4, 0)), new IrtOptions
        {
            Model = IrtModelType.GradedResponse, Diagnostics = false, StandardErrorMethod = method, MaxDegreeOfParallelism = threads,
        });
        var one = Run(1);
        var two = Run(2);
        for (int j = 0; j < one.Items.Length; j++)
        {
            Assert.Equal(one.Items[j].AStandardError, two.Items[j].AStandardError);
            Assert.Equal(one.Items[j].InterceptStandardErrors.ToArray(), two.Items[j].InterceptStandardErrors.ToArray());
        }
    }

    [Fact]
    public void SingularInformationNamesTheParameters()
    {
        string[] names = ["slope of A", "intercept 1 of A (category 2)", "slope of B", "latent SD"];
        // the last two parameters carry the same information: only their sum is identified
        var info = new double[,] { { 4, 1, 0, 0 }, { 1, 3, 0, 0 }, { 0, 0, 2, 2 }, { 0, 0, 2, 2 } };
        Assert.Null(IrtAnalysis.InvertInformation(info, names, out var problem));
        Assert.Contains("slope of B", problem);
        Assert.Contains("latent SD", problem);
        Assert.DoesNotContain("slope of A", problem);

        var none = new double[,] { { 4, 0 }, { 0, 0 } };
        Assert.Null(IrtAnalysis.InvertInformation(none, ["slope of A", "intercept 3 of A (category 4)"], out problem));
        Assert.Contains("no information about intercept 3 of A (category 4)", problem);
    }

    [Fact]
    public void InformationWhoseDeterminantOverflowsStillInverts()
    {
        // 80 parameters with information 1e5 each: determinant 1e400 overflows; the old check refused it
        int n = 80;
        var info = new double[n, n];
        for (int i = 0; i < n; i++) { info[i, i] = 1e5; if (i > 0) info[i, i - 1] = info[i - 1, i] = 2e4; }
        var cov = IrtAnalysis.InvertInformation(info, [.. Enumerable.Range(0, n).Select(i => $"p{i}")], out var problem);
        Assert.NotNull(cov);
        Assert.Null(problem);
        Assert.True(cov![0, 0] > 0 && double.IsFinite(cov[0, 0]));
    }

    [Fact]
    public void LargeSimulatedGradedFitHasStandardErrors()
    {
        // 20,000 persons × 16 items × 5 categories: the case the central-difference Hessian refused (issue 17)
        var rng = new Random(17);
        int n = 20000, m = 16;
        var values = new double[n * m];
        for (int i = 0; i < n; i++)
        {
            double theta = Normal(rng);
            for (int j = 0; j < m; j++)
            {
                double a = 0.8 + 0.1 * j, u = rng.NextDouble();
                int x = 0;
                for (int k = 1; k <= 4; k++) if (u < 1 / (1 + Math.Exp(-(a * theta + 1.5 - (k - 1) - 0.1 * j)))) x = k;
                values[i * m + j] = x;
            }
        }
        var matrix = ResponseMatrix.Create(values, [.. Enumerable.Range(1, m).Select(j => $"I{j}")], ItemScale.Likert(5, 0));
        var fit = IrtAnalysis.Fit(matrix, new IrtOptions { Model = IrtModelType.GradedResponse, Diagnostics = false });
        Assert.All(fit.Items, item => Assert.True(item.AStandardError is > 0 and < 0.1, $"{item.Name}: {item.AStandardError}"));
        Assert.All(fit.Items, item => Assert.All(item.InterceptStandardErrors, se => Assert.True(se is > 0 and < 0.1)));
        Assert.DoesNotContain(fit.Warnings, w => w.Contains("standard errors are not available"));
        Assert.StartsWith("inverse of the observed information by Oakes' identity", fit.StandardErrorMethod);
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Theory]
    [InlineData("oakes", "Oakes")]
    [InlineData("xpd", "cross-product")]
    [InlineData("sandwich", "sandwich")]
    public void CliChoosesTheStandardErrorMethod(string method, string described)
    {
        var (exit, output, _) = CliRunner.Run("irt", IrtFixtures.Path("science.csv"), "--points", "4", "--model", "grm", "--se-method", method, "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.Contains(described, doc["se_method"]!.GetValue<string>());
        Assert.True(doc["items"]![0]!["se"]!["a"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void SeparationWithoutStandardErrorsSaysWhyInsteadOfNaN()
    {
        var (exit, output, _) = CliRunner.Run("irt", IrtFixtures.Path("science.csv"), "--points", "4", "--model", "grm", "--no-se");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.DoesNotContain("NaN", output);
        Assert.Contains("item separation not available: standard errors of the measures are not available", output);
    }
}
