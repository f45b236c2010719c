using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// The exit codes of docs/cli.md ("Exit codes") on every verb: help is 0; a missing input file, an unreadable option
/// value and an unknown option are 2 with a message naming the file or option and the value, in our words (no .NET
/// type or parameter name); an analysis that cannot be carried out is 1. Cancellation (130/143) is proven by the
/// child-process tests of <see cref="OutputSafetyTests"/>; the bad-input corpus covers data errors per verb.
/// </summary>
public sealed class ExitCodeMatrixTests
{
    private const string Missing = "/nonexistent/alliance-no-such-file.csv";

    public static TheoryData<string> Verbs() =>
        ["analyze", "instruments", "validate", "score", "describe", "reliability", "irt", "formats", "outcome", "meta", "simulate"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public void HelpExitsZeroWithExamples(string verb)
    {
        var (exit, output, _) = CliRunner.Run(verb, "--help");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Examples:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("analyze")]
    [InlineData("validate")]
    [InlineData("score")]
    [InlineData("describe")]
    [InlineData("reliability")]
    [InlineData("irt")]
    [InlineData("formats")]
    [InlineData("outcome", "--alliance", "wai_sr_total", "--outcome", "phq9_post")]
    [InlineData("meta")]
    [InlineData("instruments", "--key")]
    public void AMissingInputFileExitsTwoNamingTheFile(string verb, params string[] before)
    {
        string[] args = verb == "instruments" ? [verb, .. before, Missing] : [verb, Missing, .. before];
        var (exit, output, err) = CliRunner.Run(args);
        Assert.True(exit == ExitCodes.BadInput, $"{string.Join(' ', args)} exited {exit}: {err}");
        Assert.Contains("alliance-no-such-file.csv", err, StringComparison.Ordinal);
        Assert.StartsWith("error:", err.TrimStart(), StringComparison.Ordinal);
        Assert.Equal("", output);
        AssertInOurWords(err);
    }

    [Theory]
    [InlineData("analyze", "--seed", "x")]
    [InlineData("validate", "--points", "x")]
    [InlineData("score", "--points", "1")]
    [InlineData("describe", "--min", "1.5")]
    [InlineData("reliability", "--level", "1.5")]
    [InlineData("reliability", "--bootstrap", "1000001")]
    [InlineData("irt", "--quadrature", "502")]
    [InlineData("formats", "--seed", "seven")]
    [InlineData("outcome", "--level", "0")]
    [InlineData("meta", "--permutations", "1000001")]
    [InlineData("simulate", "--set", "clients=-3")]
    [InlineData("instruments", "--format", "klingon")]
    public void AnUnusableOptionValueExitsTwoNamingTheOptionAndTheValue(string verb, string option, string value)
    {
        string data = verb switch
        {
            "meta" => Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "studies", "studies.csv"),
            _ => Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", "clinic", "clinic.csv"),
        };
        string[] args = verb switch
        {
            "instruments" => [verb, option, value],
            "simulate" => [verb, "--preset", "clinic", option, value, "--out", Path.Combine(Path.GetTempPath(), "alliance-never-written")],
            "outcome" => [verb, data, "--alliance", "wai_sr_total", "--outcome", "phq9_post", option, value],
            _ => [verb, data, option, value],
        };
        var (exit, output, err) = CliRunner.Run(args);
        Assert.True(exit == ExitCodes.BadInput, $"{string.Join(' ', args)} exited {exit}: {err}");
        string name = option == "--set" ? "clients" : option;
        Assert.Contains(name, err, StringComparison.Ordinal);
        Assert.Contains(value.TrimStart('-').Split('=')[^1], err, StringComparison.Ordinal);
        Assert.Equal("", output);
        AssertInOurWords(err);
    }

    [Fact]
    public void AnAnalysisThatCannotBeCarriedOutExitsOne()
    {
        // A study set in which no study may be published (negative true correlation, non-significant results never
        // published): the simulator gives up after its candidate limit, a failed analysis on valid settings.
        string dir = Path.Combine(Path.GetTempPath(), "alliance-exit1-" + Guid.NewGuid().ToString("N"));
        var (exit, _, err) = CliRunner.Run("simulate", "--preset", "studies", "--set", "studies=2", "--set", "rho=-0.9",
            "--set", "publish_nonsignificant=0.000001", "--out", dir);
        Assert.True(exit == ExitCodes.AnalysisFailed, $"exited {exit}: {err}");
        Assert.Contains("publication bias too strong", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
        AssertInOurWords(err);
    }

    private static void AssertInOurWords(string message)
    {
        foreach (string leak in new[] { "System.", "Exception", "Parameter '", "   at Alliance." })
            Assert.DoesNotContain(leak, message, StringComparison.Ordinal);
    }
}
