using System.Text.Json.Nodes;
using Alliance.Analytics.Tests.Simulation;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>
/// Issue 13's report, as a new user would meet it: `alliance irt` on the committed 36-item 7-point WAI ignored the
/// instrument's 13 reverse keys (person separation 0.71 and a warning that the measure "cannot tell high from low
/// alliance"; the graded model gave 13 negative slopes). The prepared-data stage now keys the items for every verb.
/// </summary>
public sealed class IrtKeyingCliTests
{
    private static readonly string Seven = Repository.Synthetic("formats", "wai36_7point.csv");

    [Fact]
    public void RatingScaleModelOnTheSevenPointWaiUsesItsReverseKeys()
    {
        var (exit, output, error) = CliRunner.Run("irt", Seven, "--model", "rsm", "--format", "json");
        Assert.Equal(0, exit);
        var doc = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(13, doc["reversed"]!.AsArray().Count);
        // The keyed simulation separates persons well (3.81 on this file when its reverse-keyed items are recoded first).
        Assert.True(doc["person_separation"]!.GetValue<double>() > 3, $"separation {doc["person_separation"]}");
        Assert.Contains("reversed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GradedModelOnTheSevenPointWaiHasNoNegativeSlope()
    {
        var (exit, output, _) = CliRunner.Run("irt", Seven, "--model", "grm", "--no-se", "--format", "json");
        Assert.Equal(0, exit);
        var slopes = JsonNode.Parse(output)!["items"]!.AsArray().Select(i => i!["a"]!.GetValue<double>()).ToArray();
        Assert.Equal(36, slopes.Length);
        Assert.All(slopes, a => Assert.True(a > 0, $"slope {a}"));
    }

    [Fact]
    public void NoReverseTurnsTheKeysOffAndTheAnswersShowIt()
    {
        var (exit, output, _) = CliRunner.Run("irt", Seven, "--model", "grm", "--no-se", "--no-reverse", "--format", "json");
        Assert.Equal(0, exit);
        var doc = JsonNode.Parse(output)!;
        Assert.Empty(doc["reversed"]!.AsArray());
        // As answered, the 13 reverse-keyed items run against the other 23.
        Assert.Equal(13, doc["items"]!.AsArray().Count(i => i!["a"]!.GetValue<double>() < 0));
    }
}
