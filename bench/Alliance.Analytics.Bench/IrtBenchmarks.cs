using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;
using BenchmarkDotNet.Attributes;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Bench;

/// <summary>
/// IRT on 100,000 respondents × 16 items × 5 categories (graded-response simulation, slopes 0.8–2.2), the shape of the
/// issue's speed targets: graded and GPCM by marginal ML (mirt 1.47: 19.4 s and 42.9 s), rating scale model by CML
/// (psychotools::rsmodel, timed by bench/r/irt.R on the same file). Estimation only (no SEs or diagnostics), as the R
/// anchors; the "full" variants add SEs and person measures, fit and category tables. Data: bench/data/irt-100k.csv
/// written by bench/r/irt.R (run it first).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class IrtBenchmarks
{
    private ResponseMatrix _x = null!;

    /// <summary>Loads the shared data file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string path = Path.Combine(FindRoot(), "bench", "data", "irt-100k.csv");
        if (!File.Exists(path)) throw new FileNotFoundException("Run `Rscript bench/r/irt.R` from the repository root first.", path);
        _x = Load(path);
    }

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Alliance.Analytics.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    internal static ResponseMatrix Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToArray();
        var values = new double[(lines.Length - 1) * header.Length];
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            for (int j = 0; j < header.Length; j++) values[(i - 1) * header.Length + j] = double.Parse(f[j], CultureInfo.InvariantCulture);
        }
        return ResponseMatrix.Create(values, header, ItemScale.Likert(5, 0));
    }

    private static readonly IrtOptions EstimationOnly = new() { StandardErrors = false, Diagnostics = false };

    /// <summary>Graded response model by MML/EM (mirt: 19.4 s).</summary>
    [Benchmark]
    public double GradedResponse() => IrtAnalysis.Fit(_x, EstimationOnly with { Model = IrtModelType.GradedResponse }).LogLikelihood;

    /// <summary>Generalized partial credit model by MML/EM (mirt: 42.9 s).</summary>
    [Benchmark]
    public double GeneralizedPartialCredit() => IrtAnalysis.Fit(_x, EstimationOnly with { Model = IrtModelType.GeneralizedPartialCredit }).LogLikelihood;

    /// <summary>Rating scale model by CML (psychotools::rsmodel; SEs are included there and here).</summary>
    [Benchmark]
    public double RatingScaleCml() => IrtAnalysis.Fit(_x, new IrtOptions { Model = IrtModelType.RatingScale, Diagnostics = false }).LogLikelihood;

    /// <summary>Graded model with SEs (observed information) and all diagnostics.</summary>
    [Benchmark]
    public double GradedResponseFull() => IrtAnalysis.Fit(_x, new IrtOptions { Model = IrtModelType.GradedResponse }).LogLikelihood;

    /// <summary>Rating scale model by CML with person measures, fit, reliability and category tables.</summary>
    [Benchmark]
    public double RatingScaleCmlFull() => IrtAnalysis.Fit(_x, new IrtOptions { Model = IrtModelType.RatingScale }).LogLikelihood;
}
