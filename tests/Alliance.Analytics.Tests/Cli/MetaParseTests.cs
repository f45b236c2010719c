using System.Text.Json.Nodes;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance meta</c>: every option reaches the study table spec or <c>MetaReportOptions</c>, seen in the JSON.</summary>
public sealed class MetaParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _studies;

    public MetaParseTests() => _studies = _files.Studies();

    public void Dispose() => _files.Dispose();

    private JsonObject Run(params string[] options) => Json(["meta", _studies, .. options]);

    [Fact]
    public void DefaultsAreRemlZTestsAtTheSharedLevelOnFisherZ()
    {
        var doc = Run();
        Assert.Equal(("REML", "z", "fisher_z"), (doc["method"]!.GetValue<string>(), doc["test"]!.GetValue<string>(), doc["measure"]!.GetValue<string>()));
        Assert.Equal(Defaults.Level, Num(doc["level"]));
        Assert.Equal(40, Num(doc["k"]));
        Assert.Null(doc["permutation"]);
        Assert.Null(doc["egger"]);
        Assert.Null(doc["influence"]);
    }

    [Fact]
    public void MethodTestLevelAndMeasureReachTheModel()
    {
        var doc = Run("--method", "DL", "--test", "knha", "--level", "0.9", "--measure", "r");
        Assert.Equal(("DL", "knha", "r"), (doc["method"]!.GetValue<string>(), doc["test"]!.GetValue<string>(), doc["measure"]!.GetValue<string>()));
        Assert.Equal(0.9, Num(doc["level"]));
        Assert.Equal("EE", Run("--method", "ee")["method"]!.GetValue<string>());
    }

    [Fact]
    public void PermutationsAndSeedReachThePermutationTest()
    {
        var seven = Run("--mods", "ptr", "--permutations", "50", "--seed", "7")["permutation"]!;
        Assert.Equal((50.0, 7.0), (Num(seven["iterations"]), Num(seven["seed"])));
        var eight = Run("--mods", "ptr", "--permutations", "50", "--seed", "8")["permutation"]!;
        Assert.NotEqual(seven["coefficients"]!.ToJsonString(), eight["coefficients"]!.ToJsonString());
        Assert.Equal(seven.ToJsonString(), Run("--mods", "ptr", "--permutations", "50", "--seed", "7")["permutation"]!.ToJsonString());
        Assert.Equal(Defaults.Seed, (long)Num(Run("--mods", "ptr", "--permutations", "20")["permutation"]!["seed"]));
    }

    [Fact]
    public void ModsGiveAMetaRegression()
    {
        var doc = Run("--mods", "ptr,design");
        Assert.Equal(["intrcpt", "ptr", "design=rct"], doc["coefficients"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Take(3));
    }

    [Fact]
    public void RAndNOrYiAndViNameTheColumns()
    {
        string renamed = _files.File("renamed.csv", File.ReadAllText(_studies).Replace("study,es_id,r,n,", "paper,es_id,corr,size,"));
        var byName = Json("meta", renamed, "--r", "corr", "--n", "size", "--study", "paper", "--influence");
        Assert.Equal(Num(Run()["estimate"]), Num(byName["estimate"]), 12);
        Assert.Equal("s001", byName["influence"]![0]!["label"]!.GetValue<string>());
        var generic = Run("--yi", "r", "--vi", "ptr");
        Assert.Equal("generic", generic["measure"]!.GetValue<string>());
        Assert.Equal("1", Run("--study", "es_id", "--influence")["influence"]![0]!["label"]!.GetValue<string>());
    }

    [Fact]
    public void ClusterAndRobustFitTheThreeLevelModel()
    {
        var doc = Run("--cluster", "study", "--robust");
        Assert.Equal("three-level", doc["model"]!.GetValue<string>());
        Assert.NotNull(doc["robust"]);
        Assert.Null(Run("--cluster", "study")["robust"]);
    }

    [Fact]
    public void BiasAndInfluenceAddTheirDiagnostics()
    {
        var doc = Run("--bias", "--influence");
        foreach (string key in new[] { "egger", "rank", "trimfill", "pet_peese", "leave_one_out", "influence" })
            Assert.NotNull(doc[key]);
    }

    [Fact]
    public void DelimiterMissingCodesAndDropInvalidReachTheStudyTable()
    {
        var lines = File.ReadAllLines(_studies);
        lines[2] = string.Join(',', lines[2].Split(',').Select((f, i) => i == 2 ? "-99" : f)); // line 3: r coded missing
        string tsv = _files.File("studies.txt", string.Join('\n', lines.Select(l => l.Replace(',', '\t'))) + "\n");
        Assert.Contains("line 3, column 'r': -99: a correlation must lie strictly between", BadInput("meta", tsv, "--delimiter", "tab"));
        var coded = Json("meta", tsv, "--delimiter", "tab", "--missing-codes", "-99");
        Assert.Equal(39, Num(coded["k"]));
        Assert.Equal([3], coded["data"]!["excluded"]![0]!["lines"]!.AsArray().Select(l => (int)Num(l)));
        lines[3] = string.Join(',', lines[3].Split(',').Select((f, i) => i == 2 ? "1.5" : f)); // line 4: r off the scale
        string invalid = _files.File("invalid.txt", string.Join('\n', lines.Select(l => l.Replace(',', '\t'))) + "\n");
        Assert.Contains("line 4, column 'r'", BadInput("meta", invalid, "--delimiter", "tab", "--missing-codes", "-99"));
        Assert.Equal(38, Num(Json("meta", invalid, "--delimiter", "tab", "--missing-codes", "-99", "--drop-invalid")["k"]));
    }

    [Fact]
    public void ForestAndFunnelWriteTheirPlots()
    {
        string forest = Path.Combine(_files.Dir, "forest.svg"), funnel = Path.Combine(_files.Dir, "funnel.svg");
        Run("--forest", forest, "--funnel", funnel);
        Assert.Contains("<svg", File.ReadAllText(forest));
        Assert.Contains("<svg", File.ReadAllText(funnel));
    }
}
