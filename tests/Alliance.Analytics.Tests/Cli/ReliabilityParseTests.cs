using System.Text.Json.Nodes;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance reliability</c>: every option reaches <c>ReliabilityOptions</c> or the extra analyses, seen in the JSON.</summary>
public sealed class ReliabilityParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _clinic;

    public ReliabilityParseTests() => _clinic = _files.Clinic();

    public void Dispose() => _files.Dispose();

    private JsonObject Run(params string[] options) => Json(["reliability", _clinic, .. options]);

    [Fact]
    public void DefaultsAreFeldtAtTheSharedLevelPairwiseMinres()
    {
        var doc = Run();
        Assert.Equal("Feldt", doc["alpha_ci_method"]!.GetValue<string>().Split(' ')[0]);
        Assert.Equal(Defaults.Level, Num(doc["alpha_ci_level"]));
        Assert.Equal("pairwise", doc["missing"]!.GetValue<string>());
        Assert.Equal("minres", doc["omega_method"]!.GetValue<string>());
        Assert.Null(doc["bootstrap"]);
        Assert.Null(doc["icc"]);
        Assert.Null(doc["reliable_change"]);
        Assert.Null(doc["ordinal_alpha"]);
    }

    [Fact]
    public void LevelSetsEveryIntervalsLevel()
    {
        var doc = Run("--level", "0.9");
        Assert.Equal(0.9, Num(doc["alpha_ci_level"]));
        Assert.All(doc["subscales"]!.AsArray(), s => Assert.Equal(0.9, Num(s!["alpha_ci_level"])));
        var (lo90, hi90) = Interval(doc["alpha_ci"]);
        var (lo95, hi95) = Interval(Run()["alpha_ci"]);
        Assert.True(hi90 - lo90 < hi95 - lo95);
    }

    [Fact]
    public void BootstrapAndSeedReachTheBootstrapAndTheSameSeedRepeatsIt()
    {
        var seven = Run("--bootstrap", "100", "--seed", "7");
        Assert.StartsWith("BCa", seven["alpha_ci_method"]!.GetValue<string>());
        Assert.Equal(100, Num(seven["bootstrap"]!["replicates_requested"]));
        Assert.Equal(7, Num(seven["bootstrap"]!["seed"]));
        var eight = Run("--bootstrap", "100", "--seed", "8");
        Assert.NotEqual(Interval(seven["alpha_ci"]), Interval(eight["alpha_ci"]));
        Assert.Equal(Interval(seven["alpha_ci"]), Interval(Run("--bootstrap", "100", "--seed", "7")["alpha_ci"]));
        Assert.Equal(Defaults.Seed, (long)Num(Run("--ci", "bootstrap", "--bootstrap", "100")["bootstrap"]!["seed"]));
    }

    [Fact]
    public void CiBootstrapUsesTheDefaultReplicates()
    {
        var doc = Run("--ci", "bootstrap", "--subscale", "Bond");
        Assert.Equal(2000, Num(doc["bootstrap"]!["replicates_requested"]));
    }

    [Fact]
    public void MissingOmegaSplitsOrdinalSubscaleAndReverseReachTheAnalysis()
    {
        var doc = Run("--missing", "listwise", "--omega", "ml", "--splits", "psych", "--ordinal", "--subscale", "Bond", "--reverse", "wai3");
        Assert.Equal("Bond", doc["scale"]!.GetValue<string>());
        Assert.Equal(["wai3", "wai5", "wai7", "wai9"], Strings(doc["item_names"]));
        Assert.Equal("listwise", doc["missing"]!.GetValue<string>());
        Assert.Equal("ml", doc["omega_method"]!.GetValue<string>());
        Assert.Equal(["wai3"], Strings(doc["reversed"]));
        Assert.NotNull(doc["ordinal_alpha"]);
        Assert.Equal(Num(doc["complete_rows"]), Num(doc["n"]));
        Assert.NotEqual(Num(Run("--subscale", "Bond")["alpha"]), Num(doc["alpha"]));
    }

    [Fact]
    public void IccChangeAndRxxAddTheirSectionsAtTheLevelAndReliabilityGiven()
    {
        var doc = Run("--icc", "--change", "1,2", "--rxx", "0.8", "--level", "0.9");
        var (lo90, hi90) = Interval(doc["icc"]!["icc"]![0]!["ci"]);
        var (lo95, hi95) = Interval(Run("--icc")["icc"]!["icc"]![0]!["ci"]);
        Assert.True(hi90 - lo90 < hi95 - lo95, "--level reaches the ICC intervals");
        var change = doc["reliable_change"]!;
        Assert.Equal(0.8, Num(change["reliability"]));
        Assert.Contains("sessions 1 and 2", change["source"]!.GetValue<string>());
        Assert.Equal(1.6448536269514722, Num(change["critical"]), 6); // two-sided 90%
    }

    [Fact]
    public void ItemsAndPlotReachTheirTargets()
    {
        string plot = Path.Combine(_files.Dir, "items.svg");
        var doc = Json("reliability", _clinic, "--instrument", "ARM-5", "--items", "wai1,wai2,wai3,wai4,wai5", "--plot", plot);
        Assert.Equal(["wai1", "wai2", "wai3", "wai4", "wai5"], Strings(doc["item_names"]));
        Assert.True(File.Exists(plot));
    }
}
