using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Outcomes;
using BenchmarkDotNet.Attributes;

namespace Alliance.Analytics.Bench;

/// <summary>
/// The speed target: a three-level random-intercept model, y ~ session + alliance + (1 | therapist/client),
/// by REML on 100,000 sessions (10,000 clients in 500 therapists, 10 sessions each), at least 5× faster than
/// lme4::lmer on the same data (bench/r/outcome_lmer.R reads the CSV this class writes). Timed from a model frame in
/// memory, as lmer is timed from a data.frame; "WithSatterthwaite" also computes the df lmerTest would add.
/// </summary>
[MemoryDiagnoser]
public class OutcomeBenchmarks
{
    private ModelFrame _frame = null!;

    /// <summary>Where the shared data set is written (bench/r/outcome_lmer.R reads it).</summary>
    public static string DataPath => Path.Combine(Path.GetTempPath(), "alliance-bench-outcome-3level.csv");

    [GlobalSetup]
    public void Setup()
    {
        if (!File.Exists(DataPath)) WriteThreeLevel(DataPath, seed: 7);
        var lines = File.ReadAllLines(DataPath);
        int n = lines.Length - 1;
        var ther = new string?[n];
        var client = new string?[n];
        var session = new double[n];
        var alliance = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            ther[i] = f[0];
            client[i] = f[1];
            session[i] = double.Parse(f[2], CultureInfo.InvariantCulture);
            alliance[i] = double.Parse(f[3], CultureInfo.InvariantCulture);
            y[i] = double.Parse(f[4], CultureInfo.InvariantCulture);
        }
        _frame = ModelFrame.Create(n).Factor("therapist_id", ther).Factor("client_id", client)
            .Numeric("session", session).Numeric("alliance", alliance).Numeric("symptoms", y).Build();
    }

    /// <summary>Writes 500 therapists × 20 clients × 10 sessions: τ²_T = 2, τ²_C = 9, σ² = 6.25.</summary>
    public static void WriteThreeLevel(string path, long seed)
    {
        var rng = RandomStream.Create(seed);
        AtomicFile.Write(path, w =>
        {
            w.WriteLine("therapist_id,client_id,session,alliance,symptoms");
            var sb = new StringBuilder();
            for (int t = 0; t < 500; t++)
            {
                double ut = rng.NextNormal(0, Math.Sqrt(2));
                for (int c = 0; c < 20; c++)
                {
                    double uc = rng.NextNormal(0, 3), trait = rng.NextNormal(5, 0.6);
                    for (int s = 1; s <= 10; s++)
                    {
                        double a = trait + rng.NextNormal(0, 0.4);
                        double y = 22 + ut + uc - 0.7 * s - 1.1 * (a - 5) + rng.NextNormal(0, 2.5);
                        sb.Clear();
                        sb.Append('T').Append(t).Append(",C").Append(t * 20 + c).Append(',').Append(s).Append(',')
                          .Append(a.ToString("F4", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("F4", CultureInfo.InvariantCulture));
                        w.WriteLine(sb);
                    }
                }
            }
        });
    }

    [Benchmark(Baseline = true)]
    public double ThreeLevelRandomInterceptReml() =>
        LinearMixedModel.Fit("symptoms ~ session + alliance + (1 | therapist_id/client_id)", _frame,
            new MixedModelOptions { DegreesOfFreedom = DegreesOfFreedomMethod.Residual }).Criterion;

    [Benchmark]
    public double WithSatterthwaite() =>
        LinearMixedModel.Fit("symptoms ~ session + alliance + (1 | therapist_id/client_id)", _frame).Criterion;
}
