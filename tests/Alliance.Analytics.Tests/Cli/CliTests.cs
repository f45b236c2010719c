using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>The CLI conventions: exit codes, --help on every verb, JSON on stdout, errors on stderr, --out written whole.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _valid;
    private readonly string _invalid;
    private static readonly string Items = string.Join(',', Enumerable.Range(1, 12).Select(i => "q" + i));

    public CliTests()
    {
        string header = "client_id,therapist_id,session," + Items + ",phq9\n";
        _valid = _dir.File("valid.csv", header +
            "c1,t1,1,4,5,3,4,5,4,3,5,4,4,5,3,12\n" +
            "c1,t1,2,5,5,4,4,5,5,4,5,5,4,5,4,10\n" +
            "c2,t1,1,3,,2,3,3,4,2,3,3,3,3,3,\n" +
            "c3,t2,1,1,2,1,2,1,2,1,2,1,2,1,2,20\n");
        _invalid = _dir.File("invalid.csv", header + "c1,t1,1,4,5,3,4,5,4,3,5,4,4,5,9,12\nc2,t1,1,3,3,3,3,3,3,3,3,3,3,3,3\n");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryVerbHasHelpThatExitsZero()
    {
        foreach (var verb in AllianceCli.Verbs.Select(v => v(new CliContext(TextWriter.Null, TextWriter.Null, false, default)).Name))
        {
            var (exit, output, _) = CliRunner.Run(verb, "--help");
            Assert.Equal(ExitCodes.Ok, exit);
            Assert.Contains("Usage:", output);
            Assert.Contains(verb, output);
        }
    }

    [Fact]
    public void UnknownOptionIsAUsageErrorWithExitCode2()
    {
        var (exit, _, err) = CliRunner.Run("validate", _valid, "--bogus");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--bogus", err);
    }

    [Fact]
    public void MissingFileIsBadInput()
    {
        var (exit, _, err) = CliRunner.Run("describe", Path.Combine(_dir.Path, "nope.csv"));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("nope.csv: file not found", err);
    }

    [Fact]
    public void ValidateExitsZeroOnValidDataAndTwoOnErrorsListingThem()
    {
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("validate", _valid, "--instrument", "WAI-SR", "--items", Items).Exit);
        var (exit, output, _) = CliRunner.Run("validate", _invalid, "--instrument", "WAI-SR", "--items", Items);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("9 is outside the 1–5 scale", output);
        Assert.Contains("the row has 15 fields; the header has 16", output);
    }

    [Fact]
    public void ValidateJsonListsIssuesWithLineColumnAndValue()
    {
        var (exit, output, _) = CliRunner.Run("validate", _invalid, "--instrument", "WAI-SR", "--items", Items, "--format", "json");
        Assert.Equal(ExitCodes.BadInput, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.False(doc["valid"]!.GetValue<bool>());
        var issue = doc["issues"]!.AsArray().First(i => i!["code"]!.GetValue<string>() == "out_of_scale")!;
        Assert.Equal(2, issue["line"]!.GetValue<int>());
        Assert.Equal("q12", issue["column"]!.GetValue<string>());
        Assert.Equal("9", issue["value"]!.GetValue<string>());
    }

    [Fact]
    public void AnalysesRefuseInvalidDataWithExitCode2UnlessDropInvalid()
    {
        var (exit, _, err) = CliRunner.Run("score", _invalid, "--instrument", "WAI-SR", "--items", Items);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("line 2, column 'q12': 9 is outside the 1–5 scale", err);
        var dropped = CliRunner.Run("score", _invalid, "--instrument", "WAI-SR", "--items", Items, "--drop-invalid", "--format", "json");
        Assert.Equal(ExitCodes.Ok, dropped.Exit);
        var doc = JsonNode.Parse(dropped.Out)!.AsObject();
        Assert.Equal(0, doc["n"]!.GetValue<int>());
        Assert.Equal(2, doc["data"]!["excluded"]!.AsArray().Count);
        Assert.Contains("left out", dropped.Err);
    }

    [Fact]
    public void ScoreJsonHasARowPerAdministrationWithLowerCaseScores()
    {
        var (exit, output, _) = CliRunner.Run("score", _valid, "--instrument", "WAI-SR", "--items", Items, "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var rows = JsonNode.Parse(output)!["rows"]!.AsArray();
        Assert.Equal(4, rows.Count);
        var first = rows[0]!.AsObject();
        Assert.Equal("c1", first["client_id"]!.GetValue<string>());
        Assert.Equal(1, first["session"]!.GetValue<double>());
        // Task = q1 + q2 + q10 + q12 = 4 + 5 + 4 + 3.
        Assert.Equal(16, first["task"]!.GetValue<double>());
        Assert.Equal(49, first["total"]!.GetValue<double>()); // 4+5+3+4+5+4+3+5+4+4+5+3
        Assert.Null(rows[2]!["task"]);
    }

    [Fact]
    public void ScoreWritesCsvToOutWholeAndSaysWhere()
    {
        string output = Path.Combine(_dir.Path, "out", "scores.csv");
        var (exit, stdout, err) = CliRunner.Run("score", _valid, "--instrument", "WAI-SR", "--items", Items, "--out", output);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("", stdout);
        Assert.Contains("wrote", err);
        var lines = File.ReadAllLines(output);
        Assert.Equal("client_id,therapist_id,session,task,goal,bond,total", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!, "*.tmp"));
    }

    [Fact]
    public void DescribeTablePrintsItemsAndScores()
    {
        var (exit, output, _) = CliRunner.Run("describe", _valid, "--instrument", "WAI-SR", "--items", Items);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Items", output);
        Assert.Contains("ceiling", output);
        Assert.Contains("total", output);
    }

    [Fact]
    public void InstrumentsListsAndShowsAndPrintsAKeyTemplate()
    {
        var list = CliRunner.Run("instruments");
        Assert.Equal(ExitCodes.Ok, list.Exit);
        Assert.Contains("WAI-SR", list.Out);
        var one = CliRunner.Run("instruments", "SRS");
        Assert.Contains("total ≤ 36", one.Out);
        var json = CliRunner.Run("instruments", "WAI-SR", "--format", "json");
        var key = _dir.File("key.json", json.Out.Replace("\"WAI-SR\"", "\"MY-WAI\""));
        var mine = CliRunner.Run("instruments", "MY-WAI", "--key", key);
        Assert.Equal(ExitCodes.Ok, mine.Exit);
        Assert.Contains("MY-WAI", mine.Out);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("instruments", "NOPE").Exit);
    }

    [Fact]
    public void AnalyzeRunsTheMainJobAndReportsSections()
    {
        var (exit, output, _) = CliRunner.Run("analyze", _valid, "--instrument", "WAI-SR", "--items", Items, "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(4, doc["n"]!.GetValue<int>());
        Assert.Equal("ok", doc["section_status"]!["scores"]!["status"]!.GetValue<string>());
        Assert.NotNull(doc["sections"]!["descriptives"]);
    }
}
