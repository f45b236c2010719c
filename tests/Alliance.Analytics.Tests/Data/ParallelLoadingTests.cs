using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Data;

/// <summary>Reading a file in parallel chunks gives exactly what a sequential read gives: values, lines, levels, findings.</summary>
public sealed class ParallelLoadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    public void ChunkedReadEqualsSequentialRead(int chunks)
    {
        var sb = new StringBuilder("client_id,therapist_id,session,q1,q2,q3,outcome,group\n");
        var rng = Alliance.Analytics.Numerics.RandomStream.Create(5);
        for (int r = 0; r < 3000; r++)
        {
            if (r == 700) { sb.Append('\n'); }                                  // a blank line
            if (r == 1500) { sb.Append("c1,t1,1,2,2\n"); continue; }            // a short row
            string q1 = r % 997 == 0 ? "9" : r % 311 == 0 ? "x" : (1 + rng.NextInt(5)).ToString(CultureInfo.InvariantCulture);
            int session = r == 2501 ? 1 : r % 10 + 1;                           // row 2501 repeats client c250 session 1
            sb.Append($"c{r / 10},t{r / 100},{session},{q1},{1 + rng.NextInt(5)},{(r % 50 == 0 ? "" : (1 + rng.NextInt(5)).ToString(CultureInfo.InvariantCulture))},{rng.NextNormal():F3},{(r % 3 == 0 ? "A" : "B")}\n");
        }
        string path = _dir.File("big.csv", sb.ToString());
        var spec = new DataSpec { Items = ["q1", "q2", "q3"], Points = 5 };

        LoadResult sequential;
        using (var source = new CsvTableSource(path, ','))
            sequential = new DatasetBuilder(path, spec, InstrumentRegistry.BuiltIn).Build(source, default);
        LoadResult parallel;
        using (var header = new CsvTableSource(path, ','))
        {
            var parts = CsvTableSource.TryChunk(path, ',', header.Header!, chunks, threshold: 0)!;
            Assert.Equal(chunks, parts.Count);
            parallel = new DatasetBuilder(path, spec, InstrumentRegistry.BuiltIn).Build(header.Header, 1, parts, default);
        }

        Assert.Equal(sequential.Report.Issues.Select(i => i.ToString()), parallel.Report.Issues.Select(i => i.ToString()));
        Assert.Equal(sequential.Report.CountsByCode, parallel.Report.CountsByCode);
        Assert.Equal((sequential.Report.RowsRead, sequential.Report.RowsValid), (parallel.Report.RowsRead, parallel.Report.RowsValid));
        var a = sequential.Dataset!;
        var b = parallel.Dataset!;
        Assert.Equal(a.Items.Values.ToArray(), b.Items.Values.ToArray());
        Assert.Equal(Enumerable.Range(0, a.RowCount).Select(a.SourceLine), Enumerable.Range(0, b.RowCount).Select(b.SourceLine));
        Assert.Equal(a.ClientId!.Levels.ToArray(), b.ClientId!.Levels.ToArray());
        Assert.Equal(a.ClientId.Codes.ToArray(), b.ClientId.Codes.ToArray());
        Assert.Equal(a.Numeric("outcome").Values.ToArray(), b.Numeric("outcome").Values.ToArray());
        Assert.Contains(a.Validation.Issues, i => i.Code == "duplicate_administration");
        Assert.Contains(a.Validation.Issues, i => i.Code == "field_count" && i.Line == 1503);
    }
}
