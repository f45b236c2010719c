using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alliance.Analytics.Composition;
using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Irt;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Reliability;
using Alliance.Analytics.Scoring;
using Alliance.Analytics.Tests.Simulation;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// Two copies of the first 600 rows of the committed 36-item WAI (7 points, 13 reverse-keyed items as answered):
/// <see cref="Keyed"/>, prepared with the instrument's reverse keys (the default), and <see cref="Recoded"/>, the
/// same rows recoded by hand (8 − x on the reverse-keyed items) and prepared with the keys turned off. Both files
/// have the same name in different folders, so their results may differ only where a result names the reversed items.
/// </summary>
public sealed class KeyingCopies : IDisposable
{
    public const int Rows = 600;
    private readonly TempDir _dir = new();

    public KeyingCopies()
    {
        string source = Repository.Synthetic("formats", "wai36_7point.csv");
        var lines = File.ReadLines(source).Take(Rows + 1).ToArray();
        var header = lines[0].Split(',');
        var instrument = Alliance.Analytics.Instruments.InstrumentRegistry.BuiltIn.Find("WAI")!;
        var reversedColumns = instrument.ReverseKeyed.Select(k => Array.IndexOf(header, $"wai{k}")).ToHashSet();
        Assert.Equal(13, reversedColumns.Count);
        Assert.DoesNotContain(-1, reversedColumns);
        var recoded = lines.Skip(1).Select(line =>
        {
            var fields = line.Split(',');
            foreach (int j in reversedColumns)
                if (fields[j].Length > 0) fields[j] = (8 - int.Parse(fields[j], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
            return string.Join(',', fields);
        });
        string sidecar = File.ReadAllText(source + ".alliance.json");
        KeyedDir = Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "keyed")).FullName;
        RecodedDir = Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "recoded")).FullName;
        KeyedFile = System.IO.Path.Combine(KeyedDir, "wai.csv");
        RecodedFile = System.IO.Path.Combine(RecodedDir, "wai.csv");
        File.WriteAllLines(KeyedFile, lines);
        File.WriteAllLines(RecodedFile, [lines[0], .. recoded]);
        File.WriteAllText(KeyedFile + ".alliance.json", sidecar);
        File.WriteAllText(RecodedFile + ".alliance.json", sidecar);
        Keyed = AnalysisData.Load(KeyedFile);
        Recoded = AnalysisData.Load(RecodedFile, options: new PreparationOptions { ApplyReverseKeys = false });
    }

    public string KeyedDir { get; }
    public string RecodedDir { get; }
    public string KeyedFile { get; }
    public string RecodedFile { get; }
    public AnalysisData Keyed { get; }
    public AnalysisData Recoded { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Keying by construction: every analysis that takes the prepared stage gives the same figures on a reverse-keyed
/// instrument as on the same data recoded beforehand with no reverse keys (issue 13). The JSON of each result is
/// compared whole, after removing only what names the keying choice (the reversed items, whether keys were applied) and the folder of the file.
/// </summary>
public sealed class KeyingEquivalenceTests(KeyingCopies copies) : IClassFixture<KeyingCopies>
{
    [Fact]
    public void ThePreparedStageReversesTheInstrumentsKeysOnItsNominalScaleAndSaysSo()
    {
        Assert.Equal(13, copies.Keyed.Reversed.Length);
        Assert.Empty(copies.Recoded.Reversed);
        Assert.Equal(copies.Recoded.Items.Values.ToArray(), copies.Keyed.Items.Values.ToArray());
        Assert.NotEqual(copies.Keyed.RawItems.Values.ToArray(), copies.Keyed.Items.Values.ToArray());
        Assert.Contains(copies.Keyed.Notes, n => n.StartsWith("reversed", StringComparison.Ordinal) && n.Contains("wai1,", StringComparison.Ordinal));
        Assert.Contains(copies.Recoded.Notes, n => n.Contains("not applied", StringComparison.Ordinal));
    }

    [Fact]
    public void ReversalUsesTheInstrumentsRangeNotTheRangeObserved()
    {
        // Keep only rows whose reverse-keyed wai1 was answered 2 to 6: observed range 2–6, nominal 1–7.
        var raw = copies.Keyed.RawItems;
        int wai1 = raw.IndexOf("wai1");
        var rows = Enumerable.Range(0, raw.RowCount).Where(r => raw[r, wai1] is >= 2 and <= 6).ToArray();
        var subset = copies.Keyed.SelectRows(rows, "test subset");
        for (int i = 0; i < subset.RowCount; i++) Assert.Equal(8 - subset.RawItems[i, wai1], subset.Items[i, wai1]);
    }

    [Fact]
    public void ScoresAreTheSame() =>
        AssertSameFigures(InstrumentScoring.Score(copies.Keyed), InstrumentScoring.Score(copies.Recoded));

    [Fact]
    public void KeyedDescriptivesAreTheSame() =>
        AssertSameFigures(Descriptives.Describe(copies.Keyed, InstrumentScoring.Score(copies.Keyed)),
            Descriptives.Describe(copies.Recoded, InstrumentScoring.Score(copies.Recoded)));

    [Fact]
    public void ReliabilityOfEveryScaleIsTheSame()
    {
        var options = new ReliabilityOptions { Ordinal = true };
        AssertSameFigures(ReliabilityAnalysis.Analyze(copies.Keyed, options), ReliabilityAnalysis.Analyze(copies.Recoded, options));
        AssertSameFigures(ReliabilityAnalysis.Analyze(copies.Keyed, subscale: "Bond"), ReliabilityAnalysis.Analyze(copies.Recoded, subscale: "Bond"));
    }

    [Fact]
    public void IntraclassCorrelationsAndReliableChangeAreTheSame()
    {
        AssertSameFigures(ReliabilityAnalysis.IntraclassCorrelation(copies.Keyed), ReliabilityAnalysis.IntraclassCorrelation(copies.Recoded));
        AssertSameFigures(ReliabilityAnalysis.ReliableChange(copies.Keyed, 3, 8), ReliabilityAnalysis.ReliableChange(copies.Recoded, 3, 8));
    }

    [Theory]
    [InlineData(IrtModelType.RatingScale, IrtEstimation.Conditional)]
    [InlineData(IrtModelType.PartialCredit, IrtEstimation.Conditional)]
    [InlineData(IrtModelType.PartialCredit, IrtEstimation.Marginal)]
    [InlineData(IrtModelType.GeneralizedPartialCredit, IrtEstimation.Marginal)]
    [InlineData(IrtModelType.GradedResponse, IrtEstimation.Marginal)]
    public void EveryIrtModelIsTheSame(IrtModelType model, IrtEstimation estimation)
    {
        var options = new IrtOptions { Model = model, Estimation = estimation, StandardErrors = false, QuadraturePoints = 31 };
        AssertSameFigures(IrtAnalysis.Fit(copies.Keyed, options), IrtAnalysis.Fit(copies.Recoded, options));
    }

    [Fact]
    public void AndersenAndDifAreTheSame()
    {
        AssertSameFigures(IrtTests.Andersen(copies.Keyed), IrtTests.Andersen(copies.Recoded));
        AssertSameFigures(IrtTests.Dif(copies.Keyed, "session"), IrtTests.Dif(copies.Recoded, "session"));
    }

    [Fact]
    public void FormatComparisonAndExplorationAreTheSame()
    {
        var options = new FormatOptions { Outcome = "post", OutcomeBaseline = "baseline", ChangeSessions = [3, 8] };
        var merge = CategoryMap.Parse("1,2,2,2,3,4,5");
        AssertSameFigures(FormatAnalysis.Compare(copies.Keyed, [merge], options), FormatAnalysis.Compare(copies.Recoded, [merge], options));
        AssertSameFigures(FormatAnalysis.Explore(copies.Keyed), FormatAnalysis.Explore(copies.Recoded));
    }

    [Fact]
    public void ShortFormsAndLinkingAreTheSame()
    {
        var shortForm = new ShortFormOptions { Restarts = 3 };
        AssertSameFigures(ShortForms.Build(copies.Keyed, "Bond=4,Task+Goal=4", shortForm), ShortForms.Build(copies.Recoded, "Bond=4,Task+Goal=4", shortForm));
        var link = new LinkingOptions { Replicates = 20 };
        AssertSameFigures(FormatLinking.Link(copies.Keyed, copies.Keyed, link), FormatLinking.Link(copies.Recoded, copies.Recoded, link));
    }

    [Fact]
    public void OutcomeAnalysisIsTheSame()
    {
        foreach (string alliance in new[] { "total", "bond", "wai1" })
        {
            var options = new OutcomeOptions { Alliance = alliance, Outcome = "symptoms", Baseline = "baseline", Bootstrap = null };
            AssertSameFigures(OutcomeAnalysis.Analyze(copies.Keyed, options), OutcomeAnalysis.Analyze(copies.Recoded, options));
        }
    }

    [Fact]
    public void TheMainJobIsTheSame()
    {
        var skipSlow = new MainJobOptions { Skip = ["formats"] };
        AssertSameFigures(MainJob.Run(copies.KeyedFile, options: skipSlow),
            MainJob.Run(copies.RecodedFile, options: skipSlow with { Preparation = new PreparationOptions { ApplyReverseKeys = false } }));
    }

    [Theory]
    [InlineData("describe")]
    [InlineData("score", "--format", "csv")]
    [InlineData("reliability")]
    [InlineData("irt", "--model", "rsm")]
    [InlineData("irt", "--model", "grm", "--no-se", "--quadrature", "21")]
    [InlineData("formats", "--collapse", "1,2,2,2,3,4,5")]
    [InlineData("outcome", "--alliance", "total", "--outcome", "symptoms", "--bootstrap", "0")]
    public void EveryVerbGivesTheSameOutputOnKeyedAndRecodedFiles(string verb, params string[] options)
    {
        string[] json = options.Contains("--format") ? [] : ["--format", "json"];
        var keyed = CliRunner.Run([verb, copies.KeyedFile, .. options, .. json]);
        var recoded = CliRunner.Run([verb, copies.RecodedFile, .. options, .. json, "--no-reverse"]);
        Assert.True(keyed.Exit == 0, keyed.Err);
        Assert.True(recoded.Exit == 0, recoded.Err);
        Assert.Contains("reversed", keyed.Err, StringComparison.Ordinal);
        if (json.Length == 0) Assert.Equal(keyed.Out, recoded.Out);
        else Assert.Equal(Normalize(JsonNode.Parse(keyed.Out)!), Normalize(JsonNode.Parse(recoded.Out)!));
    }

    private void AssertSameFigures(IAnalysisResult keyed, IAnalysisResult recoded)
    {
        Assert.Equal(Normalize(recoded.ToJson()), Normalize(keyed.ToJson()));
        Assert.Equal(recoded.Usage.ToString(), keyed.Usage.ToString());
    }

    /// <summary>The JSON as text without the lists of reversed items and the files' folders.</summary>
    private string Normalize(JsonNode node)
    {
        Strip(node);
        string text = JsonOutput.Serialize(node);
        text = text.Replace(Escape(copies.KeyedDir), "DIR", StringComparison.Ordinal).Replace(Escape(copies.RecodedDir), "DIR", StringComparison.Ordinal);
        return Regex.Replace(text, "reverse keys [^\"]*?;", "reverse keys …;");

        static string Escape(string s) => JsonValue.Create(s)!.ToJsonString()[1..^1];
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).Where(k => k is "reversed" or "reverse_keys_applied" or "preparation").ToArray()) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
                break;
            case JsonArray a:
                foreach (var child in a) Strip(child);
                break;
        }
    }
}
