using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>The <c>irt</c> verb (in process) and the IRT plots.</summary>
public class IrtCliAndPlotTests
{
    private static string Science => IrtFixtures.Path("science.csv");
    private static string Verbal => IrtFixtures.Path("verbal-aggression.csv");
    private const string SixItems = "S1WantCurse,S1DoCurse,S1WantScold,S1DoScold,S1WantShout,S1DoShout";

    [Fact]
    public void JsonCarriesTheKeysTheIssueLists()
    {
        var (exit, output, _) = CliRunner.Run("irt", Science, "--points", "4", "--model", "grm", "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        foreach (var key in new[] { "model", "estimation", "loglik", "aic", "bic", "converged", "iterations", "items", "person_reliability", "person_separation", "item_reliability", "item_separation", "categories" })
            Assert.True(doc.ContainsKey(key), key);
        Assert.Equal("grm", doc["model"]!.GetValue<string>());
        Assert.Equal("mml", doc["estimation"]!.GetValue<string>());
        Assert.Equal(-1608.87, doc["loglik"]!.GetValue<double>(), 0.01);
        var item = doc["items"]![0]!.AsObject();
        foreach (var key in new[] { "item", "a", "b", "location", "thresholds_ordered", "infit", "outfit", "infit_z", "outfit_z", "se" })
            Assert.True(item.ContainsKey(key), key);
        Assert.False(item.ContainsKey("thresholds"));
    }

    [Fact]
    public void RaschJsonHasErmThresholdsAndNoSlope()
    {
        var (exit, output, _) = CliRunner.Run("irt", Verbal, "--points", "3", "--min", "0", "--items", SixItems, "--model", "rsm", "--normalization", "erm", "--format", "json");
        Assert.Equal(ExitCodes.Ok, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.Equal("cml", doc["estimation"]!.GetValue<string>());
        Assert.Equal(-1004.574, doc["loglik"]!.GetValue<double>(), 1e-3);
        var item = doc["items"]![0]!.AsObject();
        Assert.False(item.ContainsKey("a"));
        Assert.Equal(-0.6344, item["thresholds"]![0]!.GetValue<double>(), 1e-4);
        Assert.Equal(0.5953, doc["person_reliability"]!.GetValue<double>(), 1e-4);
        Assert.Equal(8, doc["categories"]!["scale"]!["guidelines"]!.AsArray().Count);
    }

    [Fact]
    public void AndersenDifAndPersonsFile()
    {
        using var dir = new TempDir();
        string persons = System.IO.Path.Combine(dir.Path, "persons.csv");
        var (exit, output, err) = CliRunner.Run("irt", Verbal, "--points", "3", "--min", "0", "--items", SixItems, "--model", "pcm",
            "--andersen", "gender", "--dif", "gender", "--persons", persons);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Andersen likelihood-ratio test", output);
        Assert.Contains("DIF by likelihood ratio", output);
        Assert.Contains("wrote", err);
        var lines = File.ReadAllLines(persons);
        Assert.Equal(317, lines.Length);
        Assert.StartsWith("line,answered,raw_score,theta,se", lines[0]);
    }

    [Fact]
    public void CmlForAGradedModelIsABadInputWithAClearMessage()
    {
        var (exit, _, err) = CliRunner.Run("irt", Science, "--points", "4", "--model", "grm", "--estimation", "cml");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("Conditional ML exists only for Rasch models", err);
        var (exit2, _, _) = CliRunner.Run("irt", Science, "--points", "4", "--model", "xyz");
        Assert.Equal(ExitCodes.BadInput, exit2);
    }

    [Fact]
    public void HelpListsTheModelsAndOptions()
    {
        var (exit, output, _) = CliRunner.Run("irt", "--help");
        Assert.Equal(ExitCodes.Ok, exit);
        foreach (var s in new[] { "--model", "--estimation", "--quadrature", "--persons", "--andersen", "--dif" }) Assert.Contains(s, output);
    }

    [Fact]
    public void PlotsRenderCurvesInformationAndAWrightMap()
    {
        var x = IrtFixtures.Matrix("science.csv", ItemScale.Likert(4, 1));
        var fit = IrtAnalysis.Fit(x, new IrtOptions { Model = IrtModelType.GeneralizedPartialCredit, StandardErrors = false });
        var curves = IrtPlots.CategoryCurveChart(fit, 0);
        Assert.Equal(4, curves.GetPlottables().Count());
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, PlotExport.ToPng(curves, 400, 300)[..4]);
        var info = IrtPlots.InformationChart(fit);
        Assert.Equal(1 + 4 + 1, info.GetPlottables().Count());
        Assert.Contains("information", PlotExport.ToSvg(info, 400, 300));
        var wright = IrtPlots.WrightMapChart(fit);
        Assert.Contains("Wright map", PlotExport.ToSvg(wright, 400, 300));
        var plot = PlotExport.NewPlot();
        var (persons, thresholds) = plot.Add.WrightMap(fit);
        Assert.Equal(4, thresholds.Count);
        Assert.True(persons.Bars.Count() > 3);
    }
}
