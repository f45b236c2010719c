using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Reporting;

public sealed class ResultTableTests
{
    private static readonly ResultTable Table = new("T",
        [TableColumn.Label("name"), TableColumn.Number("x", 2), TableColumn.Percent("share")],
        [["a, b", 1.005, 0.25], ["c", double.NaN, null]]);

    [Fact]
    public void MissingFiguresPrintAsADashNeverAsZero()
    {
        string text = Table.ToText();
        Assert.Contains("—", text);
        Assert.DoesNotContain("NaN", text);
        Assert.Contains("25.0%", text.Replace(" %", "%"));
    }

    [Fact]
    public void CsvQuotesFieldsAndLeavesMissingEmpty()
    {
        Assert.Equal("name,x,share\n\"a, b\",1.005,0.25\nc,,\n", Table.ToCsv().Replace("\r\n", "\n"));
    }

    [Fact]
    public void DataFrameKeepsFullPrecisionForNumbers()
    {
        var frame = Table.ToDataFrame();
        Assert.Equal(1.005, frame.Columns["x"][0]);
        Assert.Null(frame.Columns["x"][1]);
        Assert.Equal("a, b", frame.Columns["name"][0]);
    }

    [Fact]
    public void JsonNumbersAreNullWhenUndefined()
    {
        Assert.Null(JsonOutput.Number(double.NaN));
        Assert.Null(JsonOutput.Number(double.PositiveInfinity));
        Assert.Equal("[0.5,null]", JsonOutput.Interval(0.5, double.NaN).ToJsonString());
    }

    [Fact]
    public void UsageListsEveryExclusionWithLines()
    {
        var usage = DataUsage.All(10).Exclude("missing q1", 3, [4, 7, 9]).Exclude("nothing", 0);
        Assert.Equal(7, usage.RowsUsed);
        Assert.Equal("n = 7 of 10 rows (3 left out: 3 rows: missing q1 (lines 4, 7, 9))", usage.ToString());
    }
}
