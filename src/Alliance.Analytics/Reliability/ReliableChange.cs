using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;
using MathNet.Numerics.Distributions;

namespace Alliance.Analytics.Reliability;

/// <summary>Options for <see cref="ReliabilityAnalysis.ReliableChange(IReadOnlyList{double}, IReadOnlyList{double}, ReliableChangeOptions, IReadOnlyList{string}?)"/>.</summary>
public sealed record ReliableChangeOptions
{
    /// <summary>
    /// The score's reliability r_xx (α of the scale, or a published test–retest reliability); Jacobson &amp; Truax
    /// recommend a reliability from a normative or pre-treatment sample. Null: for a data set, raw α of the total at
    /// the first session; for two lists of scores it must be given.
    /// </summary>
    public double? Reliability { get; init; }

    /// <summary>The SD behind the standard error of measurement; by default the SD of the first scores (pre-treatment, as Jacobson &amp; Truax).</summary>
    public double? StandardDeviation { get; init; }

    /// <summary>Two-sided confidence level of "reliable" change (0.95: |RCI| &gt; 1.96).</summary>
    public double Level { get; init; } = Defaults.Level;

    /// <summary>True when a higher score is better (alliance scales); a rise is then an improvement.</summary>
    public bool HigherIsBetter { get; init; } = true;
}

/// <summary>
/// The Jacobson–Truax (1991) reliable change index for pairs of scores (e.g. the same clients at two sessions):
/// SEM = SD √(1 − r_xx), S_diff = √2 · SEM, RCI = (x₂ − x₁) / S_diff; a change is reliable when |RCI| exceeds the
/// normal critical value (1.96 at 95%), and is an improvement or a deterioration by its sign. Made by
/// <see cref="ReliabilityAnalysis.ReliableChange(IReadOnlyList{double}, IReadOnlyList{double}, ReliableChangeOptions, IReadOnlyList{string}?)"/>.
/// </summary>
public sealed record ReliableChangeResult : IAnalysisResult
{
    /// <summary>The reliability used.</summary>
    public required double Reliability { get; init; }

    /// <summary>Where the reliability and the scores came from, in words; empty when given directly.</summary>
    public string Source { get; init; } = "";

    /// <summary>The SD used.</summary>
    public required double StandardDeviation { get; init; }

    /// <summary>Standard error of measurement, SD √(1 − r_xx).</summary>
    public double StandardErrorOfMeasurement => StandardDeviation * Math.Sqrt(1 - Reliability);

    /// <summary>Standard error of a difference of two scores, √2 · SEM.</summary>
    public double StandardErrorOfDifference => Math.Sqrt(2) * StandardErrorOfMeasurement;

    /// <summary>The normal critical value (1.96 at 95%).</summary>
    public required double Critical { get; init; }

    /// <summary>The smallest change that is reliable, in score units: critical × S_diff.</summary>
    public double CriticalDifference => Critical * StandardErrorOfDifference;

    /// <summary>Options the result was made with.</summary>
    public required ReliableChangeOptions Options { get; init; }

    /// <summary>Per pair, the RCI (NaN when either score is missing).</summary>
    public required ImmutableArray<double> Indexes { get; init; }

    /// <summary>Identifiers of the pairs (clients), when given.</summary>
    public ImmutableArray<string> Ids { get; init; } = [];

    /// <summary>Pairs that reliably improved.</summary>
    public int Improved => Indexes.Count(r => Options.HigherIsBetter ? r > Critical : r < -Critical);

    /// <summary>Pairs that reliably deteriorated.</summary>
    public int Deteriorated => Indexes.Count(r => Options.HigherIsBetter ? r < -Critical : r > Critical);

    /// <summary>Pairs with both scores present.</summary>
    public int Pairs => Indexes.Count(r => !double.IsNaN(r));

    /// <summary>Pairs without reliable change.</summary>
    public int Unchanged => Pairs - Improved - Deteriorated;

    /// <inheritdoc/>
    public required DataUsage Usage { get; init; }

    /// <inheritdoc/>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <inheritdoc/>
    public ResultSummary Summary()
    {
        double n = Pairs;
        return new ResultSummary("Reliable change (Jacobson & Truax 1991)",
            [Usage.ToString(),
             $"r_xx = {F(Reliability)}, SD = {F(StandardDeviation)}: SEM = {F(StandardErrorOfMeasurement)}, S_diff = {F(StandardErrorOfDifference)}; " +
             $"a change of more than {F(CriticalDifference)} points (|RCI| > {F(Critical)}) is reliable",
             .. Source.Length > 0 ? new[] { Source } : []],
            [new ResultTable("Clients", [TableColumn.Label("change"), TableColumn.Integer("n"), TableColumn.Percent("share")],
            [
                ["reliably improved", Improved, n == 0 ? double.NaN : Improved / n],
                ["no reliable change", Unchanged, n == 0 ? double.NaN : Unchanged / n],
                ["reliably deteriorated", Deteriorated, n == 0 ? double.NaN : Deteriorated / n],
            ])],
            [Options.HigherIsBetter ? "Higher scores are better: a rise is an improvement." : "Lower scores are better: a fall is an improvement."],
            Warnings);

        static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
    }

    /// <summary><c>{"pairs", "reliability", "sd", "sem", "sdiff", "critical", "critical_difference", "improved", "unchanged", "deteriorated", "proportions": {…}, "rci": […]}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = JsonOutput.Document(this);
        double n = Pairs;
        o["pairs"] = Pairs;
        o["source"] = Source;
        o["reliability"] = JsonOutput.Number(Reliability);
        o["sd"] = JsonOutput.Number(StandardDeviation);
        o["sem"] = JsonOutput.Number(StandardErrorOfMeasurement);
        o["sdiff"] = JsonOutput.Number(StandardErrorOfDifference);
        o["critical"] = JsonOutput.Number(Critical);
        o["critical_difference"] = JsonOutput.Number(CriticalDifference);
        o["improved"] = Improved;
        o["unchanged"] = Unchanged;
        o["deteriorated"] = Deteriorated;
        o["proportions"] = new JsonObject
        {
            ["improved"] = JsonOutput.Number(Improved / n),
            ["unchanged"] = JsonOutput.Number(Unchanged / n),
            ["deteriorated"] = JsonOutput.Number(Deteriorated / n),
        };
        o["rci"] = JsonOutput.Numbers(Indexes);
        if (!Ids.IsDefaultOrEmpty) o["ids"] = JsonOutput.Strings(Ids);
        return o;
    }

    /// <summary>"RCI: 18% improved, 75% unchanged, 7% deteriorated (n = 240)".</summary>
    public override string ToString() =>
        $"RCI: {Percent(Improved)} improved, {Percent(Unchanged)} unchanged, {Percent(Deteriorated)} deteriorated (n = {Pairs.ToString(CultureInfo.InvariantCulture)})";

    private string Percent(int count) => (100.0 * count / Pairs).ToString("0", CultureInfo.InvariantCulture) + "%";

    internal static ReliableChangeResult Compute(IReadOnlyList<double> before, IReadOnlyList<double> after, ReliableChangeOptions options, IReadOnlyList<string>? ids, DataUsage? usage)
    {
        double reliability = options.Reliability ?? throw new AllianceInputException("The reliable change index needs the score's reliability (ReliableChangeOptions.Reliability).");
        if (!(reliability > 0 && reliability < 1)) throw new AllianceInputException($"The reliability behind the reliable change index must be in (0, 1); got {reliability.ToString(CultureInfo.InvariantCulture)}.");
        if (!(options.Level > 0 && options.Level < 1))
            throw new AllianceInputException($"The confidence level of reliable change must be between 0 and 1 (e.g. 0.95); got {options.Level.ToString(CultureInfo.InvariantCulture)}.");
        if (options.StandardDeviation is { } given && !(given > 0 && double.IsFinite(given)))
            throw new AllianceInputException($"The standard deviation given for the reliable change index must be positive; got {given.ToString(CultureInfo.InvariantCulture)}.");
        if (before.Count != after.Count) throw new AllianceInputException($"Reliable change needs pairs: {before.Count} first scores but {after.Count} second scores.");
        var rci = new double[before.Count];
        double sd = options.StandardDeviation ?? Numerics.Moments.MeanSd(before.ToArray()).StandardDeviation;
        if (!(sd > 0)) throw new AllianceInputException("The first scores do not vary (SD 0), so the reliable change index is undefined; give the SD of a reference sample.");
        double sdiff = Math.Sqrt(2) * sd * Math.Sqrt(1 - reliability);
        int missing = 0;
        var missingLines = new List<int>();
        for (int i = 0; i < rci.Length; i++)
        {
            rci[i] = (after[i] - before[i]) / sdiff;
            if (double.IsNaN(rci[i])) { missing++; missingLines.Add(i + 1); }
        }
        var warnings = new List<string>();
        if (reliability < 0.7) warnings.Add($"the reliability {reliability.ToString("F2", CultureInfo.InvariantCulture)} is low: only large changes can be called reliable");
        return new ReliableChangeResult
        {
            Reliability = reliability,
            StandardDeviation = sd,
            Critical = Normal.InvCDF(0, 1, 1 - (1 - options.Level) / 2),
            Options = options,
            Indexes = [.. rci],
            Ids = ids is null ? [] : [.. ids],
            Usage = usage ?? DataUsage.All(rci.Length).Exclude("a score missing at either occasion", missing),
            Warnings = warnings,
        };
    }
}
