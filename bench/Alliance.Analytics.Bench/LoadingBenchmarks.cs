using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Numerics;
using BenchmarkDotNet.Attributes;

namespace Alliance.Analytics.Bench;

/// <summary>
/// Loading 1,000,000 administrations × 16 items (with client, therapist and session ids and one outcome column):
/// the foundation's target is well under 2 s. The file (about 45 MB) is generated once per run with a fixed seed.
/// </summary>
[MemoryDiagnoser]
public class LoadingBenchmarks
{
    private string _path = "";

    [Params(1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"alliance-bench-{Rows}.csv");
        if (File.Exists(_path)) return;
        WriteCohort(_path, Rows, 16, seed: 1);
    }

    /// <summary>Writes a cohort file: ids, 16 items on 1–7 with ~1% missing, an outcome with two decimals.</summary>
    public static void WriteCohort(string path, int rows, int items, long seed)
    {
        var rng = RandomStream.Create(seed);
        AtomicFile.Write(path, w =>
        {
            var header = new StringBuilder("client_id,therapist_id,session");
            for (int j = 1; j <= items; j++) header.Append(",q").Append(j);
            w.WriteLine(header.Append(",outcome"));
            var sb = new StringBuilder();
            for (int r = 0; r < rows; r++)
            {
                sb.Clear();
                sb.Append('c').Append(r / 10).Append(",t").Append(r / 200).Append(',').Append(r % 10 + 1);
                for (int j = 0; j < items; j++)
                {
                    sb.Append(',');
                    if (rng.NextDouble() >= 0.01) sb.Append(1 + rng.NextInt(7));
                }
                sb.Append(',').Append((rng.NextNormal() * 5 + 12).ToString("F2", CultureInfo.InvariantCulture));
                w.WriteLine(sb);
            }
        });
    }

    [Benchmark]
    public int ReadAndValidate()
    {
        var read = AllianceDataset.Read(_path, new DataSpec { Items = [.. Enumerable.Range(1, 16).Select(j => "q" + j)], Points = 7 });
        return read.Dataset!.RowCount;
    }
}
