using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// What a simulation run did: the preset, seed and command that reproduce it, the files written, the truth file's
/// content, and a few headline figures with their true and realised values.
/// </summary>
public sealed record SimulationRun : IAnalysisResult
{
    /// <summary>The preset simulated.</summary>
    public required SimulationPreset Preset { get; init; }

    /// <summary>The seed.</summary>
    public required long Seed { get; init; }

    /// <summary>The command that reproduces the run (without the output directory).</summary>
    public required string Command { get; init; }

    /// <summary>Where the files were written.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Every file written, in order.</summary>
    public required ImmutableArray<SimulatedFile> Files { get; init; }

    /// <summary>The content of truth.json.</summary>
    public required string TruthJson { get; init; }

    /// <summary>Headline figures: true (population) and realised values.</summary>
    public required ImmutableArray<TruthFigure> Headline { get; init; }

    /// <summary>One line on what was simulated ("1,200 clients of 60 therapists, …").</summary>
    public required string Description { get; init; }

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The truth file parsed (a fresh copy on each call).</summary>
    public JsonObject Truth() => (JsonObject)JsonNode.Parse(TruthJson)!;

    /// <summary>Files written and the headline figures, as tables.</summary>
    public ResultSummary Summary()
    {
        var files = new ResultTable("Files written",
            [TableColumn.Label("file"), TableColumn.Integer("rows"), TableColumn.Label("holds")],
            [.. Files.Select(f => (IReadOnlyList<object?>)[f.Name, f.Rows == 0 ? null : f.Rows, f.Description.Length > 110 ? f.Description[..107] + "…" : f.Description])]);
        var figures = new ResultTable("True and realised figures",
            [TableColumn.Label("quantity"), new TableColumn("true", "G4"), new TableColumn("realised", "G4")],
            [.. Headline.Select(h => (IReadOnlyList<object?>)[h.Quantity, Cell(h.True), Cell(h.Realised)])]);
        return new ResultSummary($"Simulated {Preset.ToString().ToLowerInvariant()} (seed {Seed.ToString(CultureInfo.InvariantCulture)}) in {OutputDirectory}",
            [Description, "Reproduce with: " + Command + " --out DIR", "Every true parameter and realised figure: truth.json"],
            [files, figures], ["Synthetic data with a known truth, not real clients or studies."], Warnings);
    }

    /// <summary>A figure as a table cell: missing for NaN, whole numbers as integers (counts), others with 4 significant digits.</summary>
    private static object? Cell(double value) =>
        double.IsNaN(value) ? null : value == Math.Floor(value) && Math.Abs(value) < 1e15 ? (object)(long)value : value;

    /// <summary><c>{"n", "data", "warnings", "preset", "seed", "command", "out", "files": [{"name", "path", "rows"}], "headline": [...], "truth": {...}}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["preset"] = Preset.ToString().ToLowerInvariant();
        o["seed"] = Seed;
        o["command"] = Command;
        o["out"] = OutputDirectory;
        o["files"] = new JsonArray([.. Files.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["path"] = f.Path, ["rows"] = f.Rows, ["description"] = f.Description })]);
        o["headline"] = new JsonArray([.. Headline.Select(h => (JsonNode)new JsonObject
        {
            ["quantity"] = h.Quantity,
            ["true"] = JsonOutput.Number(h.True),
            ["realised"] = JsonOutput.Number(h.Realised),
        })]);
        o["truth"] = Truth();
        return o;
    }

    /// <summary>"clinic, seed 20261126: 1,200 clients of 60 therapists, … → out/clinic".</summary>
    public override string ToString() => $"{Preset.ToString().ToLowerInvariant()}, seed {Seed.ToString(CultureInfo.InvariantCulture)}: {Description} → {OutputDirectory}";
}
