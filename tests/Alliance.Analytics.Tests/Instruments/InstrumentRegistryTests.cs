using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Instruments;

/// <summary>
/// The shipped registry against the facts in shared/domain/alliance-measures.md (Horvath &amp; Greenberg 1989;
/// Hatcher &amp; Gillaspy 2006; Duncan et al. 2003; Shirk &amp; Saiz 1992; Luborsky et al. 1996), the key-file
/// round trip, and a user key replacing a shipped entry.
/// </summary>
public sealed class InstrumentRegistryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ShipsTheInstrumentsTheProjectPromised()
    {
        var ids = InstrumentRegistry.BuiltIn.All.Select(i => i.Id).ToHashSet();
        foreach (var id in new[] { "WAI", "WAI-S", "BR-WAI", "WAI-SR", "SRS", "TASC", "ARM-5", "HAq-II" })
            Assert.Contains(id, ids);
    }

    [Fact]
    public void WaiHas36ItemsOnSevenPointsWithThePublishedKey()
    {
        var wai = InstrumentRegistry.BuiltIn.Get("wai");
        Assert.Equal(36, wai.ItemCount);
        Assert.Equal(ItemScale.Likert(7), wai.Scale);
        Assert.Equal("Never", wai.Anchors[1]);
        Assert.Equal("Always", wai.Anchors[7]);
        Assert.Equal([2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35], wai.Subscales.Single(s => s.Name == "Task").Items.ToArray());
        Assert.Equal([1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36], wai.Subscales.Single(s => s.Name == "Bond").Items.ToArray());
        Assert.Equal([3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34], wai.Subscales.Single(s => s.Name == "Goal").Items.ToArray());
        Assert.Equal([1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33], wai.ReverseKeyed.ToArray());
        Assert.Equal(InstrumentStatus.Check, wai.Status);
        Assert.Equal((36.0, 252.0), wai.ScoreRange(36));
        var all = wai.Subscales.SelectMany(s => s.Items).Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 36), all);
    }

    [Fact]
    public void WaiSrHasTwelveItemsOnFivePointsAndNoReverseKeys()
    {
        var sr = InstrumentRegistry.BuiltIn.Get("WAI-SR");
        Assert.Equal((12, ItemScale.Likert(5)), (sr.ItemCount, sr.Scale));
        Assert.Equal([1, 2, 10, 12], sr.Subscales[0].Items.ToArray());
        Assert.Equal([4, 6, 8, 11], sr.Subscales[1].Items.ToArray());
        Assert.Equal([3, 5, 7, 9], sr.Subscales[2].Items.ToArray());
        Assert.Empty(sr.ReverseKeyed);
        Assert.Equal(["task", "goal", "bond", "total"], sr.Scores().Select(s => s.Key).ToArray());
        Assert.Equal((12.0, 60.0), sr.ScoreRange(12));
        Assert.Equal(InstrumentStatus.Confirmed, sr.Status);
    }

    [Fact]
    public void SrsIsAContinuousZeroToTenScaleWithThe36CutOff()
    {
        var srs = InstrumentRegistry.BuiltIn.Get("SRS");
        Assert.Equal(ItemScale.Continuous(0, 10), srs.Scale);
        var cut = srs.CutOffs.Single();
        Assert.Equal(("total", CutOffDirection.AtOrBelow, 36.0), (cut.Score, cut.Direction, cut.Value));
        Assert.Equal((0.0, 40.0), srs.ScoreRange(4));
    }

    [Fact]
    public void StructureOnlyEntriesRequireAUserKey()
    {
        Assert.True(InstrumentRegistry.BuiltIn.Get("WAI-S").RequiresUserKey);
        Assert.True(InstrumentRegistry.BuiltIn.Get("BR-WAI").RequiresUserKey);
        Assert.Equal(16, InstrumentRegistry.BuiltIn.Get("BR-WAI").ItemCount);
        Assert.Equal([2, 5, 7, 8, 11], InstrumentRegistry.BuiltIn.Get("TASC").ReverseKeyed.ToArray());
        Assert.Equal(ScoreRule.Mean, InstrumentRegistry.BuiltIn.Get("ARM-5").ScoreRule);
        Assert.Equal([4, 8, 11, 16, 19], InstrumentRegistry.BuiltIn.Get("HAq-II").ReverseKeyed.ToArray());
    }

    [Fact]
    public void EveryShippedEntryRoundTripsThroughTheKeyFileSchema()
    {
        foreach (var instrument in InstrumentRegistry.BuiltIn.All)
        {
            var back = InstrumentRegistry.Parse(InstrumentRegistry.ToJson(instrument), "round trip").Single() with { Source = instrument.Source };
            Assert.Equal(InstrumentRegistry.ToJson(instrument), InstrumentRegistry.ToJson(back));
            Assert.Equal(instrument.Subscales.Select(s => (s.Name, string.Join(",", s.Items.IsDefault ? [] : s.Items))),
                         back.Subscales.Select(s => (s.Name, string.Join(",", s.Items.IsDefault ? [] : s.Items))));
            Assert.Equal(instrument.Scale, back.Scale);
        }
    }

    [Fact]
    public void UserKeyOverridesAShippedEntryAndLeavesTheRestAlone()
    {
        string key = _dir.File("my-wai-s.json", """
            { "id": "WAI-S", "name": "WAI short form (our key)", "items": 12, "points": 7,
              "subscales": [ { "name": "Task", "items": [1, 2, 3, 4] }, { "name": "Bond", "items": [5, 6, 7, 8] }, { "name": "Goal", "items": [9, 10, 11, 12] } ],
              "reverse": [4], "status": "confirmed" }
            """);
        var registry = InstrumentRegistry.BuiltIn.WithKeyFile(key);
        var mine = registry.Get("WAI-S");
        Assert.False(mine.RequiresUserKey);
        Assert.Equal([4], mine.ReverseKeyed.ToArray());
        Assert.Equal(key, mine.Source);
        Assert.True(InstrumentRegistry.BuiltIn.Get("WAI-S").RequiresUserKey);
        Assert.Same(InstrumentRegistry.BuiltIn.Get("WAI-SR"), registry.Get("WAI-SR"));
    }

    [Theory]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "reverse": [4] }""", "reverse: item 4 is outside 1–3")]
    [InlineData("""{ "id": "X", "items": 3 }""", "has no 'points' field")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "score_rule": "median" }""", "'score_rule' must be \"sum\" or \"mean\"")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "colour": 1 }""", "unknown field 'colour'")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "cutoffs": [ { "score": "bond", "at_or_below": 3, "flag": "f" } ] }""", "names score 'bond'")]
    [InlineData("""{ "id": "X", "items": 3, "points": 5, "subscales": [ { "name": "A", "items": [1, 1] } ] }""", "item 1 is listed twice")]
    [InlineData("""{ "id": "X", "items": "three" }""", "'items' must be a whole number")]
    public void BadKeyFilesGiveMessagesNamingTheFileAndField(string json, string expected)
    {
        string key = _dir.File("bad.json", json);
        var e = Assert.Throws<InstrumentKeyException>(() => InstrumentRegistry.BuiltIn.WithKeyFile(key));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownInstrumentListsTheKnownOnes()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => InstrumentRegistry.BuiltIn.Get("WAI-X"));
        Assert.Contains("WAI-SR", e.Message);
    }

    [Fact]
    public void NoItemWordingIsShipped()
    {
        // Only numbers, keys and anchors: no field of an entry may hold item text.
        foreach (var i in InstrumentRegistry.BuiltIn.All)
            Assert.DoesNotContain("\"text\"", InstrumentRegistry.ToJson(i));
    }
}
