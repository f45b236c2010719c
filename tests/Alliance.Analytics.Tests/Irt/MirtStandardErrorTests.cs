using System.Text.Json;
using Xunit.Abstractions;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Standard errors of marginal-ML fits against mirt 1.47 <c>SE = TRUE, SE.type = "Oakes"</c> (irt-mml-se.R →
/// irt-mml-se.json: 61 nodes on ±6, TOL = 1e-8) on science.csv and on simulated graded data (mml-sim.csv, 2,000 × 6,
/// 4 categories). Every slope and intercept SE must agree to 1e-4 relative, in mirt's parameterisation: graded
/// P(X ≥ k) = logistic(a θ + d_k); GPCM P_k ∝ exp(a k θ + d_k), d_0 = 0 (ours is the same); mirt's "Rasch" is our
/// partial credit model with a = 1 and a free latent variance (mirt reports COV_11 = σ², SE = 2σ SE(σ)).
/// A loose tolerance would let cross-product or sandwich SEs pass; in this fixture they differ from Oakes by 1.6–15 %.
/// </summary>
public class MirtStandardErrorTests(ITestOutputHelper output)
{
    private const double Relative = 1e-4;
    private static JsonElement? _json;
    private static JsonElement Json => _json ??= JsonDocument.Parse(File.ReadAllText(IrtFixtures.Path("irt-mml-se.json"))).RootElement;

    private static ResponseMatrix Data(string key) => key == "science"
        ? IrtFixtures.Matrix("science.csv", ItemScale.Likert(4, 1))
        : IrtFixtures.Matrix("mml-sim.csv", ItemScale.Likert(4, 0));

    private static IrtModelType Model(string model) => model switch
    {
        "graded" => IrtModelType.GradedResponse,
        "gpcm" => IrtModelType.GeneralizedPartialCredit,
        _ => IrtModelType.PartialCredit,
    };

    internal static IrtFit FitTight(ResponseMatrix x, IrtModelType model, IrtStandardErrorMethod method = IrtStandardErrorMethod.Oakes) =>
        IrtAnalysis.Fit(x, new IrtOptions
        {
            Model = model, Estimation = IrtEstimation.Marginal, Tolerance = 1e-10, MaxIterations = 100000,
            Diagnostics = false, StandardErrorMethod = method, MaxDegreeOfParallelism = 2,
        });

    /// <summary>Numbers of a JSON array, "NA" (a fixed parameter's SE) as NaN.</summary>
    private static double[] Nums(JsonElement e) => [.. e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : double.NaN)];

    public static TheoryData<string, string> Cases => new()
    {
        { "science", "graded" }, { "science", "gpcm" }, { "science", "rasch" },
        { "sim", "graded" }, { "sim", "gpcm" }, { "sim", "rasch" },
    };

    public static TheoryData<string, string, string> OtherCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (key, model) in new[] { ("science", "graded"), ("science", "gpcm"), ("science", "rasch"), ("sim", "graded"), ("sim", "gpcm"), ("sim", "rasch") })
            foreach (var method in new[] { "crossprod", "sandwich" }) data.Add(key, model, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OakesStandardErrorsReproduceMirt(string key, string model) => Compare(key, model, "Oakes");

    /// <summary>mirt's SE.type = "crossprod" and "sandwich", evaluated at mirt's Oakes estimates (TOL = NaN).</summary>
    [Theory]
    [MemberData(nameof(OtherCases))]
    public void CrossProductAndSandwichReproduceMirt(string key, string model, string method) => Compare(key, model, method);

    private void Compare(string key, string model, string method)
    {
        var reference = Json.GetProperty(key).GetProperty(model);
        var fit = FitTight(Data(key), Model(model), method switch
        {
            "crossprod" => IrtStandardErrorMethod.CrossProduct,
            "sandwich" => IrtStandardErrorMethod.Sandwich,
            _ => IrtStandardErrorMethod.Oakes,
        });
        Assert.True(fit.Convergence.Converged);
        Assert.Equal(reference.GetProperty("loglik").GetDouble(), fit.LogLikelihood, 1e-5);
        var items = reference.GetProperty("items").EnumerateArray().ToArray();
        double worst = 0, worstPar = 0;
        string where = "";
        void Check(string what, double expectedPar, double expectedSe, double par, double se)
        {
            worstPar = Math.Max(worstPar, Math.Abs(expectedPar - par));
            double rel = Math.Abs(se - expectedSe) / expectedSe;
            if (rel > worst) { worst = rel; where = $"{what}: ours {se:R}, mirt {expectedSe:R}"; }
        }
        for (int j = 0; j < items.Length; j++)
        {
            var names = items[j].GetProperty("par_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var par = Nums(items[j].GetProperty("par"));
            var se = method == "Oakes" ? Nums(items[j].GetProperty("se")) : Nums(reference.GetProperty(method).GetProperty("items")[j]);
            var item = fit.Items[j];
            for (int k = 0; k < names.Length; k++)
            {
                if (names[k] == "a1")
                {
                    if (model == "rasch") continue; // fixed at 1
                    Check($"{item.Name} a1", par[k], se[k], item.A, item.AStandardError);
                }
                else
                {
                    int c = int.Parse(names[k][1..], CultureInfo.InvariantCulture);
                    Check($"{item.Name} {names[k]}", par[k], se[k], item.Intercepts[c - 1], item.InterceptStandardErrors[c - 1]);
                }
            }
        }
        if (model == "rasch")
        {
            var g = reference.GetProperty("group");
            var gnames = g.GetProperty("par_names").EnumerateArray().Select(e => e.GetString()).ToList();
            int v = gnames.IndexOf("COV_11");
            double sigma = fit.LatentSd;
            Check("COV_11", Nums(g.GetProperty("par"))[v], (method == "Oakes" ? Nums(g.GetProperty("se")) : Nums(reference.GetProperty(method).GetProperty("group")))[v], sigma * sigma, 2 * sigma * fit.LatentSdStandardError);
        }
        output.WriteLine($"{key} {model} {method}: largest relative SE difference {worst:G3} ({where}); largest estimate difference {worstPar:G3}");
        // mirt's EM may stop short of the maximum in a flat direction (science, "Rasch": 52 cycles, estimates 1.3e-4 away);
        // then ours must be the better maximiser, and the SEs must still agree
        double mirtLl = reference.GetProperty("loglik").GetDouble();
        output.WriteLine($"log-likelihood ours {fit.LogLikelihood:R}, mirt {mirtLl:R}");
        if (worstPar >= 1e-4) Assert.True(worstPar < 1e-3 && fit.LogLikelihood > mirtLl, $"largest estimate difference {worstPar:G3}");
        Assert.True(worst < Relative, $"largest relative SE difference {worst:G3} at {where}");
    }
}
