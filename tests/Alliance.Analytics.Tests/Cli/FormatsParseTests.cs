using System.Text.Json.Nodes;
using static Alliance.Analytics.Tests.Cli.CliRun;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// <c>alliance formats</c>: every option reaches <c>FormatOptions</c>, <c>ShortFormOptions</c> or <c>LinkingOptions</c>,
/// seen in the JSON. 40 respondents of the 36-item WAI keep each fit near a second.
/// </summary>
public sealed class FormatsParseTests : IDisposable
{
    private readonly CliFiles _files = new();
    private readonly string _wai7;
    private readonly string _wai5;

    public FormatsParseTests()
    {
        _wai7 = _files.Formats(sevenPoint: true, rows: 40);
        _wai5 = _files.Formats(sevenPoint: false, rows: 40);
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ComparisonOptionsReachTheComparison()
    {
        string plot = Path.Combine(_files.Dir, "curves.svg");
        var doc = Json("formats", _wai7, "--collapse", "1,2,2,2,3,4,5", "--model", "rsm", "--target", "-1,1", "--outcome", "post",
            "--outcome-baseline", "baseline", "--outcome-session", "3", "--change-sessions", "3,8", "--no-reverse", "--plot", plot, "--plot-item", "wai2");
        Assert.Equal("rsm", doc["model"]!.GetValue<string>());
        Assert.Equal((-1.0, 1.0), Interval(doc["target"]));
        Assert.Equal("baseline − post", doc["outcome"]!.GetValue<string>());
        Assert.Equal(3, Num(doc["outcome_session"]));
        Assert.Empty(doc["reversed"]!.AsArray());
        var collapsed = doc["scorings"]![1]!;
        Assert.Equal("1,2,2,2,3,4,5", collapsed["map"]!.GetValue<string>());
        Assert.Equal((3.0, 8.0), (Num(collapsed["change"]!["from_session"]), Num(collapsed["change"]!["to_session"])));
        Assert.NotNull(collapsed["outcome_correlation"]!["r"]);
        Assert.Contains("<svg", File.ReadAllText(plot));
    }

    [Fact]
    public void ComparisonDefaultsArePcmOnThePersonsWithReverseKeys()
    {
        var doc = Json("formats", _wai7);
        Assert.Equal("pcm", doc["model"]!.GetValue<string>());
        Assert.Equal("persons", doc["target"]!.GetValue<string>());
        Assert.Contains("wai1", Strings(doc["reversed"]));
        Assert.Single(doc["scorings"]!.AsArray());
        Assert.Null(doc["outcome"]);
    }

    [Fact]
    public void ExploreModelTargetAndAllRowsReachTheSearch()
    {
        var complete = Json("formats", _wai5, "--explore");
        Assert.Equal(("rsm", "persons"), (complete["model"]!.GetValue<string>(), complete["target"]!.GetValue<string>()));
        Assert.Equal(16, complete["candidates"]!.AsArray().Count); // 2^(5−1) merges of adjacent categories
        var all = Json("formats", _wai5, "--explore", "--all-rows", "--model", "pcm", "--target", "-1,1");
        Assert.Equal("pcm", all["model"]!.GetValue<string>());
        Assert.Equal((-1.0, 1.0), Interval(all["target"]));
        Assert.Equal(40, Num(all["n"]));
        Assert.True(Num(complete["n"]) < 40, "without --all-rows only complete rows are fitted");
    }

    [Fact]
    public void ShortFormOptionsReachTheBuilder()
    {
        var doc = Json("formats", _wai7, "--short-form", "Bond=2,Task=2", "--theta", "-1,1", "--spread-weight", "0", "--model", "rsm");
        Assert.Equal(4, doc["items"]!.AsArray().Count);
        Assert.Equal(["Bond", "Task"], doc["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()));
        Assert.Equal((-1.0, 1.0), Interval(doc["theta_range"]));
        Assert.Equal(0, Num(doc["spread_weight"]));
        Assert.Equal("rsm", doc["model"]!.GetValue<string>());
    }

    [Fact]
    public void LinkBootstrapAndSeedReachTheLinkingAndTheSameSeedRepeatsIt()
    {
        JsonObject Link(string seed) => Json("formats", _wai7, "--link", _wai5, "--model", "pcm", "--bootstrap", "20", "--seed", seed);
        var seven = Link("7");
        Assert.Equal(("7-point", "5-point", "pcm"), (seven["form_x"]!.GetValue<string>(), seven["form_y"]!.GetValue<string>(), seven["model"]!.GetValue<string>()));
        Assert.Equal(20, Num(seven["replicates"]));
        Assert.NotEqual(Num(seven["link"]!["a_se"]), Num(Link("8")["link"]!["a_se"]));
        Assert.Equal(Num(seven["link"]!["a_se"]), Num(Link("7")["link"]!["a_se"]));
    }

    [Fact]
    public void CalibrationBootstrapAndTheGradedDefaultReachTheLinking()
    {
        var doc = Json("formats", _wai7, "--link", _wai5, "--bootstrap", "20", "--calibration-bootstrap", "2");
        Assert.Equal("grm", doc["model"]!.GetValue<string>());
        Assert.Equal(2, Num(doc["calibration_replicates"]));
    }

    [Fact]
    public void AnchorsReachCommonItemLinking()
    {
        // The two files answer every item in a different format, so no item can anchor: the refusal names the anchor.
        var err = BadInput("formats", _wai7, "--link", _wai5, "--anchors", "wai1,wai2", "--bootstrap", "20");
        Assert.Contains("anchor item wai1", err);
    }
}
