using Alliance.Analytics.Meta;
using BenchmarkDotNet.Attributes;

namespace Alliance.Analytics.Bench;

/// <summary>
/// Meta-analysis on a Flückiger-sized synthetic study set (k = 295 studies, 472 effect sizes; bench/r/meta-k295.csv,
/// written by bench/r/meta-bench.R, which times the same analyses with metafor). Targets (issue 8): REML with
/// Q-profile intervals well under a millisecond; a 1,000-permutation moderator test at least 100× faster than
/// metafor::permutest. Results in bench/results/meta.md.
/// </summary>
[MemoryDiagnoser]
public class MetaBenchmarks
{
    private StudySet _studies = null!;
    private StudySet _effectSizes = null!;
    private RandomEffectsFit _regression = null!;

    /// <summary>The committed data file, found from the working directory or the assembly's location.</summary>
    public static string DataPath()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "bench", "r", "meta-k295.csv");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("bench/r/meta-k295.csv not found: run from the repository (Rscript bench/r/meta-bench.R writes it).");
    }

    [GlobalSetup]
    public void Setup()
    {
        _effectSizes = StudyTable.Load(DataPath(), new StudyTableSpec { Cluster = "study" });
        var first = Enumerable.Range(0, _effectSizes.Count).Where(i => _effectSizes.Moderator("es_id").Numbers[i] == 1).ToArray();
        var table = StudyTable.Load(DataPath());
        _studies = table with
        {
            Labels = [.. first.Select(i => table.Labels[i])],
            Yi = [.. first.Select(i => table.Yi[i])],
            Vi = [.. first.Select(i => table.Vi[i])],
            SampleSizes = [.. first.Select(i => table.SampleSizes[i])],
            Moderators = [.. table.Moderators.Select(m => new ModeratorColumn(m.Name, [.. first.Select(i => m.Text[i])], [.. first.Select(i => m.Numbers[i])]))],
            Lines = [.. first.Select(i => table.Lines[i])],
            Usage = Alliance.Analytics.DataUsage.All(first.Length),
        };
        _regression = MetaAnalysis.Fit(_studies, new MetaAnalysisOptions { Moderators = ["rater", "measure", "timing", "ratio"], ProfileIntervals = false });
    }

    /// <summary>metafor: <c>rma(yi, vi); confint(res)</c>.</summary>
    [Benchmark]
    public double RemlWithQProfile() => MetaAnalysis.Fit(_studies).Tau2Interval.Upper;

    /// <summary>metafor: <c>permutest(rma(yi, vi, mods = ~ rater + measure + timing + ratio), iter = 1000)</c>.</summary>
    [Benchmark]
    public double PermutationTest1000() => PermutationTest.Run(_regression, new PermutationOptions { Iterations = 1000, Seed = 1 }).QMPValue;

    /// <summary>metafor: <c>rma.mv(yi, vi, random = ~ 1 | study/es_id); confint(res)</c>.</summary>
    [Benchmark]
    public double ThreeLevelWithProfileIntervals() => MetaAnalysis.FitMultilevel(_effectSizes).Sigma2Intervals[1].Upper;
}
