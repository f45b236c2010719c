using Alliance.Analytics.Data;
using Alliance.Analytics.Formats;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Formats;

/// <summary>Collapse maps: the validity rule, the enumeration of all 2^(K−1) maps, and applying a map to responses.</summary>
public sealed class CategoryMapTests
{
    [Theory]
    [InlineData("1,2,2,2,3,4,5", 5, "2–4 merged")]
    [InlineData("1,2,3,4,5,6,7", 7, "original")]
    [InlineData("1,1,2,3,3,4,4", 4, "1–2 and 4–5 and 6–7 merged")]
    [InlineData(" 1, 2 ,2,3,4,5,6", 6, "2–3 merged")]
    public void ValidMapsParse(string text, int categories, string description)
    {
        var map = CategoryMap.Parse(text, 7);
        Assert.Equal(7, map.Points);
        Assert.Equal(categories, map.Categories);
        Assert.Equal(description, map.Describe());
        Assert.Equal(text.Replace(" ", ""), map.ToString());
    }

    [Theory]
    [InlineData("1,2,3", "has 3 entries; a 7-point scale needs 7")]
    [InlineData("2,2,3,4,5,6,7", "must start at 1")]
    [InlineData("1,3,3,3,4,5,6", "entry 2 is 3 after 1")]
    [InlineData("1,2,2,1,3,4,5", "entry 4 is 1 after 2")]
    [InlineData("1,1,1,1,1,1,1", "merges every category into one")]
    [InlineData("1,2,x,3,4,5,6", "entry 3 ('x') is not a whole number")]
    public void InvalidMapsAreRefusedWithTheReason(string text, string message)
    {
        var e = Assert.Throws<AllianceInputException>(() => CategoryMap.Parse(text, 7));
        Assert.Contains(message, e.Message);
    }

    /// <summary>2^(K−1) maps, all distinct and valid; the number with k categories is C(K − 1, k − 1) (choose which boundaries stay).</summary>
    [Fact]
    public void EveryCollapseOfSevenPointsIsEnumeratedOnce()
    {
        var all = CategoryMap.All(7, minimumCategories: 1);
        Assert.Equal(64, all.Length);
        Assert.True(all[0].IsIdentity);
        Assert.Equal(64, all.Select(m => m.ToString()).Distinct().Count());
        foreach (var m in all.Where(m => m.Categories >= 2)) Assert.Equal(m, CategoryMap.Parse(m.ToString(), 7));
        int[] binomial6 = [1, 6, 15, 20, 15, 6, 1];
        for (int k = 1; k <= 7; k++) Assert.Equal(binomial6[k - 1], all.Count(m => m.Categories == k));
        Assert.Equal(63, CategoryMap.All(7).Length);
    }

    [Fact]
    public void ApplyingAMapRecodesKeyedValuesAndKeepsMissing()
    {
        var items = ResponseMatrix.Create(new double[,] { { 1, 2, 3 }, { 4, double.NaN, 7 }, { 5, 6, 2 } }, ["a", "b", "c"], ItemScale.Likert(7));
        var collapsed = CategoryMap.Parse("1,2,2,2,3,4,5").Apply(items);
        Assert.Equal(ItemScale.Likert(5), collapsed.Scale);
        Assert.Equal(new double[] { 1, 2, 2, 2, double.NaN, 5, 3, 4, 2 }, collapsed.Values.ToArray());
        Assert.Throws<AllianceInputException>(() => CategoryMap.Parse("1,2,2,3,4").Apply(items));
    }
}
