using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary><c>alliance score</c>: --prorate, --no-reverse, the instrument options and the CSV output reach the scoring.</summary>
public sealed class ScoreParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _data;
    private readonly string _key;

    public ScoreParseTests()
    {
        // Three items on 1–5, item 3 reverse-keyed; the second row answers two of three items.
        _key = _files.File("key.json", "{\"id\": \"T3\", \"items\": 3, \"points\": 5, \"reverse\": [3]}");
        _data = _files.File("t3.csv", "client_id,session,a,b,c\nc1,1,4,4,1\nc2,1,2,,5\n");
    }

    public void Dispose() => _files.Dispose();

    private static JsonNode Row(JsonObject doc, int i) => doc["rows"]![i]!;

    [Fact]
    public void KeyAndInstrumentScoreWithReverseKeysAndTheInstrumentsProrating()
    {
        var doc = Json("score", _data, "--key", _key, "--instrument", "T3");
        Assert.Equal("T3", doc["instrument"]!.GetValue<string>());
        Assert.Equal(0.8, Num(doc["prorate_min_fraction"]));
        Assert.Equal(4 + 4 + 5, Num(Row(doc, 0)["total"])); // c reversed: 1 + 5 − 1
        Assert.Null(Row(doc, 1)["total"]); // 2 of 3 answered < 80%
    }

    [Fact]
    public void ProrateAndNoReverseReachTheScoringOptions()
    {
        var doc = Json("score", _data, "--key", _key, "--instrument", "T3", "--prorate", "0.5", "--no-reverse");
        Assert.Equal(0.5, Num(doc["prorate_min_fraction"]));
        Assert.Equal(4 + 4 + 1, Num(Row(doc, 0)["total"]));
        Assert.Equal((2 + 5) / 2.0 * 3, Num(Row(doc, 1)["total"]));
    }

    [Fact]
    public void CsvFormatGivesOneRowPerAdministration()
    {
        var (exit, output, err) = CliRunner.Run("score", _data, "--key", _key, "--instrument", "T3", "--format", "csv");
        Assert.True(exit == ExitCodes.Ok, err);
        Assert.Equal(["client_id,session,total", "c1,1,13", "c2,1,"], output.Trim().Split('\n').Select(l => l.Trim()));
    }
}

/// <summary><c>alliance validate</c>: the data options reach the check, and --all lists every finding.</summary>
public sealed class ValidateParseTests : IDisposable
{
    private readonly CliFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void DataOptionsReachTheCheckAndTheExitCodeFollowsIt()
    {
        string file = _files.File("v.csv", "a,b\n1,9\n2,-99\n3,3\n");
        var (exit, output, _) = CliRunner.Run("validate", file, "--points", "5", "--format", "json");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal(2, Num(JsonNode.Parse(output)!["error_count"]));
        var (exit2, output2, _) = CliRunner.Run("validate", file, "--points", "9", "--missing-codes", "-99", "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit2);
        Assert.True(JsonNode.Parse(output2)!["valid"]!.GetValue<bool>());
        Assert.Contains("item column 'zz' is named in --items but not in the file", CliRunner.Run("validate", file, "--items", "a,zz").Out);
    }

    [Fact]
    public void AllListsEveryFindingInTheTable()
    {
        string file = _files.File("many.csv", "a,b\n" + string.Concat(Enumerable.Range(0, 210).Select(_ => "1,9\n")));
        string head = CliRunner.Run("validate", file, "--points", "5").Out;
        string all = CliRunner.Run("validate", file, "--points", "5", "--all").Out;
        static int Findings(string table) => table.Split('\n').Count(l => l.Contains("is outside the 1–5 scale", StringComparison.Ordinal));
        Assert.Equal(200, Findings(head));
        Assert.Equal(210, Findings(all));
    }
}

/// <summary><c>alliance instruments</c>: the id argument, --key and --format reach the registry and the printout.</summary>
public sealed class InstrumentsParseTests : IDisposable
{
    private readonly CliFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void IdKeyAndFormatReachTheRegistry()
    {
        var all = Json("instruments")["instruments"]!.AsArray();
        Assert.Contains(all, i => i!["id"]!.GetValue<string>() == "WAI-SR");
        Assert.Equal("WAI-SR", Json("instruments", "WAI-SR")["id"]!.GetValue<string>());
        string key = _files.File("mine.json", "{\"id\": \"MINE\", \"items\": 2, \"points\": 3}");
        Assert.Equal(3, Num(Json("instruments", "MINE", "--key", key)["points"]));
        Assert.Equal(all.Count + 1, Json("instruments", "--key", key)["instruments"]!.AsArray().Count);
        Assert.StartsWith("| ", CliRunner.Run("instruments", "--format", "markdown").Out.Split('\n').First(l => l.StartsWith('|')));
    }
}
