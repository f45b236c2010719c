using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Reliability;

/// <summary>
/// Reliability of an instrument's scales: the total (all items) and each subscale, each a
/// <see cref="ScaleReliability"/>, plus ω hierarchical from a Schmid–Leiman solution with one group factor per
/// subscale when there are several. Without an instrument, one scale of all items. Made by
/// <see cref="ReliabilityAnalysis.Analyze(ResponseMatrix, Instrument?, ReliabilityOptions?, string?, DataUsage?, IProgress{AnalysisProgress}?, CancellationToken)"/>.
/// </summary>
public sealed record ReliabilityReport : IAnalysisResult
{
    /// <summary>The instrument whose keys and subscales were used, or null.</summary>
    public Instrument? Instrument { get; init; }

    /// <summary>The main scale: all items, or the one subscale asked for.</summary>
    public required ScaleReliability Total { get; init; }

    /// <summary>Each subscale, in the instrument's order (empty without subscales or with one subscale asked for).</summary>
    public required ImmutableArray<ScaleReliability> Subscales { get; init; }

    /// <summary>ω hierarchical with one group factor per subscale, when the instrument has at least two.</summary>
    public SchmidLeimanResult? Hierarchical { get; init; }

    /// <summary>Intraclass correlations of the total score across sessions, when asked for (<c>--icc</c>).</summary>
    public IntraclassCorrelationResult? Sessions { get; init; }

    /// <summary>Reliable change of the total score between two sessions, when asked for (<c>--change</c>).</summary>
    public ReliableChangeResult? Change { get; init; }

    /// <inheritdoc/>
    public DataUsage Usage => Total.Usage;

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings =>
        [.. Total.Warnings, .. Subscales.SelectMany(s => s.Warnings.Select(w => $"{s.Name}: {w}")), .. ReportWarnings,
         .. Sessions?.Warnings.Select(w => "ICC: " + w) ?? [], .. Change?.Warnings.Select(w => "reliable change: " + w) ?? []];

    /// <summary>Warnings about the report as a whole (the Schmid–Leiman fit).</summary>
    public IReadOnlyList<string> ReportWarnings { get; init; } = [];

    /// <summary>Every scale: the total, then the subscales.</summary>
    public IEnumerable<ScaleReliability> Scales => Subscales.Prepend(Total);

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        var tables = new List<ResultTable>();
        if (!Subscales.IsDefaultOrEmpty)
            tables.Add(new ResultTable("Scales",
                [TableColumn.Label("scale"), TableColumn.Integer("items"), TableColumn.Integer("n"), TableColumn.Number("alpha", 3), TableColumn.Label($"{(100 * Total.AlphaInterval.Level).ToString("0.##", CultureInfo.InvariantCulture)}% CI"),
                 TableColumn.Number("std alpha", 3), TableColumn.Number("omega", 3), TableColumn.Number("lambda6", 3), TableColumn.Number("avg r", 3),
                 TableColumn.Number("split max", 3), TableColumn.Number("SEM", 2)],
                [.. Scales.Select(s => (IReadOnlyList<object?>)[s.Name, s.Items.Length, s.Usage.RowsUsed, s.Alpha,
                    $"{s.AlphaInterval.Lower.ToString("F2", CultureInfo.InvariantCulture)}–{s.AlphaInterval.Upper.ToString("F2", CultureInfo.InvariantCulture)}",
                    s.AlphaStandardized, s.Omega.Total, s.Lambdas.Lambda6, s.AverageR, s.SplitHalf.Maximum, s.StandardErrorOfMeasurement])]));
        var total = Total.Summary();
        tables.AddRange(total.Tables);
        foreach (var s in Subscales)
            tables.Add(s.Summary().Tables[1] with { Title = $"{s.Name} items (alpha {s.Alpha.ToString("F3", CultureInfo.InvariantCulture)}, omega {s.Omega.Total.ToString("F3", CultureInfo.InvariantCulture)})" });
        var lines = new List<string>(total.Lines);
        if (Instrument is not null) lines.Insert(0, $"Instrument: {Instrument}");
        var notes = new List<string>(total.Notes);
        if (Hierarchical is { } h)
        {
            tables.Add(new ResultTable($"Schmid-Leiman: omega hierarchical {h.OmegaHierarchical.ToString("F3", CultureInfo.InvariantCulture)}, omega total {h.OmegaTotal.ToString("F3", CultureInfo.InvariantCulture)}, ECV {h.ExplainedCommonVariance.ToString("F3", CultureInfo.InvariantCulture)}",
                [TableColumn.Label("group factor"), TableColumn.Label("subscale"), TableColumn.Label("items"), TableColumn.Number("omega total", 3),
                 TableColumn.Number("omega general", 3), TableColumn.Number("omega group", 3)],
                [.. h.Groups.Select(g => (IReadOnlyList<object?>)[g.Name, g.Subscale ?? "", string.Join(", ", g.Items), g.OmegaTotal, g.OmegaGeneral, g.OmegaGroup])]));
            notes.Add($"Omega hierarchical: exploratory Schmid-Leiman with {h.Groups.Length} group factors ({(h.Method == FactorMethod.MinimumResidual ? "minres" : "ML")}, oblimin), as psych::omega(x, nfactors = {h.Groups.Length}); the group factors need not match the subscales.");
        }
        if (Sessions is not null)
        {
            var icc = Sessions.Summary();
            lines.AddRange(icc.Lines.Select(l => "ICC: " + l));
            tables.AddRange(icc.Tables.Select(t => t with { Title = $"Intraclass correlations across sessions ({Sessions.Targets.ToString(CultureInfo.InvariantCulture)} clients × {Sessions.Raters.Length} sessions)" }));
        }
        if (Change is not null)
        {
            var rc = Change.Summary();
            lines.AddRange(rc.Lines.Select(l => "Reliable change: " + l));
            tables.AddRange(rc.Tables.Select(t => t with { Title = $"Reliable change (Jacobson & Truax), {Change.Pairs.ToString(CultureInfo.InvariantCulture)} clients" }));
        }
        return new ResultSummary($"Reliability{(Instrument is null ? "" : ": " + Instrument.Id)}", lines, tables, notes, Warnings);
    }

    /// <summary>
    /// The main scale's keys at the top level (see <see cref="ScaleReliability.ToJson"/>), plus <c>instrument</c>,
    /// <c>subscales</c> (one object per subscale with the same keys), <c>omega_hierarchical</c>, and <c>icc</c> and
    /// <c>reliable_change</c> when asked for.
    /// </summary>
    public JsonObject ToJson()
    {
        var o = Total.ToJson();
        o["warnings"] = JsonOutput.Strings(Warnings);
        o["instrument"] = Instrument?.Id;
        if (!Subscales.IsDefaultOrEmpty)
            o["subscales"] = new JsonArray([.. Subscales.Select(s => (JsonNode?)s.ToJson())]);
        if (Hierarchical is { } h)
            o["omega_hierarchical"] = new JsonObject
            {
                ["omega_h"] = JsonOutput.Number(h.OmegaHierarchical),
                ["omega_total"] = JsonOutput.Number(h.OmegaTotal),
                ["omega_limit"] = JsonOutput.Number(h.OmegaLimit),
                ["ecv"] = JsonOutput.Number(h.ExplainedCommonVariance),
                ["method"] = h.Method == FactorMethod.MinimumResidual ? "minres" : "ml",
                ["converged"] = h.Convergence.Converged,
                ["general_loadings"] = JsonOutput.Numbers(h.GeneralLoadings),
                ["groups"] = new JsonArray([.. h.Groups.Select(g => (JsonNode?)new JsonObject
                {
                    ["factor"] = g.Name,
                    ["subscale"] = g.Subscale,
                    ["items"] = JsonOutput.Strings(g.Items),
                    ["omega_total"] = JsonOutput.Number(g.OmegaTotal),
                    ["omega_general"] = JsonOutput.Number(g.OmegaGeneral),
                    ["omega_group"] = JsonOutput.Number(g.OmegaGroup),
                })]),
            };
        if (Sessions is not null) o["icc"] = Sessions.ToJson();
        if (Change is not null) o["reliable_change"] = Change.ToJson();
        return o;
    }

    /// <summary>One line per scale.</summary>
    public override string ToString() => string.Join("; ", Scales.Select(s => s.ToString()));
}
