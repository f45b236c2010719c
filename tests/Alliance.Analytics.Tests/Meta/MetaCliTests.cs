using System.Text.Json.Nodes;
using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Meta;

/// <summary><c>alliance meta</c> and <c>alliance analyze</c> on study tables, in-process: exit codes, JSON keys (docs/cli/meta.md), values.</summary>
public class MetaCliTests
{
    private static JsonObject Json(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(args);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        return JsonNode.Parse(output)!.AsObject();
    }

    [Fact]
    public void Json_has_the_documented_keys_and_metafor_values()
    {
        var o = Json("meta", MetaFixtures.Path("molloy2014.csv"), "--format", "json");
        foreach (var key in new[] { "k", "method", "estimate", "se", "ci", "pi", "tau2", "tau2_ci", "i2", "i2_ci", "h2", "q", "q_df", "q_p", "estimate_r", "ci_r", "pi_r", "n", "data", "warnings" })
            Assert.True(o.ContainsKey(key), "missing key " + key);
        Assert.Equal(16, o["k"]!.GetValue<int>());
        Assert.Equal("REML", o["method"]!.GetValue<string>());
        MetaFixtures.Near(0.14991798842488, o["estimate"].D(), 1e-9, "estimate");
        MetaFixtures.Near(0.00811050369838419, o["tau2"].D(), 1e-9, "tau2");
        MetaFixtures.Near(0.1488, o["estimate_r"].D(), 1e-4, "estimate_r");
        MetaFixtures.Near(-0.0371, o["pi_r"]!.D(0), 1e-4, "pi_r");
    }

    [Fact]
    public void Bias_adds_egger_and_trimfill()
    {
        var o = Json("meta", MetaFixtures.Path("molloy2014.csv"), "--bias", "--format", "json");
        MetaFixtures.Near(1.02160902485097, o["egger"]!["z"].D(), 1e-6, "egger z");
        MetaFixtures.Near(0.306965984528263, o["egger"]!["p"].D(), 1e-6, "egger p");
        Assert.Equal(2, o["trimfill"]!["k0"]!.GetValue<int>());
        MetaFixtures.Near(0.1288, o["trimfill"]!["estimate"].D(), 1e-4, "trimfill estimate");
    }

    [Fact]
    public void Mods_add_coefficients_qm_and_r2_and_permutations_a_permutation_test()
    {
        var o = Json("meta", MetaFixtures.Path("bcg.csv"), "--mods", "ablat", "--test", "knha", "--permutations", "200", "--format", "json");
        Assert.Equal(2, o["coefficients"]!.AsArray().Count);
        Assert.Equal("ablat", o["coefficients"]![1]!["name"]!.GetValue<string>());
        MetaFixtures.Near(75.62, o["r2"].D(), 0.005, "R2");
        Assert.True(o["qm"].D() > 0);
        Assert.Equal(200, o["permutation"]!["iterations"]!.GetValue<int>());
    }

    [Fact]
    public void Cluster_fits_the_three_level_model_with_sigma2_between_then_within()
    {
        var o = Json("meta", MetaFixtures.Path("konstantopoulos2011.csv"), "--yi", "yi", "--vi", "vi", "--cluster", "district", "--robust", "--format", "json");
        var sigma2 = o["sigma2"]!.AsArray();
        MetaFixtures.Near(0.0650619442753117, sigma2.D(0), 1e-5, "sigma2 district");
        MetaFixtures.Near(0.0327365170279351, sigma2.D(1), 1e-5, "sigma2 school");
        Assert.Equal(11, o["clusters"]!.GetValue<int>());
        Assert.Single(o["robust"]!.AsArray());
    }

    [Fact]
    public void Conflicting_or_bad_input_exits_2_with_a_message()
    {
        var (exit, _, err) = CliRunner.Run("meta", MetaFixtures.Path("molloy2014.csv"), "--r", "r", "--n", "n", "--yi", "yi", "--vi", "vi");
        Assert.Equal(2, exit);
        Assert.Contains("not both", err);
        using var dir = new TempDir();
        string bad = dir.File("bad.csv", "study,r,n\nA,0.2,50\nB,1.5,40\n");
        (exit, _, err) = CliRunner.Run("meta", bad);
        Assert.Equal(2, exit);
        Assert.Contains("line 3, column 'r'", err);
        (exit, _, _) = CliRunner.Run("meta", "--help");
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Table_output_shows_the_model_and_plots_are_written()
    {
        using var dir = new TempDir();
        string forest = Path.Combine(dir.Path, "forest.png"), funnel = Path.Combine(dir.Path, "funnel.svg");
        var (exit, output, error) = CliRunner.Run("meta", MetaFixtures.Path("molloy2014.csv"), "--bias", "--forest", forest, "--funnel", funnel);
        Assert.True(exit == 0, error);
        Assert.Contains("Random-effects model (k = 16; τ² by REML)", output);
        Assert.Contains("r (back-transformed)", output);
        Assert.True(new FileInfo(forest).Length > 10_000);
        Assert.Contains("<svg", File.ReadAllText(funnel));
    }

    [Fact]
    public void Analyze_runs_the_meta_analysis_on_a_study_table()
    {
        var o = Json("analyze", MetaFixtures.Path("molloy2014.csv"), "--format", "json");
        MetaFixtures.Near(0.14991798842488, o["sections"]!["meta"]!["estimate"].D(), 1e-9, "estimate");
        Assert.Equal("ok", o["section_status"]!["meta_bias"]!["status"]!.GetValue<string>());
        Assert.Equal("ok", o["section_status"]!["meta_influence"]!["status"]!.GetValue<string>());
        var (exit, text, _) = CliRunner.Run("analyze", MetaFixtures.Path("bcg.csv"));
        Assert.Equal(0, exit);
        Assert.Contains("Random-effects model (k = 13", text);
    }

    [Fact]
    public void Analyze_fits_the_three_level_model_when_the_table_has_study_and_es_id()
    {
        using var dir = new TempDir();
        var lines = new List<string> { "study,es_id,yi,vi" };
        var ko = MetaFixtures.Konstantopoulos();
        for (int i = 0; i < ko.Count; i++) lines.Add($"{ko.Clusters[i]},{i + 1},{ko.Yi[i]:R},{ko.Vi[i]:R}");
        string path = dir.File("three.csv", string.Join("\n", lines) + "\n");
        var o = Json("analyze", path, "--format", "json");
        MetaFixtures.Near(0.0650619442753117, o["sections"]!["meta"]!["sigma2"]!.D(0), 1e-5, "sigma2");
    }
}
