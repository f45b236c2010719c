using System.Text;
using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Data;
using Alliance.Analytics.Reliability;
using Alliance.Analytics.Instruments;
using static Alliance.Analytics.Tests.Reliability.ReliabilityFixtures;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>
/// Nothing is dropped silently and bad options are refused: rows without a client, rows dropped at load, the default
/// α behind reliable change, bootstrap resamples without an α, and the options --icc and --change must honour.
/// The data are the simulated WAI-SR fixture as 300 clients × sessions 1 and 2, with lines 2–3 (file lines) lacking a
/// client_id and line 6 holding an out-of-range 9.
/// </summary>
public sealed class ReliabilityUsageTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _file;
    private static readonly string ItemList = string.Join(',', Enumerable.Range(1, 12).Select(i => "wai" + i));

    public ReliabilityUsageTests()
    {
        var lines = File.ReadAllLines(PathOf("wai-sr-simulated.csv"));
        var sb = new StringBuilder("client_id,session," + lines[0].Replace("\"", "", StringComparison.Ordinal) + "\n");
        for (int r = 1; r < lines.Length; r++)
        {
            string id = r <= 2 ? "" : "c" + ((r - 1) % 300).ToString(CultureInfo.InvariantCulture);
            string row = r == 5 ? "9" + lines[r][lines[r].IndexOf(',', StringComparison.Ordinal)..] : lines[r];
            sb.Append(id).Append(',').Append(r <= 300 ? 1 : 2).Append(',').Append(row).Append('\n');
        }
        _file = _dir.File("wai.csv", sb.ToString());
    }

    public void Dispose() => _dir.Dispose();

    private JsonNode RunJson(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(["reliability", _file, "--instrument", "WAI-SR", "--items", ItemList, "--drop-invalid", .. args, "--format", "json"]);
        Assert.True(exit == ExitCodes.Ok, error);
        return JsonNode.Parse(output)!;
    }

    private static JsonNode Exclusion(JsonNode result, string reason) =>
        result["data"]!["excluded"]!.AsArray().Single(e => e!["reason"]!.GetValue<string>().Contains(reason, StringComparison.Ordinal))!;

    [Fact]
    public void Rows_without_a_client_and_rows_dropped_at_load_are_counted_by_icc_and_reliable_change()
    {
        var j = RunJson("--icc", "--change", "1,2", "--rxx", "0.8");
        foreach (var part in new[] { j["icc"]!, j["reliable_change"]! })
        {
            var keyless = Exclusion(part, "without client_id");
            Assert.Equal(2, keyless["count"]!.GetValue<int>());
            Assert.Equal([2, 3], keyless["lines"]!.AsArray().Select(l => l!.GetValue<int>()).ToArray());
            var invalid = Exclusion(part, "(DropInvalidRows)");
            Assert.Equal(1, invalid["count"]!.GetValue<int>());
            Assert.Equal([6], invalid["lines"]!.AsArray().Select(l => l!.GetValue<int>()).ToArray());
            // Available: 300 clients (c0, c1 and c4 still have session 2) plus the 3 rows that reached no client.
            Assert.Equal(303, part["data"]!["rows_available"]!.GetValue<int>());
        }
        // c0, c1, c4 lack session 1 (no row), and 4 more clients have a total the WAI-SR cannot prorate at a session:
        // 293 clients are scored at both. ICC counts the 7 together; reliable change tells them apart.
        Assert.Equal(293, j["icc"]!["n"]!.GetValue<int>());
        Assert.Equal(293, j["icc"]!["targets"]!.GetValue<int>());
        Assert.Equal(7, Exclusion(j["icc"]!, "not scored at every session")["count"]!.GetValue<int>());
        Assert.Equal(293, j["reliable_change"]!["n"]!.GetValue<int>());
        Assert.Equal(3, Exclusion(j["reliable_change"]!, "not seen at both sessions")["count"]!.GetValue<int>());
        Assert.Equal(4, Exclusion(j["reliable_change"]!, "score missing at either session")["count"]!.GetValue<int>());
        Assert.Equal(293, j["reliable_change"]!["pairs"]!.GetValue<int>());
    }

    [Fact]
    public void Table_shows_the_usage_of_icc_and_of_reliable_change_and_the_level_of_the_interval()
    {
        var (exit, output, error) = CliRunner.Run("reliability", _file, "--instrument", "WAI-SR", "--items", ItemList, "--drop-invalid",
            "--icc", "--change", "1,2", "--rxx", "0.8", "--level", "0.9");
        Assert.True(exit == ExitCodes.Ok, error);
        Assert.Contains("ICC: n = 293 of 303 rows", output, StringComparison.Ordinal);
        Assert.Contains("Reliable change: n = 293 of 303 rows", output, StringComparison.Ordinal);
        Assert.Contains("90% CI", output, StringComparison.Ordinal);
        Assert.DoesNotContain("95% CI", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_alpha_behind_reliable_change_names_its_n_and_honours_the_options()
    {
        var plain = RunJson("--change", "1,2")["reliable_change"]!;
        string source = plain["source"]!.GetValue<string>();
        // Session 1 has 300 rows; lines 2-3 have no client and line 6 was dropped, so α uses 297 rows.
        Assert.Contains("n = 297 of 297 rows", source, StringComparison.Ordinal);
        Assert.Contains("pairwise", source, StringComparison.Ordinal);

        var reversed = RunJson("--change", "1,2", "--reverse", "wai1")["reliable_change"]!;
        Assert.Contains("wai1", reversed["source"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(plain["reliability"]!.GetValue<double>(), reversed["reliability"]!.GetValue<double>());
        Assert.NotEqual(plain["rci"]!.ToJsonString(), reversed["rci"]!.ToJsonString());
    }

    [Fact]
    public void Icc_uses_the_reversed_items()
    {
        var plain = RunJson("--icc")["icc"]!;
        var reversed = RunJson("--icc", "--reverse", "wai1")["icc"]!;
        Assert.Contains("wai1 reversed", reversed["ratings"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(plain["mean_squares"]!["targets"]!.GetValue<double>(), reversed["mean_squares"]!["targets"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("1,1", "two different sessions")]
    public void Change_between_a_session_and_itself_is_refused(string pair, string message)
    {
        var (exit, _, error) = CliRunner.Run("reliability", _file, "--instrument", "WAI-SR", "--items", ItemList, "--drop-invalid", "--change", pair);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reliable_change_refuses_a_level_of_one_and_a_given_sd_that_is_not_positive()
    {
        double[] before = [10, 12, 14, 16], after = [11, 15, 13, 20];
        var level = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.ReliableChange(before, after, new ReliableChangeOptions { Reliability = 0.8, Level = 1 }));
        Assert.Contains("confidence level", level.Message, StringComparison.Ordinal);
        var sd = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.ReliableChange(before, after, new ReliableChangeOptions { Reliability = 0.8, StandardDeviation = 0 }));
        Assert.Contains("standard deviation given", sd.Message, StringComparison.Ordinal);
        var constant = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.ReliableChange([5, 5, 5], [4, 6, 7], new ReliableChangeOptions { Reliability = 0.8 }));
        Assert.Contains("first scores do not vary", constant.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bootstrap_reports_the_usable_replicates_and_refuses_when_too_few_are_left()
    {
        double[] jackknife = [.. Enumerable.Range(0, 50).Select(i => 0.8 + 0.001 * Math.Sin(i))];
        var replicates = Enumerable.Range(0, 200).Select(i => i % 4 == 0 ? double.NaN : 0.75 + 0.0005 * i).ToArray();
        var result = AlphaBootstrap.Summarise(replicates, jackknife, 0.8, 1, 0.95);
        Assert.Equal(150, result.Replicates);
        Assert.Equal(200, result.Requested);

        var mostlyNaN = Enumerable.Range(0, 200).Select(i => i < 150 ? double.NaN : 0.8).ToArray();
        Assert.Throws<AllianceInputException>(() => AlphaBootstrap.Summarise(mostlyNaN, jackknife, 0.8, 1, 0.95));
        Assert.Throws<AllianceInputException>(() => AlphaBootstrap.Summarise(Enumerable.Repeat(double.NaN, 200).ToArray(), jackknife, 0.8, 1, 0.95));
    }

    [Fact]
    public void Omega_hierarchical_reports_its_rows()
    {
        var items = Csv("wai-sr-simulated.csv", ItemScale.Likert(5));
        var h = ReliabilityAnalysis.OmegaHierarchical(items, 3);
        Assert.Equal(items.RowCount, h.Usage.RowsAvailable);
        Assert.True(h.Usage.RowsUsed > 0);
        Assert.Equal(items.RowCount, h.Usage.RowsUsed + h.Usage.RowsExcluded);
    }

    [Fact]
    public void A_pair_constant_within_its_common_rows_is_named_not_turned_into_NaN()
    {
        // a and b are answered together only in rows 0-3, where b is always 2: their pairwise correlation is 0/0.
        double n = double.NaN;
        double[] values =
        [
            1, 2, 3, 2,
            2, 2, 1, 3,
            3, 2, 2, 1,
            4, 2, 4, 4,
            n, 1, 3, 2,
            n, 3, 1, 3,
            n, 4, 2, 1,
            5, n, 5, 5,
            1, n, 2, 3,
            2, n, 4, 2,
        ];
        var items = ResponseMatrix.Create(values, ["a", "b", "c", "d"], ItemScale.Likert(5));
        var e = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.Analyze(items));
        Assert.Contains("'a' and 'b'", e.Message, StringComparison.Ordinal);
        var poly = Assert.Throws<AllianceInputException>(() => ReliabilityAnalysis.Polychoric(items, PolychoricThresholds.PerPair));
        Assert.Contains("b and a", poly.Message, StringComparison.Ordinal);
    }
}
