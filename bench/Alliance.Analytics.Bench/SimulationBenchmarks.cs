using Alliance.Analytics.Numerics;
using Alliance.Analytics.Simulation;
using BenchmarkDotNet.Attributes;

namespace Alliance.Analytics.Bench;

/// <summary>
/// The simulator's speed target: 1,000,000 administrations of a 12-item instrument (WAI-SR, graded response model)
/// in under 5 s. Three measurements: the response kernel alone on 1,000,000 θ (one thread); a whole clinic cohort of
/// about 1,000,000 session rows (106,000 clients of 5,300 therapists, latent alliance, symptoms, dropout) rendered
/// into WAI-SR responses on all cores; and the same cohort written as CSV (the session table, about 55 MB).
/// R side: bench/r/simulation.R (the same GRM draw, vectorised).
/// </summary>
[MemoryDiagnoser]
public class SimulationBenchmarks
{
    private double[] _theta = [];
    private byte[] _responses = [];
    private ItemResponseModel _model = null!;
    private CohortOptions _cohort = null!;
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _cohort = new CohortOptions { Clients = 106_000, Therapists = 5_300 };
        _model = SimulationInstruments.WaiSr(_cohort);
        var rng = RandomStream.Create(1);
        _theta = [.. Enumerable.Range(0, 1_000_000).Select(_ => rng.NextNormal())];
        _responses = new byte[_theta.Length * _model.ItemCount];
        _dir = Path.Combine(Path.GetTempPath(), "alliance-bench-simulate");
    }

    /// <summary>1,000,000 × 12 GRM responses from given θ, one thread.</summary>
    [Benchmark]
    public int ResponsesOneMillionOneThread()
    {
        _model.Sample(_theta, RandomStream.Create(2), _responses);
        return _responses[^1];
    }

    /// <summary>A clinic cohort of about 1,000,000 sessions, simulated and rendered into WAI-SR responses (all cores).</summary>
    [Benchmark]
    public int ClinicCohortOneMillionSessions()
    {
        var cohort = CohortSimulator.Simulate(_cohort, 3);
        return cohort.Render(_model).RowCount;
    }

    /// <summary>The same cohort simulated, rendered and written as a CSV session table.</summary>
    [Benchmark]
    public int ClinicCohortOneMillionSessionsToCsv()
    {
        var cohort = CohortSimulator.Simulate(_cohort, 3);
        var responses = cohort.Render(_model);
        cohort.WriteSessionTable(Path.Combine(_dir, "clinic.csv"), responses, "benchmark");
        return responses.RowCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
