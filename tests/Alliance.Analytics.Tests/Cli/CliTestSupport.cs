using System.Text.Json.Nodes;
using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Small data files for the CLI parse tests, cut from the committed synthetic sets (data/synthetic) into a temporary
/// directory with their sidecars, so every verb runs on real-looking data in well under a second.
/// </summary>
public sealed class CliFiles : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>The temporary directory.</summary>
    public string Dir => _dir.Path;

    /// <summary>Writes a file into the directory and returns its path.</summary>
    public string File(string name, string content) => _dir.File(name, content);

    /// <summary>
    /// Clinic sessions 1–4 of the clients of therapists t01–t08 (about 690 rows, 190 clients): WAI-SR items
    /// wai1…wai12, symptoms, baseline; enough for the therapist model. The sidecar names the instrument and items.
    /// </summary>
    public string Clinic(string name = "clinic.csv") => Cut("clinic", "clinic.csv", name,
        f => string.CompareOrdinal(f[1], "t08") <= 0 && int.Parse(f[2], CultureInfo.InvariantCulture) <= 4);

    /// <summary>The first <paramref name="studies"/> rows of the synthetic study table (r, n, moderators, study, es_id).</summary>
    public string Studies(int studies = 40, string name = "studies.csv") => Cut("studies", "studies.csv", name, _ => true, studies);

    /// <summary>The first <paramref name="rows"/> rows of the 7-point (or 5-point) 36-item WAI of the formats set, with its sidecar.</summary>
    public string Formats(bool sevenPoint, int rows = 80) =>
        sevenPoint ? Cut("formats", "wai36_7point.csv", "wai7.csv", _ => true, rows) : Cut("formats", "wai_revised_5point.csv", "wai5.csv", _ => true, rows);

    private string Cut(string set, string file, string name, Func<string[], bool> keep, int take = int.MaxValue)
    {
        string source = Path.Combine(Fixtures.RepositoryRoot(), "data", "synthetic", set, file);
        var lines = System.IO.File.ReadLines(source).ToArray();
        var kept = lines.Skip(1).Where(l => keep(l.Split(','))).Take(take).Prepend(lines[0]);
        string path = File(name, string.Join('\n', kept) + "\n");
        if (System.IO.File.Exists(source + ".alliance.json")) System.IO.File.Copy(source + ".alliance.json", path + ".alliance.json", overwrite: true);
        return path;
    }

    /// <inheritdoc/>
    public void Dispose() => _dir.Dispose();
}

/// <summary>Runs the real <see cref="AllianceCli.Run"/> and checks its exit code.</summary>
public static class CliRun
{
    /// <summary>Runs the verb with <c>--format json</c>, asserts exit 0 and returns the document.</summary>
    public static JsonObject Json(params string[] args)
    {
        var (exit, output, err) = CliRunner.Run([.. args, "--format", "json"]);
        Assert.True(exit == ExitCodes.Ok, $"exit {exit}: {err}");
        return JsonNode.Parse(output)!.AsObject();
    }

    /// <summary>Runs the verb, asserts exit 2 (bad input or usage) and returns stderr.</summary>
    public static string BadInput(params string[] args)
    {
        var (exit, output, err) = CliRunner.Run(args);
        Assert.True(exit == ExitCodes.BadInput, $"exit {exit}, expected {ExitCodes.BadInput}: {err}{output}");
        Assert.Contains(err.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal)); // notes may come first
        return err;
    }

    /// <summary>A number in a JSON document.</summary>
    public static double Num(JsonNode? node) => node!.GetValue<double>();

    /// <summary>An interval <c>[lower, upper]</c> in a JSON document.</summary>
    public static (double, double) Interval(JsonNode? node) => (Num(node![0]), Num(node[1]));

    /// <summary>The strings of a JSON array.</summary>
    public static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(x => x!.GetValue<string>())];
}
