using System.Text;
using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Reliability;
using Alliance.Analytics.Instruments;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// <c>alliance reliability</c> end to end on the simulated WAI-SR fixture (with client and session columns added):
/// the JSON keys of docs/cli/reliability.md, values equal to psych's (wai-sr-simulated.R), flags, and bad input.
/// </summary>
public sealed class ReliabilityCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _file;
    private static readonly string ItemList = string.Join(',', Enumerable.Range(1, 12).Select(i => "wai" + i));

    public ReliabilityCliTests()
    {
        // 600 rows as 300 clients at sessions 1 and 2 (the rows are independent draws; fine for the mechanics).
        var lines = File.ReadAllLines(PathOf("wai-sr-simulated.csv"));
        var sb = new StringBuilder("client_id,session," + lines[0].Replace("\"", "", StringComparison.Ordinal) + "\n");
        for (int r = 1; r < lines.Length; r++)
            sb.Append('c').Append(((r - 1) % 300).ToString(CultureInfo.InvariantCulture)).Append(',').Append(r <= 300 ? 1 : 2).Append(',').Append(lines[r]).Append('\n');
        _file = _dir.File("wai.csv", sb.ToString());
    }

    public void Dispose() => _dir.Dispose();

    private static JsonNode RunJson(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run([.. args, "--format", "json"]);
        Assert.True(exit == ExitCodes.Ok, error);
        return JsonNode.Parse(output)!;
    }

    [Fact]
    public void Json_has_the_issues_keys_with_psychs_values()
    {
        var j = RunJson("reliability", _file, "--instrument", "WAI-SR", "--items", ItemList);
        var r = Json("wai-sr-simulated.json");
        Assert.Equal(600, j["n"]!.GetValue<int>());
        Assert.Equal(Number(r["total"]!["total"]!["raw_alpha"]), j["alpha"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["total"]!["total"]!["std.alpha"]), j["alpha_standardized"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(2, j["alpha_ci"]!.AsArray().Count);
        Assert.Equal(Number(r["total"]!["feldt"]!["lower"]), j["alpha_ci"]![0]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["guttman"]!["lambda2"]), j["lambda2"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["total"]!["total"]!["G6(smc)"]), j["lambda6"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["total"]!["total"]!["average_r"]), j["average_r"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["split_half"]!["max"]), j["split_half"]!["max"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["split_half"]!["min"]), j["split_half"]!["min"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["split_half"]!["mean"]), j["split_half"]!["mean"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["omega1"]!["omega_total"]), j["omega_total"]!.GetValue<double>(), Iterative);
        Assert.Null(j["ordinal_alpha"]);

        var items = j["items"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => "wai" + i), items.Select(i => i!["item"]!.GetValue<string>()));
        foreach (string key in new[] { "r_drop", "r_total", "alpha_if_deleted", "mean", "sd", "ceiling", "omega_if_deleted", "floor", "n" })
            Assert.NotNull(items[0]![key]);
        Assert.Equal(Numbers(r["total"]!["item_stats"]!["r.drop"])[0], items[0]!["r_drop"]!.GetValue<double>(), ClosedForm);

        var subscales = j["subscales"]!.AsArray();
        Assert.Equal(["Task", "Goal", "Bond"], subscales.Select(s => s!["scale"]!.GetValue<string>()).ToArray());
        Assert.Equal(Number(r["bond"]!["total"]!["raw_alpha"]), subscales[2]!["alpha"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(Number(r["omega3"]!["omega_h"]), j["omega_hierarchical"]!["omega_h"]!.GetValue<double>(), Iterative);
    }

    [Fact]
    public void Ordinal_adds_polychoric_alpha_and_omega()
    {
        var j = RunJson("reliability", _file, "--items", ItemList, "--points", "5", "--ordinal");
        var r = Json("wai-sr-simulated.json")["polychoric"]!;
        Assert.Equal(Number(r["ordinal_alpha"]), j["ordinal_alpha"]!.GetValue<double>(), Iterative);
        Assert.Equal(Number(r["ordinal_omega"]), j["ordinal_omega"]!.GetValue<double>(), Iterative);
        Assert.Null(j["subscales"]);
    }

    [Fact]
    public void Items_come_out_in_the_order_of_items_and_reverse_flips_the_named_ones()
    {
        var j = RunJson("reliability", _file, "--items", "wai3,wai1,wai2", "--points", "5");
        Assert.Equal(["wai3", "wai1", "wai2"], j["items"]!.AsArray().Select(i => i!["item"]!.GetValue<string>()).ToArray());
        var reversed = RunJson("reliability", _file, "--items", "wai3,wai1,wai2", "--points", "5", "--reverse", "wai1");
        Assert.Equal(["wai1"], reversed["reversed"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray());
        Assert.True(reversed["alpha"]!.GetValue<double>() < j["alpha"]!.GetValue<double>());
        // The reversed item now runs against the scale: the warning names it.
        Assert.Contains(reversed["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("wai1", StringComparison.Ordinal));
    }

    [Fact]
    public void Subscale_listwise_and_psych_splits_map_onto_the_options()
    {
        var j = RunJson("reliability", _file, "--instrument", "WAI-SR", "--items", ItemList, "--subscale", "bond", "--missing", "listwise", "--splits", "psych");
        var r = Json("wai-sr-simulated.json");
        Assert.Equal("Bond", j["scale"]!.GetValue<string>());
        Assert.Equal("listwise", j["missing"]!.GetValue<string>());
        Assert.Null(j["subscales"]);
        Assert.Equal(j["complete_rows"]!.GetValue<int>(), j["n"]!.GetValue<int>());
        Assert.True(j["n"]!.GetValue<int>() < 600);
        Assert.NotEqual(Number(r["bond"]!["total"]!["raw_alpha"]), j["alpha"]!.GetValue<double>());
    }

    [Fact]
    public void Bootstrap_interval_is_seeded_and_reproducible()
    {
        string[] args = ["reliability", _file, "--items", ItemList, "--points", "5", "--bootstrap", "200", "--seed", "7"];
        var a = RunJson(args);
        var b = RunJson(args);
        Assert.Equal("BCa bootstrap", a["alpha_ci_method"]!.GetValue<string>());
        Assert.Equal(200, a["bootstrap"]!["replicates"]!.GetValue<int>());
        Assert.Equal(a["alpha_ci"]!.ToJsonString(), b["alpha_ci"]!.ToJsonString());
        Assert.Equal(a["bootstrap"]!["percentile_ci"]!.ToJsonString(), b["bootstrap"]!["percentile_ci"]!.ToJsonString());
    }

    [Fact]
    public void Icc_across_sessions_and_reliable_change_between_sessions()
    {
        var j = RunJson("reliability", _file, "--instrument", "WAI-SR", "--items", ItemList, "--icc", "--change", "1,2", "--rxx", "0.85");
        Assert.Equal(6, j["icc"]!["icc"]!.AsArray().Count);
        Assert.Equal(["session 1", "session 2"], j["icc"]!["raters"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray());
        var rc = j["reliable_change"]!;
        Assert.Equal(0.85, rc["reliability"]!.GetValue<double>());
        int pairs = rc["pairs"]!.GetValue<int>();
        Assert.InRange(pairs, 200, 300);
        // Recount from the indexes against the critical value: improved means RCI > critical (higher is better).
        double critical = rc["critical"]!.GetValue<double>();
        Assert.Equal(1.959964, critical, 1e-6);
        var rci = rc["rci"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(pairs, rci.Length);
        Assert.Equal(rci.Count(v => v > critical), rc["improved"]!.GetValue<int>());
        Assert.Equal(rci.Count(v => v < -critical), rc["deteriorated"]!.GetValue<int>());
        // SEM = SD sqrt(1 - r_xx) and S_diff = sqrt(2) SEM by hand (Jacobson & Truax 1991, eq. 1-2).
        double sd = rc["sd"]!.GetValue<double>();
        Assert.Equal(sd * Math.Sqrt(0.15), rc["sem"]!.GetValue<double>(), 1e-12);
        Assert.Equal(Math.Sqrt(2) * sd * Math.Sqrt(0.15), rc["sdiff"]!.GetValue<double>(), 1e-12);
    }

    [Fact]
    public void Plot_writes_an_item_reliability_chart()
    {
        string png = Path.Combine(_dir.Path, "items.png");
        var (exit, _, err) = CliRunner.Run("reliability", _file, "--items", ItemList, "--points", "5", "--plot", png);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("wrote", err);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(png)[..4]);

        var scale = ReliabilityAnalysis.Analyze(Csv("wai-sr-simulated.csv", Alliance.Analytics.Instruments.ItemScale.Likert(5)), new ReliabilityOptions { OmegaIfDeleted = false });
        var plot = ReliabilityPlots.ItemChart(scale);
        Assert.Equal(3, plot.GetPlottables().Count());
        Assert.Contains("alpha if deleted", PlotExport.ToSvg(plot, 400, 300));
    }

    [Fact]
    public void Help_lists_the_issues_flags()
    {
        var (exit, output, _) = CliRunner.Run("reliability", "--help");
        Assert.Equal(ExitCodes.Ok, exit);
        foreach (string flag in new[] { "--instrument", "--items", "--reverse", "--points", "--subscale", "--missing", "--ci", "--bootstrap", "--seed", "--ordinal", "--format" })
            Assert.Contains(flag, output);
    }

    [Theory]
    [InlineData("one item", "wai1", "at least two items")]
    [InlineData("unknown reverse", "wai1,wai2", "'wai99' is to be reversed but is not an item column")]
    public void Bad_input_is_refused_with_exit_2_and_says_what(string _, string items, string message)
    {
        var args = new List<string> { "reliability", _file, "--items", items, "--points", "5" };
        if (message.Contains("wai99", StringComparison.Ordinal)) args.AddRange(["--reverse", "wai99"]);
        var (exit, _, err) = CliRunner.Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(message, err);
    }

    [Fact]
    public void Constant_all_missing_and_too_few_rows_are_clear_errors()
    {
        string constant = _dir.File("constant.csv", "a,b,c\n1,2,3\n1,3,4\n1,4,4\n1,2,2\n");
        var (exit, _, err) = CliRunner.Run("reliability", constant, "--points", "5");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Item 'a'", err);
        Assert.Contains("same response", err);

        string empty = _dir.File("empty.csv", "a,b,c\n1,,3\n2,,4\n3,,4\n2,,2\n");
        (exit, _, err) = CliRunner.Run("reliability", empty, "--points", "5");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Item 'b'", err);
        Assert.Contains("missing in every row", err);

        string few = _dir.File("few.csv", "a,b,c\n1,2,3\n2,,4\n3,4,\n2,3,2\n");
        (exit, _, err) = CliRunner.Run("reliability", few, "--points", "5", "--missing", "listwise");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Only 2 rows", err);
    }

    [Fact]
    public void Conflicting_interval_flags_are_a_usage_error()
    {
        var (exit, _, err) = CliRunner.Run("reliability", _file, "--ci", "feldt", "--bootstrap", "500");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--ci feldt", err);
    }

    [Fact]
    public void A_negative_average_covariance_gives_a_negative_alpha_with_a_warning_naming_the_unreversed_items()
    {
        // Three items that agree and two that run against them: α is negative and reported as such, never clipped.
        var values = new List<double>();
        var random = Alliance.Analytics.Numerics.RandomStream.Create(3);
        for (int r = 0; r < 200; r++)
        {
            double t = random.NextNormal();
            double Item(double sign) => Math.Clamp(Math.Round(3 + sign * 1.2 * t + 0.6 * random.NextNormal()), 1, 5);
            values.AddRange([Item(1), Item(-1), Item(-1), Item(-1), Item(1)]);
        }
        var m = Alliance.Analytics.Data.ResponseMatrix.Create(values.ToArray(), ["p1", "n1", "n2", "n3", "p2"], Alliance.Analytics.Instruments.ItemScale.Likert(5));
        var a = ReliabilityAnalysis.Analyze(m);
        Assert.True(a.Alpha < 0, $"alpha {a.Alpha}");
        var warning = Assert.Single(a.Warnings, w => w.StartsWith("alpha is negative", StringComparison.Ordinal));
        Assert.Contains("p1, p2", warning);
        Assert.Contains("--reverse p1,p2", warning);
    }

    [Fact]
    public void The_main_job_has_a_reliability_section_with_subscales()
    {
        var (exit, output, err) = CliRunner.Run("analyze", _file, "--instrument", "WAI-SR", "--items", ItemList, "--format", "json");
        Assert.True(exit == ExitCodes.Ok, err);
        var section = JsonNode.Parse(output)!["sections"]!["reliability"]!;
        Assert.Equal(Number(Json("wai-sr-simulated.json")["total"]!["total"]!["raw_alpha"]), section["alpha"]!.GetValue<double>(), ClosedForm);
        Assert.Equal(3, section["subscales"]!.AsArray().Count);
    }
}
