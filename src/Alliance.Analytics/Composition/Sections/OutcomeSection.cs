using Alliance.Analytics.Data;
using Alliance.Analytics.Outcomes;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The outcome section of the main job (<c>alliance analyze</c>): the instrument's total score as alliance and the first
/// numeric column that is neither an item nor <c>session</c> as outcome (lower is better), summarised per client,
/// with the between/within-therapist model when therapists are present. It applies when at least
/// <see cref="MinimumClients"/> clients have an outcome. For other choices run <c>alliance outcome</c>.
/// </summary>
public sealed class OutcomeSection : IMainJobSection
{
    /// <inheritdoc/>
    public string Key => "outcome";

    /// <inheritdoc/>
    public int Order => 50;

    /// <summary>Clients with an outcome needed for the section to apply.</summary>
    public const int MinimumClients = 10;

    /// <inheritdoc/>
    public bool AppliesTo(MainJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Scores is not { } s || !s.Keys.Contains("total") || OutcomeColumn(context.Data) is not { } outcome) return false;
        var values = context.Data.Numeric(outcome);
        var clients = context.Data.ClientId;
        var seen = new HashSet<int>();
        for (int r = 0; r < values.Length; r++)
            if (!double.IsNaN(values[r])) seen.Add(clients is null ? r : clients.Codes[r]);
        seen.Remove(-1);
        return seen.Count >= MinimumClients;
    }

    /// <inheritdoc/>
    public IAnalysisResult Run(MainJobContext context, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var frame = ModelFrame.From(context.Data).WithNumeric("alliance_total", context.Scores!["total"].AsSpan());
        var options = new OutcomeOptions
        {
            Alliance = "alliance_total",
            Outcome = OutcomeColumn(context.Data)!,
            Bootstrap = new BootstrapOptions { Replicates = 1000, Seed = context.Options.Seed },
        };
        return OutcomeAnalysis.Analyze(frame, options, context.Usage, progress, cancellationToken);
    }

    private static string? OutcomeColumn(AnalysisData data) =>
        data.Dataset.Columns.OfType<NumericColumn>().FirstOrDefault(c => c.Name != "session" && !DataSpec.IdColumns.Contains(c.Name))?.Name;
}
