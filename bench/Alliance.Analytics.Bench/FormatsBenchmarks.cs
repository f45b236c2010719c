using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Irt;
using BenchmarkDotNet.Attributes;

namespace Alliance.Analytics.Bench;

/// <summary>
/// Response formats on the committed synthetic format cohort (data/synthetic/formats: 2,925 rows × 36 WAI items, 7
/// points): one collapse fitted as the explorer fits it (rating scale model by CML on the 2,426 complete rows, with
/// person measures and α), the whole explorer (64 maps), a comparison of two scorings (partial credit, all rows), the
/// 16-item short form, and the linking of the 7- and 5-point files. R side: bench/r/formats.R (psychotools::rsmodel
/// and psych::alpha per map on the same rows).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class FormatsBenchmarks
{
    private AnalysisData _seven = null!, _five = null!;
    private ResponseMatrix _keyedComplete = null!;
    private static readonly CategoryMap Merge = CategoryMap.Parse("1,2,2,2,3,4,5", 7);

    /// <summary>Loads the committed files.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string dir = Path.Combine(IrtBenchmarks.FindRoot(), "data", "synthetic", "formats");
        _seven = AnalysisData.Load(Path.Combine(dir, "wai36_7point.csv"));
        _five = AnalysisData.Load(Path.Combine(dir, "wai_revised_5point.csv"));
        var keyed = _seven.Items; // prepared data are keyed (the instrument's reverse keys applied)
        _keyedComplete = keyed.CompleteRows().Complete;
    }

    /// <summary>One map as the explorer fits it: rating scale model by CML with person measures, then α (R: rsmodel + personpar + psych::alpha).</summary>
    [Benchmark]
    public double OneCollapseRatingScale()
    {
        var items = Merge.Apply(_keyedComplete);
        var fit = IrtAnalysis.Fit(items, new IrtOptions { Model = IrtModelType.RatingScale });
        return fit.PersonSeparation + RawScoreStatistics.AlphaOmega(items, omega: false).Alpha;
    }

    /// <summary>All 64 collapses of the 7-point scale (63 fits), ranked.</summary>
    [Benchmark]
    public int ExploreAllCollapses() => FormatAnalysis.Explore(_seven).Best.Categories;

    /// <summary>Original and 2–4 merged side by side (partial credit by CML, all rows, α and ω).</summary>
    [Benchmark]
    public double CompareTwoScorings() => FormatAnalysis.Compare(_seven, [Merge]).Scorings[1].PersonReliability;

    /// <summary>8 Bond + 8 Task/Goal of 36 (calibration and exchange search with 50 random starts).</summary>
    [Benchmark]
    public int ShortForm() => ShortForms.Build(_seven, "Bond=8,Task+Goal=8").Items.Length;

    /// <summary>7-point to 5-point: two graded calibrations, crosswalks, 500 bootstrap resamples.</summary>
    [Benchmark]
    public double LinkFormats() => FormatLinking.Link(_seven, _five).Crosswalk[150].TrueScore;
}
