using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Data;

public sealed class ResponseMatrixTests
{
    private static ResponseMatrix Sample() => ResponseMatrix.Create(
        new double[,] { { 1, 5, 3 }, { 2, double.NaN, 4 }, { 5, 5, 5 } }, ["a", "b", "c"], ItemScale.Likert(5));

    [Fact]
    public void ReverseMapsXToMinPlusMaxMinusXAndKeepsMissing()
    {
        var r = Sample().Reverse(["a", "b"]);
        Assert.Equal([5.0, 1.0, 3.0], r.Row(0).ToArray());
        Assert.Equal(4.0, r[1, 0]);
        Assert.True(double.IsNaN(r[1, 1]));
        Assert.Equal(1.0, r[2, 1]);
    }

    [Fact]
    public void CompleteRowsDropsIncompleteRowsAndRecordsTheirLines()
    {
        var (complete, usage) = Sample().CompleteRows();
        Assert.Equal(2, complete.RowCount);
        Assert.Equal(1, usage.RowsExcluded);
        Assert.Equal([2], usage.Exclusions[0].Lines.ToArray());
        Assert.Equal(3, complete.SourceLine(1));
    }

    [Fact]
    public void CategoryCodesAreZeroBasedWithAMissingCode()
    {
        var codes = Sample().ToCategoryCodes();
        Assert.Equal(new byte[] { 0, 4, 2, 1, ResponseMatrix.MissingCode, 3, 4, 4, 4 }, codes);
    }

    [Fact]
    public void CreateRejectsAValueOffTheScaleNamingRowAndItem()
    {
        var e = Assert.Throws<ArgumentException>(() => ResponseMatrix.Create(new double[,] { { 1, 6 } }, ["a", "b"], ItemScale.Likert(5)));
        Assert.Contains("Row 1, item 'b': 6 is outside the 1–5 (5 points) scale", e.Message);
    }

    [Fact]
    public void SelectItemsAndColumnsKeepOrder()
    {
        var m = Sample().SelectItems(["c", "a"]);
        Assert.Equal(["c", "a"], m.Items.ToArray());
        Assert.Equal([3.0, 4.0, 5.0], m.Column(0));
        Assert.Equal([3, 2, 3], Sample().AnsweredCounts());
    }

    [Fact]
    public void ContinuousScaleHasNoCategoryCodes()
    {
        var m = ResponseMatrix.Create(new double[,] { { 9.5, 10 } }, ["a", "b"], ItemScale.Continuous(0, 10));
        Assert.Null(m.Scale.Points);
        Assert.Throws<InvalidOperationException>(() => m.ToCategoryCodes());
    }
}
