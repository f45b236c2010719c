using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Formats;

/// <summary>
/// The main job's format report: every collapse explored, then the original scoring compared with the best-ranked
/// collapse side by side.
/// </summary>
public sealed record FormatReport : IAnalysisResult
{
    /// <summary>Every collapse, ranked.</summary>
    public required CollapseExploration Exploration { get; init; }

    /// <summary>The original scoring and the best-ranked collapse (only the original when it ranks best).</summary>
    public required FormatComparison Comparison { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Comparison.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => [.. Exploration.Warnings.Concat(Comparison.Warnings).Distinct()];

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var e = Exploration.Summary();
        var c = Comparison.Summary();
        return new ResultSummary("Response formats: category collapses", [.. e.Lines, .. c.Lines.Skip(1)],
            [e.Tables[0], .. c.Tables], [.. e.Notes, .. c.Notes], Warnings);
    }

    /// <summary><c>{"n", "data", "warnings", "explore": {…}, "compare": {…}}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        o["explore"] = Exploration.ToJson();
        o["compare"] = Comparison.ToJson();
        return o;
    }
}
