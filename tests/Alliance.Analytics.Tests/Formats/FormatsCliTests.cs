using System.Text.Json.Nodes;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Tests.Simulation;
using Alliance.Analytics.Composition;

namespace Alliance.Analytics.Tests.Formats;

/// <summary><c>alliance formats</c> in-process: exit codes, JSON keys, plots (docs/cli/formats.md).</summary>
public sealed class FormatsCliTests
{
    private static readonly string Seven = Repository.Synthetic("formats", "wai36_7point.csv");
    private static readonly string Five = Repository.Synthetic("formats", "wai_revised_5point.csv");

    // ten items that are not reverse-keyed, so they are in the keyed direction as stored
    private const string TenItems = "wai2,wai4,wai5,wai6,wai8,wai13,wai14,wai16,wai17,wai18";

    /// <summary>A copy of a committed file with ids, the ten items and the outcome columns only, and no sidecar (no instrument).</summary>
    private static string TenItemCopy(TempDir temp, string source)
    {
        var lines = File.ReadAllLines(source);
        var header = lines[0].Split(',');
        var keep = new[] { "client_id", "session" }.Concat(TenItems.Split(',')).Concat(["baseline", "post"]).Select(c => Array.IndexOf(header, c)).ToArray();
        return temp.File(Path.GetFileName(source), string.Join("\n", lines.Select(l => string.Join(",", keep.Select(i => l.Split(',')[i])))) + "\n");
    }

    [Theory]
    [InlineData("--collapse", "1,3,3,3,4,5,6")]
    [InlineData("--collapse", "1,2,2")]
    [InlineData("--target", "2,1")]
    [InlineData("--change-sessions", "3")]
    public void BadMapsAndRangesExitWithTwo(string flag, string value)
    {
        using var temp = new TempDir();
        var (exit, _, err) = CliRunner.Run("formats", TenItemCopy(temp, Seven), "--points", "7", "--items", TenItems, flag, value);
        Assert.Equal(2, exit);
        Assert.StartsWith("error:", err);
    }

    [Fact]
    public void ConflictingModesExitWithTwo()
    {
        var (exit, _, err) = CliRunner.Run("formats", Seven, "--explore", "--link", Five);
        Assert.Equal(2, exit);
        Assert.Contains("choose one of --explore, --short-form and --link", err);
        Assert.Equal(2, CliRunner.Run("formats", Seven, "--explore", "--collapse", "1,2,2,2,3,4,5").Exit);
    }

    [Theory]
    [InlineData("--theta applies to --short-form only", "--explore", "--theta", "0,1")]
    [InlineData("--all-rows applies to --explore only", "--collapse", "1,2,2,2,3,4,5", "--all-rows")]
    [InlineData("--bootstrap applies to --link only", "--explore", "--bootstrap", "100")]
    [InlineData("--target applies to comparisons and --explore only", "--short-form", "Bond=4,Task+Goal=4", "--target", "0,1")]
    [InlineData("--calibration-bootstrap applies to graded links", "--link", "FIVE", "--model", "pcm", "--calibration-bootstrap", "5")]
    public void OptionsOutsideTheirModeAreRefused(string message, params string[] args)
    {
        var (exit, _, err) = CliRunner.Run(["formats", Seven, .. args.Select(a => a == "FIVE" ? Five : a)]);
        Assert.Equal(2, exit);
        Assert.Contains(message, err);
    }

    [Fact]
    public void ReverseKeysNeedTheWholeInstrument()
    {
        using var temp = new TempDir();
        var (exit, _, err) = CliRunner.Run("formats", TenItemCopy(temp, Seven), "--points", "7", "--items", TenItems, "--instrument", "WAI", "--drop-invalid");
        Assert.Equal(2, exit);
        Assert.Contains("instrument WAI has 36 items", err);
    }

    [Fact]
    public void CompareWritesTheJsonKeysAndTheCategoryCurves()
    {
        using var temp = new TempDir();
        string png = Path.Combine(temp.Path, "curves.png");
        var (exit, stdout, err) = CliRunner.Run("formats", TenItemCopy(temp, Seven), "--points", "7", "--items", TenItems, "--collapse", "1,2,2,2,3,4,5",
            "--collapse", "1,1,1,1,2,3,4", "--outcome", "post", "--outcome-baseline", "baseline", "--change-sessions", "3,8", "--format", "json", "--plot", png, "--plot-item", "wai5");
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("pcm", (string)json["model"]!);
        var scorings = json["scorings"]!.AsArray();
        Assert.Equal(["1,2,3,4,5,6,7", "1,2,2,2,3,4,5", "1,1,1,1,2,3,4"], scorings.Select(s => (string)s!["map"]!));
        foreach (var s in scorings)
        {
            Assert.Equal(10, s!["thresholds_ordered"]!["items"]!.AsObject().Count);
            Assert.NotNull(s["thresholds_ordered"]!["overall"]);
            foreach (var key in new[] { "person_reliability", "alpha", "omega", "variance_change", "floor", "ceiling", "outcome_correlation", "change" })
                Assert.NotNull(s[key]);
        }
        Assert.Equal(0.0, (double)scorings[0]!["variance_change"]!);
        Assert.All(scorings, s => Assert.True((int)s!["outcome_correlation"]!["incomplete_left_out"]! >= 0 && (int)s["change"]!["incomplete_left_out"]! >= 0));
        Assert.True(File.Exists(png) && new FileInfo(png).Length > 1000);
    }

    [Fact]
    public void ExploreGivesCandidatesAndTheParetoSet()
    {
        using var temp = new TempDir();
        var (exit, stdout, err) = CliRunner.Run("formats", TenItemCopy(temp, Five), "--points", "5", "--items", TenItems, "--explore", "--format", "json");
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("rsm", (string)json["model"]!);
        var candidates = json["candidates"]!.AsArray();
        Assert.Equal(16, candidates.Count);   // 2^(5−1)
        var pareto = json["pareto"]!.AsArray().Select(n => (string)n!).ToArray();
        Assert.NotEmpty(pareto);
        Assert.All(pareto, map => Assert.True((bool)candidates.First(c => (string)c!["map"]! == map)!["pareto"]!));
        Assert.False((bool)candidates.Single(c => (string)c!["map"]! == "1,1,1,1,1")!["fitted"]!);
        Assert.Contains("listwise", (string)json["data"]!["excluded"]![0]!["reason"]!);
    }

    [Fact]
    public void ExploreIsTheSameForAnyThreadCount()
    {
        var data = Alliance.Analytics.Data.AllianceDataset.Load(Five);
        var items = data.Items.SelectItems(TenItems.Split(','));
        var one = FormatAnalysis.Explore(items, new FormatOptions { MaxDegreeOfParallelism = 1 });
        var two = FormatAnalysis.Explore(items, new FormatOptions { MaxDegreeOfParallelism = 2 });
        Assert.Equal(JsonOutput.Serialize(one.ToJson()), JsonOutput.Serialize(two.ToJson()));
    }

    [Fact]
    public void ShortFormAndHelpRun()
    {
        var (exit, stdout, err) = CliRunner.Run("formats", Five, "--short-form", "Bond=4,Task+Goal=4", "--format", "json");
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(8, json["items"]!.AsArray().Count);
        Assert.NotNull(json["correlation_with_full"]);
        var help = CliRunner.Run("formats", "--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("--explore", help.Out);
    }

    [Fact]
    public void MainJobSectionAppliesToSevenPointDataOnly()
    {
        var section = new FormatsSection();
        foreach (var (file, applies) in new[] { (Seven, true), (Five, false) })
        {
            var context = new MainJobContext(Alliance.Analytics.Data.AnalysisData.Load(file), null, new MainJobOptions());
            Assert.Equal(applies, section.AppliesTo(context));
        }
        Assert.Contains(MainJob.Sections, s => s.Key == "formats");
    }

    /// <summary>
    /// A non-equivalent-groups pair cut from the committed cohort: session <paramref name="session"/> rows, five items in
    /// the format of <paramref name="own"/> and three anchors (a13, a14, a16) from the 5-point file.
    /// </summary>
    private static string GroupFile(TempDir temp, string name, string own, int session)
    {
        var seven = File.ReadAllLines(own);
        var five = File.ReadAllLines(Five);
        var h7 = seven[0].Split(',');
        var h5 = five[0].Split(',');
        int[] ownCols = [.. new[] { "client_id", "session", "wai2", "wai4", "wai5", "wai6", "wai8" }.Select(c => Array.IndexOf(h7, c))];
        int[] anchorCols = [.. new[] { "wai13", "wai14", "wai16" }.Select(c => Array.IndexOf(h5, c))];
        int sessionCol = Array.IndexOf(h7, "session");
        var lines = new List<string> { "client_id,session,wai2,wai4,wai5,wai6,wai8,a13,a14,a16" };
        for (int r = 1; r < seven.Length; r++)
        {
            var f7 = seven[r].Split(',');
            if (f7[sessionCol] != session.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
            var f5 = five[r].Split(',');
            lines.Add(string.Join(",", ownCols.Select(c => f7[c]).Concat(anchorCols.Select(c => f5[c]))));
        }
        return temp.File(name, string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void LinkThroughAnchorsGivesATrueScoreCrosswalkForDifferentGroups()
    {
        using var temp = new TempDir();
        string x = GroupFile(temp, "early7.csv", Seven, 3), y = GroupFile(temp, "late5.csv", Five, 8);
        var (exit, stdout, err) = CliRunner.Run("formats", x, "--points", "7", "--link", y, "--anchors", "a13,a14,a16", "--calibration-bootstrap", "6", "--format", "json");
        Assert.True(exit == 0, err);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(["a13", "a14", "a16"], json["anchors"]!.AsArray().Select(a => (string)a!));
        Assert.StartsWith("common-item", (string)json["link"]!["method"]!);
        Assert.True((double)json["link"]!["b"]! < 0, "the later, higher-alliance group's θ origin is higher, so B < 0");
        var crosswalk = json["crosswalk"]!.AsArray();
        Assert.Equal(Enumerable.Range(5, 31), crosswalk.Select(r => (int)r!["score_x"]!));
        Assert.All(crosswalk, r => Assert.Null(r!["equipercentile"]));
        Assert.True((double)json["link"]!["a_se"]! > 0 && (double)json["link"]!["b_se"]! > 0);
        Assert.All(crosswalk.Skip(1).SkipLast(1), r => Assert.True((double)r!["true_score_se"]! > 0));
        for (int i = 1; i < crosswalk.Count; i++) Assert.True((double)crosswalk[i]!["true_score"]! >= (double)crosswalk[i - 1]!["true_score"]!);

        var (bad, _, message) = CliRunner.Run("formats", x, "--points", "7", "--link", y, "--anchors", "a13,a99");
        Assert.Equal(2, bad);
        Assert.Contains("anchor item a99 is not among the items", message);
        Assert.Equal(2, CliRunner.Run("formats", x, "--points", "7", "--anchors", "a13,a14").Exit);
    }
}
