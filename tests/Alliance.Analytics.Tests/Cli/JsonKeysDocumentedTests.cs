using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alliance.Analytics.Cli;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>
/// Every verb's JSON against the key lists of docs/cli.md ("JSON keys of every verb"): each top-level key emitted is
/// documented, each documented key without <c>?</c> is emitted, documented nested keys are present in their object,
/// and <c>schema_version</c> opens every document. Runs on the first rows of the bundled synthetic data.
/// </summary>
public sealed partial class JsonKeysDocumentedTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _clinic, _plain, _seven, _five, _studies;
    private const string Items = "wai1,wai2,wai3,wai4,wai5,wai6,wai7,wai8,wai9,wai10,wai11,wai12";

    public JsonKeysDocumentedTests()
    {
        string root = Fixtures.RepositoryRoot();
        _clinic = Head(Path.Combine(root, "data", "synthetic", "clinic", "clinic.csv"), "clinic.csv", 300, sidecar: true);
        _seven = Head(Path.Combine(root, "data", "synthetic", "formats", "wai36_7point.csv"), "wai7.csv", 300, sidecar: true);
        _five = Head(Path.Combine(root, "data", "synthetic", "formats", "wai_revised_5point.csv"), "wai5.csv", 300, sidecar: true);
        _studies = Head(Path.Combine(root, "data", "synthetic", "studies", "studies.csv"), "studies.csv", 40, sidecar: false);
        // The clinic's id and item columns only, without a sidecar: no instrument, a plain 5-point scale.
        _plain = _dir.File("plain.csv", string.Join('\n', File.ReadLines(_clinic).Select(l => string.Join(',', l.Split(',').Take(16)))) + "\n");
    }

    public void Dispose() => _dir.Dispose();

    private string Head(string source, string name, int rows, bool sidecar)
    {
        string path = _dir.File(name, string.Join('\n', File.ReadLines(source).Take(rows + 1)) + "\n");
        if (sidecar) File.Copy(source + ".alliance.json", path + ".alliance.json");
        return path;
    }

    /// <summary>The invocations behind each documented key list (the heading under "JSON keys of every verb").</summary>
    private Dictionary<string, string[][]> Runs() => new()
    {
        ["analyze"] = [["analyze", _clinic]],
        ["instruments"] = [["instruments"]],
        ["instruments ID"] = [["instruments", "WAI-SR"]],
        ["validate"] = [["validate", _clinic], ["validate", _plain, "--points", "5", "--items", Items]],
        ["score"] = [["score", _clinic]],
        ["describe"] = [["describe", _clinic], ["describe", _plain, "--points", "5", "--items", Items]],
        ["reliability"] = [["reliability", _clinic], ["reliability", _plain, "--points", "5", "--items", Items],
                           ["reliability", _clinic, "--icc", "--change", "1,2", "--ordinal", "--bootstrap", "100"]],
        ["irt"] = [["irt", _clinic, "--no-se"], ["irt", _clinic, "--andersen", "median"], ["irt", _clinic, "--model", "grm", "--no-se"]],
        ["formats"] = [["formats", _seven, "--collapse", "1,2,2,2,3,4,5", "--outcome", "post", "--change-sessions", "3,8"]],
        ["formats --explore"] = [["formats", _seven, "--explore"]],
        ["formats --short-form"] = [["formats", _seven, "--short-form", "Bond=4,Task+Goal=4"]],
        ["formats --link"] = [["formats", _seven, "--link", _five, "--bootstrap", "20"]],
        ["outcome"] = [["outcome", _clinic, "--alliance", "total", "--outcome", "symptoms", "--bootstrap", "0"],
                       ["outcome", _clinic, "--alliance", "total", "--outcome", "symptoms", "--baseline", "baseline", "--bootstrap", "100", "--lagged"]],
        ["meta"] = [["meta", _studies], ["meta", _studies, "--bias", "--influence"], ["meta", _studies, "--mods", "rater", "--permutations", "20"],
                     ["meta", _studies, "--subgroup", "rater", "--test", "knha"], ["meta", _studies, "--subgroup", "design", "--subgroup-tau2", "separate"]],
        ["meta --cluster"] = [["meta", _studies, "--cluster", "study"], ["meta", _studies, "--cluster", "study", "--robust", "--bias"],
                               ["meta", _studies, "--cluster", "study", "--mods", "rater", "--test", "knha", "--dfs", "contain", "--robust"]],
        ["simulate"] = [["simulate", "--preset", "studies", "--set", "studies=20", "--out", Path.Combine(_dir.Path, "simulated")]],
    };

    /// <summary>One documented key path: its segments and whether it is marked optional.</summary>
    private sealed record DocumentedKey(string Path, bool Optional)
    {
        public string[] Segments => Path.Split('.');
    }

    [GeneratedRegex(@"^### `(?<label>[^`]+)`\s*$")]
    private static partial Regex Heading();

    /// <summary>Parses the key lists of docs/cli.md: a "### `label`" heading, then a fenced block with info string "keys".</summary>
    private static Dictionary<string, List<DocumentedKey>> DocumentedKeys()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.RepositoryRoot(), "docs", "cli.md"));
        var lists = new Dictionary<string, List<DocumentedKey>>();
        string? label = null;
        for (int i = 0; i < lines.Length; i++)
        {
            if (Heading().Match(lines[i]) is { Success: true } m) label = m.Groups["label"].Value;
            else if (lines[i].Trim() == "```keys" && label is not null)
            {
                var keys = new List<DocumentedKey>();
                for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                {
                    string entry = lines[i].Split('#')[0].Trim();
                    if (entry.Length == 0) continue;
                    keys.Add(entry.EndsWith('?') ? new(entry[..^1], true) : new(entry, false));
                }
                Assert.False(lists.ContainsKey(label), $"docs/cli.md lists the keys of '{label}' twice");
                lists[label] = keys;
                label = null;
            }
        }
        return lists;
    }

    [Fact]
    public void EveryVerbHasAKeyList()
    {
        var documented = DocumentedKeys();
        var runs = Runs();
        Assert.Equal(runs.Keys.Order(), documented.Keys.Order());
        var verbs = AllianceCli.Verbs.Select(v => v(new CliContext(TextWriter.Null, TextWriter.Null, false, default)).Name).ToHashSet();
        Assert.Equal(verbs.Order(), runs.Values.Select(r => r[0][0]).Distinct().Order());
    }

    [Fact]
    public void EveryVerbsJsonCarriesTheSchemaVersionAndItsDocumentedKeys()
    {
        var documented = DocumentedKeys();
        var problems = new List<string>();
        foreach (var (label, invocations) in Runs())
        {
            var keys = documented[label];
            var topLevel = keys.Where(k => k.Segments.Length == 1).ToDictionary(k => k.Path, k => k.Optional);
            var seen = new HashSet<string>();
            foreach (var args in invocations)
            {
                var (exit, output, err) = CliRunner.Run([.. args, "--format", "json"]);
                string run = string.Join(' ', args.Select(a => a.StartsWith(_dir.Path, StringComparison.Ordinal) ? Path.GetFileName(a) : a));
                Assert.True(exit == ExitCodes.Ok, $"{run}: exit {exit}: {err}");
                var doc = JsonNode.Parse(output)!.AsObject();
                Assert.Equal(JsonOutput.SchemaVersion, doc["schema_version"]?.GetValue<string>());
                Assert.Equal("schema_version", doc.First().Key);
                foreach (var (key, _) in doc)
                {
                    seen.Add(key);
                    if (!topLevel.ContainsKey(key)) problems.Add($"{run}: top-level key '{key}' is not in docs/cli.md under `{label}`");
                }
                foreach (var (key, optional) in topLevel)
                    if (!optional && !doc.ContainsKey(key)) problems.Add($"{run}: documented key '{key}' (`{label}`) is missing");
                foreach (var nested in keys.Where(k => k.Segments.Length > 1 && !k.Optional))
                {
                    // a.b must be in the object under a, when a is there and is an object.
                    JsonNode? parent = doc;
                    foreach (string segment in nested.Segments[..^1]) parent = parent is JsonObject o ? o[segment] : null;
                    if (parent is JsonObject p && !p.ContainsKey(nested.Segments[^1]))
                        problems.Add($"{run}: documented key '{nested.Path}' (`{label}`) is missing");
                }
            }
            foreach (var (key, optional) in topLevel)
                if (optional && !seen.Contains(key) && !NotExercised.Contains((label, key)))
                    problems.Add($"`{label}`: optional key '{key}' appeared in none of the test's runs (add a run that brings it, or drop it from docs/cli.md)");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>Documented optional keys no fast run here produces.</summary>
    private static readonly HashSet<(string, string)> NotExercised = [];
}
