using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Reporting;

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

/// <summary>
/// The main job's format section (<c>alliance analyze</c>) for 7-point data: the explorer (rating scale model by CML on
/// complete rows) and the original scoring beside the best-ranked collapse (partial credit, all rows).
/// </summary>
public sealed class FormatsMainJobSection : IMainJobSection
{
    /// <summary>Fewest rows the section runs on (category diagnostics need persons in every category).</summary>
    public const int MinimumRows = 50;

    /// <inheritdoc/>
    public string Key => "formats";

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var items = context.Data.Items;
        return items.Scale.IsInteger && items.Scale.Points == 7 && items.ItemCount >= 2 && items.RowCount >= MinimumRows;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exploration = FormatAnalysis.Explore(context.Data, context.Usage, new FormatOptions(), progress, cancellationToken);
        var best = exploration.Best.Map;
        var comparison = FormatAnalysis.Compare(context.Data, context.Usage, best.IsIdentity ? [] : [best], new FormatOptions(), progress, cancellationToken);
        return new FormatReport { Exploration = exploration, Comparison = comparison };
    }
}
