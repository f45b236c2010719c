using Alliance.Analytics.Data;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Tests.Data;

public sealed class DataFrameRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DatasetToDataFrameAndBackKeepsEveryValueIdAndMissing()
    {
        string path = _dir.File("d.csv", "client_id,therapist_id,session,q1,q2,phq9,group\n007,t1,1,1,,12.25,CBT\nc2,t1,2,5,3,,PDT\n");
        var data = AllianceDataset.Load(path, new DataSpec { Items = ["q1", "q2"], Points = 5 });
        DataFrame frame = data.ToDataFrame();

        Assert.Equal(["client_id", "therapist_id", "session", "q1", "q2", "phq9", "group"], frame.Columns.Select(c => c.Name).ToArray());
        Assert.IsType<StringDataFrameColumn>(frame.Columns["client_id"]);
        Assert.Equal("007", frame.Columns["client_id"][0]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["phq9"]);
        Assert.Equal(12.25, frame.Columns["phq9"][0]);
        Assert.Null(frame.Columns["q2"][0]);

        var back = AllianceDataset.FromDataFrame(frame, new DataSpec { Items = ["q1", "q2"], Points = 5 });
        Assert.True(back.Report.IsValid, string.Join(" | ", back.Report.Issues));
        var round = back.Dataset!;
        Assert.Equal(data.Items.Values.ToArray(), round.Items.Values.ToArray());
        Assert.Equal("007", round.ClientId![0]);
        Assert.Equal(12.25, round.Numeric("phq9")[0]);
        Assert.True(double.IsNaN(round.Numeric("phq9")[1]));
        Assert.Equal("PDT", ((TextColumn)round.Column("group")!)[1]);
        Assert.Equal(2.0, round.Session![1]);
    }

    [Fact]
    public void DataFrameRowsAreValidatedWithRowNumbers()
    {
        var frame = new DataFrame(new DoubleDataFrameColumn("q1", [1, 2, 9]), new DoubleDataFrameColumn("q2", [1, 2, 3]));
        var report = AllianceDataset.FromDataFrame(frame, new DataSpec { Points = 5 }).Report;
        var issue = report.Errors.Single();
        Assert.Equal((3, "q1", "9"), (issue.Line!.Value, issue.Column!, issue.Value!));
    }

    [Fact]
    public void WriteCsvRoundTripsThroughTheLoader()
    {
        string path = _dir.File("d.csv", "client_id,session,q1,q2,note\nc1,1,1,,\"a, b\"\nc2,2,5,3,x\n");
        var data = AllianceDataset.Load(path, new DataSpec { Items = ["q1", "q2"], Points = 5 });
        string copy = System.IO.Path.Combine(_dir.Path, "copy.csv");
        data.WriteCsv(copy);
        var again = AllianceDataset.Load(copy, new DataSpec { Items = ["q1", "q2"], Points = 5 });
        Assert.Equal(data.Items.Values.ToArray(), again.Items.Values.ToArray());
        Assert.Equal("a, b", ((TextColumn)again.Column("note")!)[0]);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }
}
