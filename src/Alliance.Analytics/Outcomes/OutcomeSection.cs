using Alliance.Analytics.Data;
using Alliance.Analytics.Reporting;

namespace Alliance.Analytics.Outcomes;

/// <summary>
/// The outcome section of the main job (<c>alliance analyze</c>): the instrument's total score as alliance and the first
/// numeric column that is neither an item nor <c>session</c> as outcome (lower is better), summarised per client,
/// with the between/within-therapist model when therapists are present. For other choices run <c>alliance outcome</c>.
/// </summary>
public sealed class OutcomeSection : IMainJobSection
{
    /// <inheritdoc/>
    public string Key => "outcome";

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Scores is { } s && s.Keys.Contains("total") && OutcomeColumn(context.Data) is not null;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var frame = ModelFrame.FromDataset(context.Data).WithNumeric("alliance_total", context.Scores!["total"].AsSpan());
        var options = new OutcomeOptions
        {
            Alliance = "alliance_total",
            Outcome = OutcomeColumn(context.Data)!,
            Bootstrap = new BootstrapOptions { Replicates = 1000, Seed = context.Options.Seed },
        };
        return OutcomeAnalysis.Analyze(frame, options, progress, cancellationToken);
    }

    private static string? OutcomeColumn(AllianceDataset data) =>
        data.Columns.OfType<NumericColumn>().FirstOrDefault(c => c.Name != "session" && !DataSpec.IdColumns.Contains(c.Name))?.Name;
}
