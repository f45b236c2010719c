using System.Text.Json.Nodes;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance irt</c>: every option reaches <c>IrtOptions</c> or the extra tests, seen in the JSON.</summary>
public sealed class IrtParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _clinic;

    public IrtParseTests()
    {
        // Every sixth row (115, all eight therapists) is plenty for the fits and keeps each one a fraction of a second.
        string full = _files.Clinic("clinic-full.csv");
        _clinic = _files.File("clinic.csv", string.Join('\n', File.ReadLines(full).Where((_, i) => i == 0 || i % 6 == 5)) + "\n");
        File.Copy(full + ".alliance.json", _clinic + ".alliance.json");
    }

    public void Dispose() => _files.Dispose();

    private JsonObject Run(params string[] options) => Json(["irt", _clinic, .. options]);

    [Fact]
    public void DefaultsAreTheRatingScaleModelByCmlWithWle()
    {
        var doc = Run();
        Assert.Equal(("rsm", "cml", "wle", "locations_sum_to_zero"),
            (doc["model"]!.GetValue<string>(), doc["estimation"]!.GetValue<string>(), doc["person_estimator"]!.GetValue<string>(), doc["normalization"]!.GetValue<string>()));
        Assert.Null(doc["andersen"]);
        Assert.Null(doc["dif"]);
    }

    [Theory]
    [InlineData("pcm", "cml")]
    [InlineData("gpcm", "mml")]
    [InlineData("grm", "mml")]
    public void ModelAndItsDefaultEstimation(string model, string estimation)
    {
        var doc = Run("--model", model, "--quadrature", "21", "--no-se");
        Assert.Equal(model, doc["model"]!.GetValue<string>());
        Assert.Equal(estimation, doc["estimation"]!.GetValue<string>());
    }

    [Fact]
    public void EstimationQuadratureStandardErrorsAndPersonEstimatorReachTheFit()
    {
        var doc = Run("--model", "pcm", "--estimation", "mml", "--quadrature", "21", "--person-estimator", "map");
        Assert.Equal("mml", doc["estimation"]!.GetValue<string>());
        Assert.Equal(21, Num(doc["quadrature"]));
        Assert.Equal("map", doc["person_estimator"]!.GetValue<string>());
        Assert.NotEqual("not computed", doc["se_method"]!.GetValue<string>());
        Assert.Equal("not computed", Run("--model", "pcm", "--estimation", "mml", "--quadrature", "21", "--no-se")["se_method"]!.GetValue<string>());
        Assert.Equal(61, Num(Run("--model", "grm", "--no-se")["quadrature"]));
    }

    [Fact]
    public void NormalizationErmMovesTheOrigin()
    {
        var erm = Run("--normalization", "erm");
        Assert.Equal("erm", erm["normalization"]!.GetValue<string>());
        Assert.NotEqual(Num(Run()["items"]![0]!["location"]), Num(erm["items"]![0]!["location"]));
    }

    [Fact]
    public void DowncodeRenumbersAnInteriorUnusedCategory()
    {
        // Item a never uses category 3 (values 2, 4, 5): kept as a structural zero by default, renumbered with --downcode.
        string gap = _files.File("gap.csv", "a,b,c,d\n5,5,3,3\n2,2,3,3\n2,4,3,2\n4,5,4,3\n4,5,4,4\n5,4,3,4\n4,3,4,3\n4,3,3,3\n5,5,5,5\n2,1,2,1\n" +
            "4,4,1,1\n4,3,3,2\n4,3,2,3\n2,4,3,4\n2,4,3,4\n2,3,1,3\n2,4,3,1\n2,3,2,4\n2,4,1,4\n2,1,1,2\n5,5,4,4\n2,4,2,3\n2,3,2,3\n5,3,4,3\n" +
            "4,3,2,3\n2,3,4,4\n2,4,3,3\n2,3,3,5\n4,4,4,5\n4,5,3,3\n2,4,4,4\n4,4,5,5\n2,4,4,3\n2,5,4,4\n5,5,5,4\n5,5,5,5\n2,4,1,3\n4,1,2,2\n2,3,3,2\n4,4,3,4\n");
        var kept = Json("irt", gap, "--points", "5", "--model", "pcm")["items"]![0]!["d"]!.ToJsonString();
        var downcoded = Json("irt", gap, "--points", "5", "--model", "pcm", "--downcode")["items"]![0]!["d"]!.ToJsonString();
        Assert.NotEqual(kept, downcoded);
    }

    [Fact]
    public void AndersenAndDifAddTheirTests()
    {
        var doc = Run("--andersen", "median", "--dif", "therapist_id");
        Assert.StartsWith("median", doc["andersen"]!["split"]!.GetValue<string>());
        Assert.Equal(["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08"], Strings(doc["dif"]!["groups"]));
        Assert.Equal("dropout", Run("--andersen", "dropout")["andersen"]!["split"]!.GetValue<string>());
    }

    [Fact]
    public void PersonsWritesOneRowPerPerson()
    {
        string persons = Path.Combine(_files.Dir, "persons.csv");
        Run("--persons", persons);
        var lines = File.ReadAllLines(persons);
        Assert.Equal("line,answered,raw_score,theta,se,extreme,infit,outfit,lz", lines[0]);
        Assert.Equal(116, lines.Length);
    }
}
