using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Scoring;

namespace Alliance.Analytics.Tests.Scoring;

/// <summary>Scoring against hand-computed cases: reverse keys, prorating at the 80% edge, mean rule, the SRS cut-off.</summary>
public sealed class InstrumentScoringTests
{
    private static readonly InstrumentRegistry Registry = InstrumentRegistry.BuiltIn;

    private static ResponseMatrix Row(ItemScale scale, params double[] values) =>
        ResponseMatrix.Create(values, [.. Enumerable.Range(1, values.Length).Select(i => "i" + i)], scale);

    [Fact]
    public void WaiSrSubscalesAndTotalAreSumsOfTheirItems()
    {
        // Items 1..12 answered 1,2,3,4,5,1,2,3,4,5,1,2: Task = i1+i2+i10+i12 = 1+2+5+2 = 10; Goal = i4+i6+i8+i11 = 4+1+3+1 = 9;
        // Bond = i3+i5+i7+i9 = 3+5+2+4 = 14; total = 33.
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(5), 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2), Registry.Get("WAI-SR"));
        Assert.Equal([10.0, 9.0, 14.0, 33.0], s.Values.Select(v => v[0]).ToArray());
    }

    [Fact]
    public void WaiReverseKeysScoreEightMinusX()
    {
        // All 36 items answered 7: 13 reverse-keyed items score 8 − 7 = 1, the other 23 score 7: total 13 + 161 = 174.
        // Task has reverse items 7, 11, 15, 31, 33 (5 of 12): 5·1 + 7·7 = 54.
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(7), [.. Enumerable.Repeat(7.0, 36)]), Registry.Get("WAI"));
        Assert.Equal(174.0, s["total"][0]);
        Assert.Equal(54.0, s["task"][0]);
        var plain = InstrumentScoring.Score(Row(ItemScale.Likert(7), [.. Enumerable.Repeat(7.0, 36)]), Registry.Get("WAI"), new ScoringOptions { ApplyReverseKeys = false });
        Assert.Equal(252.0, plain["total"][0]);
    }

    [Fact]
    public void ProratingComputesAScoreFromEightyPercentOfItemsAndNotBelow()
    {
        // WAI-SR Task (items 1, 2, 10, 12): with item 1 missing, 3 of 4 = 75% < 80%: missing.
        // Total (12 items): 11 answered = 92%: mean of answered × 12.
        double nan = double.NaN;
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(5), nan, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2), Registry.Get("WAI-SR"));
        Assert.True(double.IsNaN(s["task"][0]));
        Assert.Equal(32.0 / 11 * 12, s["total"][0], 12);
        Assert.Equal(9.0, s["goal"][0]);
    }

    [Fact]
    public void ExactlyEightyPercentIsEnough()
    {
        var five = new Instrument { Id = "FIVE", Name = "five items", ItemCount = 5, Scale = ItemScale.Likert(5) };
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(5), 1, 2, 3, 4, double.NaN), five);
        Assert.Equal(2.5 * 5, s["total"][0], 12);
        var three = InstrumentScoring.Score(Row(ItemScale.Likert(5), 1, 2, 3, double.NaN, double.NaN), five);
        Assert.True(double.IsNaN(three["total"][0]));
    }

    [Fact]
    public void MeanRuleGivesTheItemMeanAfterReverseKeying()
    {
        // ARM-5: item 3 reverse-keyed on 1–7: answers 7,6,2,5,4 → 7,6,6,5,4 → mean 5.6.
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(7), 7, 6, 2, 5, 4), Registry.Get("ARM-5"));
        Assert.Equal(5.6, s["total"][0], 12);
        Assert.Contains(s.Warnings, w => w.Contains("not scored: item membership"));
    }

    [Fact]
    public void SrsTotalAt36OrBelowIsFlagged()
    {
        var srs = Registry.Get("SRS");
        var m = ResponseMatrix.Create(new double[,] { { 9, 9, 9, 9 }, { 9, 9, 9, 9.1 }, { 8.5, 9, 9, 9.5 }, { 2, double.NaN, 3, 4 } },
            ["relationship", "goals", "approach", "overall"], ItemScale.Continuous(0, 10));
        var s = InstrumentScoring.Score(m, srs);
        var flags = s.Flags(srs.CutOffs.Single());
        Assert.Equal(new bool?[] { true, false, true, null }, flags);
        Assert.Equal(36.1, s["total"][1], 12);
        Assert.True(double.IsNaN(s["total"][3]));
        Assert.Equal(9.0, s["relationship"][0]);
    }

    [Fact]
    public void StructureOnlyInstrumentRefusesToScoreWithoutAKey()
    {
        var e = Assert.Throws<InstrumentKeyException>(() => InstrumentScoring.Score(Row(ItemScale.Likert(7), [.. Enumerable.Repeat(4.0, 12)]), Registry.Get("WAI-S")));
        Assert.Contains("InstrumentRegistry.WithKeyFile", e.Message);
    }

    [Fact]
    public void WrongNumberOfItemsIsRefused()
    {
        Assert.Throws<ArgumentException>(() => InstrumentScoring.Score(Row(ItemScale.Likert(5), 1, 2, 3), Registry.Get("WAI-SR")));
    }

    [Fact]
    public void JsonRowsUseLowerCaseScoreNamesAndNullForMissing()
    {
        var s = InstrumentScoring.Score(Row(ItemScale.Likert(5), double.NaN, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2), Registry.Get("WAI-SR"));
        var row = s.ToJson()["rows"]![0]!.AsObject();
        Assert.Null(row["task"]);
        Assert.Equal(9.0, row["goal"]!.GetValue<double>());
        Assert.True(row.ContainsKey("bond") && row.ContainsKey("total"));
    }
}
