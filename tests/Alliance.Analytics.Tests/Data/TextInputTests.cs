using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Meta;

namespace Alliance.Analytics.Tests.Data;

/// <summary>Text is read as written: encodings, line ends, long and wide records, quoting errors in our words.</summary>
public sealed class TextInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Bytes(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static readonly string Clients = "client_id,q1,q2,q3\nAna,1,2,3\nJosé,2,3,4\nJosè,3,4,5\n";

    [Fact]
    public void Latin1IsRefusedWithLineAndByteOffsetAndNeverReplaced()
    {
        byte[] bytes = Encoding.Latin1.GetBytes(Clients);
        string path = Bytes("latin1.csv", bytes);
        var read = AllianceDataset.Read(path);
        Assert.Null(read.Dataset);
        var issue = Assert.Single(read.Report.Errors);
        Assert.Equal("encoding", issue.Code);
        Assert.Equal(3, issue.Line);
        Assert.Equal("0xE9", issue.Value);
        int offset = Array.IndexOf(bytes, (byte)0xE9);
        Assert.Contains($"byte offset {offset.ToString(CultureInfo.InvariantCulture)}", issue.Message, StringComparison.Ordinal);
        Assert.Contains("DataSpec.Encoding", issue.Message, StringComparison.Ordinal);
        Assert.Contains("latin1", issue.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ", line 3", issue.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(read.Report.Issues, i => i.ToString().Contains('\uFFFD'));
    }

    [Theory]
    [InlineData("latin1")]
    [InlineData("ISO-8859-1")]
    public void Latin1ReadWithItsEncodingKeepsJoseAndJoseTwoClients(string name)
    {
        string path = Bytes("latin1.csv", Encoding.Latin1.GetBytes(Clients));
        var data = AllianceDataset.Load(path, new DataSpec { Encoding = name });
        var ids = Enumerable.Range(0, data.RowCount).Select(r => data.ClientId![r] ?? "").ToArray();
        Assert.Equal(new[] { "Ana", "José", "Josè" }, ids);
    }

    [Fact]
    public void SidecarEncodingFieldApplies()
    {
        string path = Bytes("latin1.csv", Encoding.Latin1.GetBytes(Clients));
        File.WriteAllText(DataSpec.SidecarPath(path), """{ "encoding": "latin1" }""");
        var data = AllianceDataset.Load(path);
        Assert.Equal("José", data.ClientId![1]);
        Assert.Equal("latin1", DataSpec.ReadSidecar(path)!.Encoding);
    }

    [Fact]
    public void UnknownEncodingNamesTheProperty()
    {
        string path = _dir.File("a.csv", Clients);
        var e = Assert.Throws<DataSpecException>(() => AllianceDataset.Read(path, new DataSpec { Encoding = "klingon" }));
        Assert.Equal("DataSpec.Encoding", e.Property);
        Assert.Contains("klingon", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-16LE")]
    [InlineData("utf-16BE")]
    [InlineData("utf-8")]
    public void ByteOrderMarksAreDetected(string encodingName)
    {
        var encoding = encodingName switch
        {
            "utf-16LE" => (Encoding)new UnicodeEncoding(false, true),
            "utf-16BE" => new UnicodeEncoding(true, true),
            _ => new UTF8Encoding(true),
        };
        string path = Bytes("bom.csv", [.. encoding.GetPreamble(), .. encoding.GetBytes(Clients.Replace("\n", "\r\n", StringComparison.Ordinal))]);
        var data = AllianceDataset.Load(path);
        Assert.Equal(new[] { "client_id", "q1", "q2", "q3" }, data.ColumnOrder.ToArray());
        Assert.Equal("Josè", data.ClientId![2]);
        Assert.Equal(4, data.SourceLine(2));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void EveryLineEndGivesTrueLineNumbers(string nl)
    {
        string path = _dir.File("ends.csv", string.Join(nl, "client_id,q1,q2", "a,1,2", "", "b,9,3", "c,\"x" + nl + "y\",2", "d,1,7", ""));
        var read = AllianceDataset.Read(path, new DataSpec { Points = 5 });
        var lines = read.Report.Errors.Select(e => (e.Line, e.Column)).ToArray();
        Assert.Equal([(4, "q1"), (5, "q1"), (7, "q2")], lines);
    }

    [Fact]
    public void WideHeaderAndLongFieldAreAccepted()
    {
        const int columns = 20_000;
        var sb = new StringBuilder(string.Join(',', Enumerable.Range(0, columns).Select(i => "q" + i.ToString(CultureInfo.InvariantCulture)))).Append('\n');
        for (int r = 0; r < 2; r++)
            sb.Append(string.Join(',', Enumerable.Range(0, columns).Select(i => ((i + r) % 5 + 1).ToString(CultureInfo.InvariantCulture)))).Append('\n');
        var wide = AllianceDataset.Load(_dir.File("wide.csv", sb.ToString()), new DataSpec { Points = 5 });
        Assert.Equal(columns, wide.Items.ItemCount);

        string note = string.Concat(Enumerable.Repeat("free text, \"quoted\"; ", 10_000));
        string path = _dir.File("long.csv", $"client_id,note,q1\na,\"{note.Replace("\"", "\"\"", StringComparison.Ordinal)}\",1\nb,short,2\n");
        var data = AllianceDataset.Load(path, new DataSpec { Items = ["q1"] });
        Assert.True(note.Length > 200_000);
        Assert.Equal(note.Trim(), ((TextColumn)data.Column("note")!)[0]); // text values are trimmed
        Assert.Equal(3, data.SourceLine(1));
    }

    [Fact]
    public void UnterminatedQuoteIsNamedByFileAndLineWhereItStarted()
    {
        string path = _dir.File("q.csv", "client_id,q1,q2\na,1,2\nb,\"2,3\nc,1,2\n");
        var read = AllianceDataset.Read(path);
        Assert.Null(read.Dataset);
        var issue = Assert.Single(read.Report.Errors);
        Assert.Equal(("quoting", 3), (issue.Code, issue.Line));
        Assert.StartsWith(path + ", line 3", issue.ToString(), StringComparison.Ordinal);
        Assert.Contains("no closing quote", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StudyTableReportsEncodingAndQuoting()
    {
        string path = Bytes("studies.csv", Encoding.Latin1.GetBytes("study,r,n\nMüller,0.3,100\nB,0.2,50\n"));
        var read = StudyTable.Read(path);
        Assert.Null(read.Studies);
        Assert.Equal(("encoding", 2), (read.Report.Errors.Single().Code, read.Report.Errors.Single().Line));
        var ok = StudyTable.Read(path, new StudyTableSpec { Encoding = "latin1" });
        Assert.NotNull(ok.Studies);
    }

    [Fact]
    public void ChunkingScansRangesAndDeclinesWhatOnlyASequentialReadCanPlace()
    {
        var sb = new StringBuilder("client_id,q1,q2\r\n");
        for (int r = 0; r < 2000; r++) sb.Append(CultureInfo.InvariantCulture, $"c{r},{r % 5 + 1},{(r == 1234 ? 9 : 2)}\r\n");
        string crlf = _dir.File("crlf.csv", sb.ToString());
        var spec = new DataSpec { Points = 5 };
        using (var header = new CsvTableSource(crlf, ','))
        {
            var parts = CsvTableSource.TryChunk(crlf, ',', header.Header!, 4, threshold: 0)!;
            Assert.Equal(4, parts.Count);
            var parallel = new DatasetBuilder(crlf, spec, InstrumentRegistry.BuiltIn).Build(header.Header, 1, parts, default);
            foreach (var p in parts) p.Dispose();
            Assert.Equal(1236, parallel.Report.Errors.Single().Line);
        }
        string cr = _dir.File("cr.csv", sb.ToString().Replace("\r\n", "\r", StringComparison.Ordinal));
        using (var header = new CsvTableSource(cr, ','))
            Assert.Null(CsvTableSource.TryChunk(cr, ',', header.Header!, 4, threshold: 0));
        byte[] bad = Encoding.UTF8.GetBytes(sb.ToString());
        bad[bad.Length / 2] = 0xFF;
        string invalid = Bytes("bad.csv", bad);
        using (var header = new CsvTableSource(invalid, ','))
            Assert.Null(CsvTableSource.TryChunk(invalid, ',', header.Header!, 4, threshold: 0));
        Assert.Equal("encoding", AllianceDataset.Read(invalid).Report.Errors.Single().Code);
    }

    [Fact]
    public void NoTextMessageLeaksADotNetName()
    {
        string[] files =
        [
            Bytes("l.csv", Encoding.Latin1.GetBytes(Clients)),
            _dir.File("q.csv", "a,b\n\"1,2\n"),
            _dir.File("h.csv", "\"a,b\n1,2\n"),
            _dir.File("t.csv", "a,b\n\"1\"x,2\n"),
            Bytes("u.csv", [.. "a,b\n1,"u8, 0xC3]),
        ];
        foreach (string f in files)
        {
            var issues = AllianceDataset.Read(f).Report.Issues;
            Assert.NotEmpty(issues);
            foreach (var i in issues)
                foreach (string leak in new[] { "Exception", "System.", "Sylvan", "MaxBufferSize", "Parameter", "Row 0", "\uFFFD" })
                    Assert.DoesNotContain(leak, i.ToString(), StringComparison.Ordinal);
        }
    }
}
