using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// <c>alliance describe</c> and the data options every data verb shares (DataOptions): each flag reaches the data
/// spec, seen in the JSON (items, scale, missing counts, rows used, scores).
/// </summary>
public sealed class DescribeParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _plain;

    public DescribeParseTests() =>
        _plain = _files.File("plain.csv", "client_id,session,a,b,c,d\nc1,1,1,2,3,4\nc2,1,2,-99,3,3\nc3,1,4,5,5,4\nc4,1,3,3,2,2\nc5,1,5,4,4,5\n");

    public void Dispose() => _files.Dispose();

    private static string[] ItemNames(JsonObject doc) => [.. doc["items"]!.AsArray().Select(i => i!["item"]!.GetValue<string>())];

    private static JsonNode Item(JsonObject doc, string name) => doc["items"]!.AsArray().First(i => i!["item"]!.GetValue<string>() == name)!;

    [Fact]
    public void ItemsDefaultToEveryNonIdColumnAndItemsSelectsThem()
    {
        Assert.Equal(["a", "b", "c", "d"], ItemNames(Json("describe", _plain, "--missing-codes", "-99")));
        Assert.Equal(["c", "a"], ItemNames(Json("describe", _plain, "--items", "c,a")));
    }

    [Fact]
    public void MissingCodesTurnsTheCodeIntoMissing()
    {
        // Without the code, −99 on a 1–5 scale is refused (issue 14: it used to widen the scale to 105 points).
        var refused = CliRun.BadInput("describe", _plain);
        Assert.Contains("If -99 is a missing-value code, name it in --missing-codes", refused);
        var raw = Item(Json("describe", _plain, "--continuous", "--min", "-99", "--max", "5"), "b");
        Assert.Equal(0, Num(raw["missing"]));
        Assert.Equal(-99, Num(raw["min"]));
        var coded = Item(Json("describe", _plain, "--missing-codes", "-99"), "b");
        Assert.Equal(1, Num(coded["missing"]));
        Assert.Equal(4, Num(coded["n"]));
        Assert.Equal(2, Num(coded["min"]));
    }

    [Fact]
    public void DelimiterTabReadsATsvWithATxtExtension()
    {
        string tsv = File.ReadAllText(_plain).Replace(',', '\t');
        Assert.Equal(["a", "b", "c", "d"], ItemNames(Json("describe", _files.File("plain.txt", tsv), "--delimiter", "tab", "--missing-codes", "-99")));
        // A .csv extension means ',' unless --delimiter says otherwise.
        string misnamed = _files.File("tabs.csv", tsv);
        Assert.Contains("'c1\t1\t1\t2\t3\t4' is not a number", BadInput("describe", misnamed));
        Assert.Equal(["a", "b", "c", "d"], ItemNames(Json("describe", misnamed, "--delimiter", "tab", "--missing-codes", "-99")));
        Assert.Equal(["a", "b", "c", "d"], ItemNames(Json("describe", _files.File("semi.csv", File.ReadAllText(_plain).Replace(',', ';')), "--delimiter", ";", "--missing-codes", "-99")));
    }

    [Fact]
    public void PointsMinMaxAndContinuousSetTheScale()
    {
        var likert = Json("describe", _plain, "--points", "7", "--min", "0", "--missing-codes", "-99")["scale"]!;
        Assert.Equal((0.0, 6.0, true), (Num(likert["min"]), Num(likert["max"]), likert["integer"]!.GetValue<bool>()));
        var vas = Json("describe", _plain, "--continuous", "--min", "-100", "--max", "100")["scale"]!;
        Assert.Equal((-100.0, 100.0, false), (Num(vas["min"]), Num(vas["max"]), vas["integer"]!.GetValue<bool>()));
    }

    [Fact]
    public void DropInvalidLeavesOutTheRowsOffTheScaleAndReportsThem()
    {
        var err = BadInput("describe", _plain, "--points", "5");
        Assert.Contains("-99 is outside the 1–5 scale", err);
        var (exit, output, note) = CliRunner.Run("describe", _plain, "--points", "5", "--drop-invalid", "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var data = JsonNode.Parse(output)!["data"]!;
        Assert.Equal(5, Num(data["rows_available"]));
        Assert.Equal(4, Num(data["rows_used"]));
        Assert.Equal([3], data["excluded"]![0]!["lines"]!.AsArray().Select(l => (int)Num(l)));
        Assert.Contains("note:", note);
    }

    [Fact]
    public void KeyAndInstrumentScoreWithTheUsersInstrument()
    {
        string key = _files.File("mine.json", "{\"id\": \"MINE\", \"items\": 4, \"points\": 5, \"subscales\": [{\"name\": \"First\", \"items\": [1, 2]}]}");
        Assert.Empty(Json("describe", _plain, "--missing-codes", "-99")["scores"]!.AsArray());
        var doc = Json("describe", _plain, "--missing-codes", "-99", "--key", key, "--instrument", "MINE");
        var scores = doc["scores"]!.AsArray().Select(s => s!["score"]?.GetValue<string>() ?? s!["item"]!.GetValue<string>()).ToArray();
        Assert.Equal(["first", "total"], scores);
    }

    [Fact]
    public void TheSidecarAppliesAndFlagsOverrideIt()
    {
        string clinic = _files.Clinic();
        var doc = Json("describe", clinic);
        Assert.Equal(12, doc["items"]!.AsArray().Count);
        Assert.Contains("total", doc["scores"]!.ToJsonString());
        Assert.Equal(["wai1", "wai2", "wai3", "wai4", "wai5"], ItemNames(Json("describe", clinic, "--instrument", "ARM-5", "--items", "wai1,wai2,wai3,wai4,wai5", "--points", "7")));
    }
}
