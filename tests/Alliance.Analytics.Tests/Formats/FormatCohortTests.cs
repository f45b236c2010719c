using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Tests.Simulation;
using Alliance.Analytics.Composition;

namespace Alliance.Analytics.Tests.Formats;

/// <summary>The test classes that share one <see cref="FormatCohort"/> (it is computed once).</summary>
[CollectionDefinition("format cohort")]
public sealed class FormatCohortCollection : ICollectionFixture<FormatCohort>;

/// <summary>The committed synthetic format cohort, compared and explored once for all tests of the collection.</summary>
public sealed class FormatCohort
{
    public static readonly CategoryMap MergeTwoToFour = CategoryMap.Parse("1,2,2,2,3,4,5", 7);

    public FormatCohort()
    {
        Seven = AllianceDataset.Load(Repository.Synthetic("formats", "wai36_7point.csv"));
        var prepared = AnalysisData.Prepare(Seven);
        Truth = JsonNode.Parse(File.ReadAllText(Repository.Synthetic("formats", "truth.json")))!;
        var options = new FormatOptions { Outcome = "post", OutcomeBaseline = "baseline", ChangeSessions = [3, 8] };
        Comparison = FormatAnalysis.Compare(prepared, [MergeTwoToFour], options);
        Exploration = FormatAnalysis.Explore(prepared);
    }

    public AllianceDataset Seven { get; }
    public JsonNode Truth { get; }
    public FormatComparison Comparison { get; }
    public CollapseExploration Exploration { get; }

    /// <summary>Keyed responses of a committed file (reverse-keyed items reverse-scored), optionally collapsed, as rows.</summary>
    public static double[][] KeyedRows(AllianceDataset data, int[]? map = null)
    {
        var items = data.Items.Reverse(data.Instrument!.ReverseKeyed.Select(k => data.Items.Items[k - 1]));
        return [.. Enumerable.Range(0, items.RowCount).Select(r => items.Row(r).ToArray().Select(v => double.IsNaN(v) || map is null ? v : map[(int)v - 1]).ToArray())];
    }
}

/// <summary>
/// Mallinckrodt &amp; Tekie (2016) rediscovered on the committed synthetic format cohort (data/synthetic/formats, made
/// with crowded categories 2–4): the 7-point thresholds are disordered; merging 2–4 orders them and raises reliability
/// and α although the score variance falls; the explorer finds this among all 64 collapses. Raw-score figures are
/// checked against the simulator's own realised values in truth.json and against textbook formulas computed here.
/// </summary>
[Collection("format cohort")]
public sealed class FormatCohortTests(FormatCohort cohort)
{
    private const double TruthRounding = 1e-7;   // truth.json carries 8 significant digits
    private const double ClosedForm = 1e-10;

    private JsonNode Realised(string file) => cohort.Truth["realised"]!["renderings"]![file]!;

    [Fact]
    public void SevenPointThresholdsAreDisorderedAndMergingTwoToFourOrdersEveryItem()
    {
        var original = cohort.Comparison.Original;
        var merged = cohort.Comparison[FormatCohort.MergeTwoToFour.ToString()];
        Assert.False(original.ThresholdsOrdered);
        Assert.True(original.ItemsOrdered <= 3, $"{original.ItemsOrdered} of 36 items ordered in the 7-point scoring");
        Assert.True(merged.ThresholdsOrdered);
        Assert.Equal(36, merged.ItemsOrdered);
        Assert.Contains(cohort.Comparison.Warnings, w => w.Contains("1,2,3,4,5,6,7: thresholds are disordered"));
    }

    [Fact]
    public void MergingRaisesReliabilityAndAlphaDespiteLessVariance()
    {
        var original = cohort.Comparison.Original;
        var merged = cohort.Comparison[FormatCohort.MergeTwoToFour.ToString()];
        Assert.True(merged.PersonReliability > original.PersonReliability);
        Assert.True(merged.PersonSeparation > original.PersonSeparation);
        Assert.True(merged.Alpha > original.Alpha);
        Assert.True(merged.Omega > original.Omega);
        var truth = Realised("wai36_7point.csv")["merged_crowded_categories"]!;
        Assert.Equal((double)truth["variance_change"]!, merged.VarianceChange, TruthRounding);
        Assert.Equal((double)truth["total_variance_before"]!, original.ScoreVariance, 1e-4);
        Assert.Equal((double)truth["total_variance_after"]!, merged.ScoreVariance, 1e-4);
        var proportions = truth["category_proportions"]!.AsArray().Select(v => (double)v!).ToArray();
        for (int c = 0; c < 5; c++) Assert.Equal(proportions[c], merged.CategoryProportions[c], TruthRounding);
    }

    [Fact]
    public void AlphaFloorAndCeilingAgreeWithTextbookFormulasOnTheKeyedRows()
    {
        foreach (var (scoring, map) in new[] { (cohort.Comparison.Original, (int[]?)null), (cohort.Comparison[FormatCohort.MergeTwoToFour.ToString()], FormatCohort.MergeTwoToFour.Map.ToArray()) })
        {
            var rows = FormatCohort.KeyedRows(cohort.Seven, map).Where(r => r.All(v => !double.IsNaN(v))).ToArray();
            Assert.Equal(rows.Length, scoring.CompleteRows);
            Assert.Equal(Reference.Alpha(rows), scoring.Alpha, ClosedForm);
            int k = scoring.Categories;
            Assert.Equal(rows.Count(r => r.All(v => v == 1)) / (double)rows.Length, scoring.Floor, ClosedForm);
            Assert.Equal(rows.Count(r => r.All(v => v == k)) / (double)rows.Length, scoring.Ceiling, ClosedForm);
        }
        Assert.Equal((int)Realised("wai36_7point.csv")["complete_rows"]!, cohort.Comparison.Original.CompleteRows);
    }

    /// <summary>The simulator reports the observed correlation of the session-3 total with baseline − post, one row per client.</summary>
    [Fact]
    public void OutcomeCorrelationEqualsTheSimulatorsObservedCorrelation()
    {
        var r = cohort.Comparison.Original.OutcomeCorrelation!;
        Assert.Equal((double)Realised("wai36_7point.csv")["observed_alliance_outcome_correlation"]!, r.R, TruthRounding);
        Assert.Equal(3, cohort.Comparison.OutcomeSession);
        Assert.Equal("baseline − post", cohort.Comparison.OutcomeLabel);
        Assert.NotNull(cohort.Comparison[FormatCohort.MergeTwoToFour.ToString()].OutcomeCorrelation);
    }

    /// <summary>SRM and the Jacobson–Truax share, written out: pairs of complete rows of each client at sessions 3 and 8.</summary>
    [Fact]
    public void SensitivityToChangeFollowsItsFormulas()
    {
        var rows = FormatCohort.KeyedRows(cohort.Seven);
        var clients = cohort.Seven.ClientId!;
        var sessions = cohort.Seven.Session!;
        var at3 = new Dictionary<string, double>();
        var at8 = new Dictionary<string, double>();
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Any(double.IsNaN)) continue;
            (sessions[r] == 3 ? at3 : sessions[r] == 8 ? at8 : null)?.TryAdd(clients[r]!, rows[r].Sum());
        }
        var ids = at3.Keys.Where(at8.ContainsKey).ToArray();
        var d = ids.Select(id => at8[id] - at3[id]).ToArray();
        double srm = d.Average() / Math.Sqrt(Reference.Variance(d));
        var change = cohort.Comparison.Original.Change!;
        Assert.Equal(ids.Length, change.Clients);
        Assert.Equal(srm, change.StandardizedResponseMean, ClosedForm);
        double critical = 1.959963984540054 * Math.Sqrt(2) * Math.Sqrt(Reference.Variance(ids.Select(id => at3[id]).ToArray())) * Math.Sqrt(1 - cohort.Comparison.Original.Alpha);
        Assert.Equal(critical, change.ReliableChangeIndexCritical, 1e-8);
        Assert.Equal(d.Count(x => x > critical) / (double)d.Length, change.ReliablyImproved, ClosedForm);
        Assert.Equal(d.Count(x => x < -critical) / (double)d.Length, change.ReliablyDeteriorated, ClosedForm);
    }

    /// <summary>Targeted information is the harmonic mean of I(θ̂)·σ² over the persons' measures (finite ones).</summary>
    [Fact]
    public void TargetedInformationIsTheHarmonicMeanOverThePersons()
    {
        var s = cohort.Comparison.Original;
        var thetas = s.Fit.Persons.Select(p => p.Theta).Where(double.IsFinite).ToArray();
        double v = s.Fit.LatentSd * s.Fit.LatentSd;
        double h = thetas.Length / thetas.Sum(t => 1 / (s.Fit.TestInformation(t) * v));
        Assert.Equal(h, s.TargetedInformation, 1e-9 * h);
    }

    [Fact]
    public void ExplorerListsAllSixtyFourMapsAndFitsAllButTheSingleCategory()
    {
        var e = cohort.Exploration;
        Assert.Equal(64, e.Candidates.Length);
        Assert.Equal(63, e.Candidates.Count(c => c.Fitted));
        Assert.Equal("1,1,1,1,1,1,1", e.Candidates.Single(c => !c.Fitted).Map.ToString());
        Assert.All(e.Candidates.Where(c => c.Fitted), c => Assert.True(c.Converged));
        Assert.Equal(Enumerable.Range(1, 63), e.Ranked.Select(c => c.Rank));
        Assert.Equal(cohort.Comparison.Original.Alpha, e.Original.Alpha, ClosedForm);
    }

    /// <summary>
    /// The explorer rediscovers the pattern: the original is disordered; every collapse that keeps categories 2, 3 and 4
    /// apart stays disordered; merging 2–4 orders the thresholds with the most categories any ordered collapse keeps,
    /// sits in the Pareto set, and has more separation and α than the original; the best-ranked collapse merges 2–4.
    /// </summary>
    [Fact]
    public void ExplorerRediscoversThatMergingTheCrowdedMiddleOrdersThresholdsAndRaisesReliability()
    {
        var e = cohort.Exploration;
        Assert.False(e.Original.ThresholdsOrdered);
        foreach (var c in e.Candidates.Where(c => c.Fitted && c.Map.Map[1] != c.Map.Map[2] && c.Map.Map[2] != c.Map.Map[3]))
            Assert.False(c.ThresholdsOrdered, $"{c.Map} keeps 2, 3 and 4 apart yet has ordered thresholds");
        var merged = e[FormatCohort.MergeTwoToFour.ToString()];
        Assert.True(merged.ThresholdsOrdered);
        Assert.True(merged.Pareto);
        Assert.Equal(merged, e.Candidates.Where(c => c.Fitted && c.ThresholdsOrdered).MaxBy(c => (c.Categories, c.PersonSeparation)));
        Assert.True(merged.PersonSeparation > e.Original.PersonSeparation);
        Assert.True(merged.Alpha > e.Original.Alpha);
        Assert.InRange(merged.VarianceChange, -0.45, -0.10);
        var best = e.Best;
        Assert.True(best.ThresholdsOrdered);
        Assert.True(best.Map.Map[1] == best.Map.Map[2] && best.Map.Map[2] == best.Map.Map[3], $"best {best.Map} does not merge 2–4");
        Assert.Contains(e.ParetoSet, c => c.Map.IsIdentity);   // the only 7-category scoring cannot be dominated on categories kept
    }

    [Fact]
    public void ParetoSetIsExactlyTheUndominatedCandidates()
    {
        var fitted = cohort.Exploration.Candidates.Where(c => c.Fitted).ToArray();
        static double[] K(CollapseCandidate c) => [c.ThresholdsOrdered ? 1 : 0, c.PersonSeparation, c.TargetedInformation, c.Categories];
        foreach (var c in fitted)
        {
            bool dominated = fitted.Any(o => !ReferenceEquals(o, c) && K(o).Zip(K(c)).All(p => p.First >= p.Second) && K(o).Zip(K(c)).Any(p => p.First > p.Second));
            Assert.Equal(!dominated, c.Pareto);
        }
    }

    [Fact]
    public void JsonCarriesTheKeysTheIssueLists()
    {
        var json = cohort.Comparison.ToJson();
        var scorings = json["scorings"]!.AsArray();
        Assert.Equal(2, scorings.Count);
        foreach (var s in scorings)
        {
            Assert.NotNull(s!["thresholds_ordered"]!["overall"]);
            Assert.Equal(36, s["thresholds_ordered"]!["items"]!.AsObject().Count);
            foreach (var key in new[] { "person_reliability", "alpha", "omega", "variance_change", "floor", "ceiling", "targeted_information", "information_curve", "outcome_correlation", "change" })
                Assert.NotNull(s[key]);
        }
        var explore = cohort.Exploration.ToJson();
        Assert.Equal(64, explore["candidates"]!.AsArray().Count);
        Assert.Contains(FormatCohort.MergeTwoToFour.ToString(), explore["pareto"]!.AsArray().Select(n => (string)n!));
    }
}

/// <summary>The format charts render (headless PNG) and the main job carries a formats section for 7-point data.</summary>
[Collection("format cohort")]
public sealed class FormatChartAndMainJobTests(FormatCohort cohort)
{
    [Fact]
    public void ChartsRender()
    {
        foreach (var plot in new[]
        {
            Alliance.Analytics.Plotting.FormatPlots.CategoryCurvesChart(cohort.Comparison, 3),
            Alliance.Analytics.Plotting.FormatPlots.InformationChart(cohort.Comparison),
            Alliance.Analytics.Plotting.FormatPlots.ExplorationChart(cohort.Exploration),
        })
            Assert.True(Alliance.Analytics.Plotting.PlotExport.ToPng(plot).Length > 5000);
        Assert.Throws<ArgumentOutOfRangeException>(() => Alliance.Analytics.Plotting.FormatPlots.CategoryCurvesChart(cohort.Comparison, 36));
    }

    [Fact]
    public void AnalyzeOfSevenPointDataHasAFormatsSection()
    {
        var skip = MainJob.Sections.Select(s => s.Key).Where(k => k != "formats").ToImmutableHashSet();
        var report = MainJob.Run(Repository.Synthetic("formats", "wai36_7point.csv"), options: new MainJobOptions { Skip = skip });
        var section = Assert.IsType<FormatReport>(report["formats"]);
        Assert.Equal(cohort.Exploration.Best.Map, section.Exploration.Best.Map);
        Assert.Equal(2, section.Comparison.Scorings.Length);
        Assert.Equal(section.Exploration.Best.Map, section.Comparison.Scorings[1].Map);
        Assert.NotNull(report.ToJson()["sections"]!["formats"]!["explore"]!["candidates"]);
        Assert.Contains("Response formats", report.ToText());
    }
}
