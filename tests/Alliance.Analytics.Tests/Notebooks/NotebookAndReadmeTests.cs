using System.Text.Json.Nodes;

namespace Alliance.Analytics.Tests.Notebooks;

/// <summary>
/// The promises at the top of the repository: README's two commands, .ci/run calling the same test command, and every
/// committed notebook executed with outputs and without an error output.
/// </summary>
public sealed class NotebookAndReadmeTests
{
    private static readonly string Root = Fixtures.RepositoryRoot();

    [Fact]
    public void ReadmeStartsWithTheMainJobAndTheTestCommand()
    {
        var first = File.ReadLines(Path.Combine(Root, "README.md")).Take(12).ToArray();
        Assert.Contains(first, l => l.StartsWith("dotnet run", StringComparison.Ordinal) && l.Contains(" analyze data/synthetic/", StringComparison.Ordinal));
        Assert.Contains(first, l => l.StartsWith("dotnet test", StringComparison.Ordinal));
    }

    [Fact]
    public void CiRunsTheReadmeTestCommandAndEndsWithACountLine()
    {
        string test = File.ReadLines(Path.Combine(Root, "README.md")).First(l => l.StartsWith("dotnet test", StringComparison.Ordinal));
        string ci = File.ReadAllText(Path.Combine(Root, ".ci", "run"));
        Assert.Contains("\n" + test + "\n", ci);
        Assert.Contains("echo \"$passed passed, $failed failed\"", ci);
    }

    [Fact]
    public void MainJobDataIsCommitted()
    {
        string main = File.ReadLines(Path.Combine(Root, "README.md")).First(l => l.Contains(" analyze ", StringComparison.Ordinal));
        string file = main[(main.IndexOf(" analyze ", StringComparison.Ordinal) + 9)..].Trim().Split(' ')[0];
        Assert.True(File.Exists(Path.Combine(Root, file)), $"README's main job reads {file}, which is not in the repository");
    }

    public static TheoryData<string> NotebookFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(NotebookFiles))]
    public void CommittedNotebookIsExecutedWithoutErrors(string name)
    {
        var nb = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "notebooks", name)))!;
        var code = nb["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").ToArray();
        Assert.NotEmpty(code);
        var outputs = code.SelectMany(c => c!["outputs"]?.AsArray() ?? []).ToArray();
        Assert.True(outputs.Length > 0, $"{name} is committed without outputs: execute it (see .ci/run)");
        var errors = outputs.Where(o => o!["output_type"]?.GetValue<string>() == "error").ToArray();
        Assert.True(errors.Length == 0, $"{name} has error outputs: {string.Join("; ", errors.Select(e => e!["evalue"]?.ToString()))}");
    }
}
