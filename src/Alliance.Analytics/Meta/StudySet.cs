using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Meta;

/// <summary>
/// One study-level column besides the effect size (a moderator such as rater, measure or timing, or a numeric one such
/// as mean age): the text as written and, where it parses, the number. Missing cells are null / NaN.
/// </summary>
/// <param name="Name">Column name.</param>
/// <param name="Text">The cells as written; null when missing (empty or NA).</param>
/// <param name="Numbers">The cells as numbers; NaN when missing or not a number.</param>
public sealed record ModeratorColumn(string Name, ImmutableArray<string?> Text, ImmutableArray<double> Numbers)
{
    /// <summary>True when every non-missing cell is a number (the moderator is then continuous unless asked for as a factor).</summary>
    public bool IsNumeric { get; } = Enumerable.Range(0, Text.Length).All(i => Text[i] is null || !double.IsNaN(Numbers[i]));

    /// <summary>A numeric moderator column.</summary>
    public static ModeratorColumn FromNumbers(string name, IEnumerable<double> values)
    {
        var numbers = values.ToImmutableArray();
        return new ModeratorColumn(name, [.. numbers.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture))], numbers);
    }

    /// <summary>A categorical moderator column (null for missing).</summary>
    public static ModeratorColumn FromText(string name, IEnumerable<string?> values)
    {
        var text = values.ToImmutableArray();
        return new ModeratorColumn(name, text, [.. text.Select(_ => double.NaN)]);
    }

    /// <summary>The subset of rows <paramref name="rows"/>, in that order.</summary>
    internal ModeratorColumn Take(IReadOnlyList<int> rows) => new(Name, [.. rows.Select(r => Text[r])], [.. rows.Select(r => Numbers[r])]);
}

/// <summary>
/// The studies of a meta-analysis: for each effect size its value yᵢ, sampling variance vᵢ, label, sample size (when
/// known), cluster (the study an effect size belongs to, for three-level models), moderator columns and the source line
/// it came from, with the <see cref="DataUsage"/> of the table it was read from. Immutable; build one with
/// <see cref="FromCorrelations"/>, <see cref="FromEffects"/> or <see cref="StudyTable.Read"/>.
/// </summary>
public sealed record StudySet
{
    /// <summary>Where the studies came from (a file path, or "data").</summary>
    public required string Source { get; init; }

    /// <summary>The scale of <see cref="Yi"/>.</summary>
    public required EffectMeasure Measure { get; init; }

    /// <summary>A label per effect size (the study column, else "Study 1", "Study 2" …).</summary>
    public required ImmutableArray<string> Labels { get; init; }

    /// <summary>Effect sizes yᵢ.</summary>
    public required ImmutableArray<double> Yi { get; init; }

    /// <summary>Sampling variances vᵢ (positive).</summary>
    public required ImmutableArray<double> Vi { get; init; }

    /// <summary>Sample sizes nᵢ, or empty when unknown.</summary>
    public ImmutableArray<double> SampleSizes { get; init; } = [];

    /// <summary>Cluster (study) of each effect size for three-level models, or empty.</summary>
    public ImmutableArray<string> Clusters { get; init; } = [];

    /// <summary>The name of the cluster column, when there is one.</summary>
    public string? ClusterName { get; init; }

    /// <summary>Moderator columns, each with one cell per effect size.</summary>
    public ImmutableArray<ModeratorColumn> Moderators { get; init; } = [];

    /// <summary>Source line of each effect size (1-based, header is line 1), or 1…k for data built in code.</summary>
    public required ImmutableArray<int> Lines { get; init; }

    /// <summary>Rows of the source table and why any were left out.</summary>
    public required DataUsage Usage { get; init; }

    /// <summary>Number of effect sizes, k.</summary>
    public int Count => Yi.Length;

    /// <summary>Standard errors √vᵢ.</summary>
    public IEnumerable<double> StandardErrors => Vi.Select(Math.Sqrt);

    /// <summary>The moderator column called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="AllianceInputException">When there is no such column (the message lists those there are).</exception>
    public ModeratorColumn Moderator(string name) =>
        Moderators.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new AllianceInputException($"{Source}: no moderator column '{name}' (columns: {(Moderators.IsEmpty ? "none" : string.Join(", ", Moderators.Select(m => m.Name)))}).");

    /// <summary>
    /// Studies from correlations and sample sizes, on the Fisher z scale (default) or as raw r. Every pair must be valid
    /// (|r| &lt; 1, n &gt; 3 for z); labels default to "Study i".
    /// </summary>
    /// <exception cref="AllianceInputException">When the lengths differ, fewer than one study is given, or a value is out of range (naming the study).</exception>
    public static StudySet FromCorrelations(IReadOnlyList<double> r, IReadOnlyList<double> n, EffectMeasure measure = EffectMeasure.FisherZ, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(n);
        if (r.Count != n.Count) throw new AllianceInputException($"{r.Count} correlations but {n.Count} sample sizes.");
        if (measure == EffectMeasure.Generic) throw new AllianceInputException("Correlations need the FisherZ or RawCorrelation measure.");
        var yi = new double[r.Count];
        var vi = new double[r.Count];
        for (int i = 0; i < r.Count; i++)
        {
            try { (yi[i], vi[i]) = EffectSizes.FromCorrelation(r[i], n[i], measure); }
            catch (ArgumentOutOfRangeException e)
            {
                throw new AllianceInputException($"study {i + 1} (r = {r[i].ToString(CultureInfo.InvariantCulture)}, n = {n[i].ToString(CultureInfo.InvariantCulture)}): {FirstLine(e.Message)}");
            }
        }
        return Build(yi, vi, labels, measure) with { SampleSizes = [.. n] };
    }

    /// <summary>Studies from effect sizes and sampling variances (vᵢ &gt; 0); labels default to "Study i".</summary>
    /// <exception cref="AllianceInputException">When the lengths differ or a value is missing, infinite or a variance is not positive.</exception>
    public static StudySet FromEffects(IReadOnlyList<double> yi, IReadOnlyList<double> vi, IReadOnlyList<string>? labels = null, EffectMeasure measure = EffectMeasure.Generic)
    {
        ArgumentNullException.ThrowIfNull(yi);
        ArgumentNullException.ThrowIfNull(vi);
        if (yi.Count != vi.Count) throw new AllianceInputException($"{yi.Count} effect sizes but {vi.Count} variances.");
        for (int i = 0; i < yi.Count; i++)
        {
            if (!double.IsFinite(yi[i])) throw new AllianceInputException($"study {i + 1}: effect size {yi[i].ToString(CultureInfo.InvariantCulture)} is not a finite number.");
            if (!(vi[i] > 0) || !double.IsFinite(vi[i])) throw new AllianceInputException($"study {i + 1}: sampling variance {vi[i].ToString(CultureInfo.InvariantCulture)} must be a positive number.");
        }
        return Build([.. yi], [.. vi], labels, measure);
    }

    private static StudySet Build(double[] yi, double[] vi, IReadOnlyList<string>? labels, EffectMeasure measure)
    {
        if (labels is not null && labels.Count != yi.Length) throw new AllianceInputException($"{labels.Count} labels for {yi.Length} studies.");
        return new StudySet
        {
            Source = "data",
            Measure = measure,
            Labels = labels is null ? [.. Enumerable.Range(1, yi.Length).Select(i => "Study " + i.ToString(CultureInfo.InvariantCulture))] : [.. labels],
            Yi = [.. yi],
            Vi = [.. vi],
            Lines = [.. Enumerable.Range(1, yi.Length)],
            Usage = DataUsage.All(yi.Length),
        };
    }

    /// <summary>A copy with one more moderator column (one cell per study).</summary>
    /// <exception cref="AllianceInputException">When the column has the wrong length.</exception>
    public StudySet WithModerator(ModeratorColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Text.Length != Count) throw new AllianceInputException($"moderator '{column.Name}' has {column.Text.Length} values for {Count} studies.");
        return this with { Moderators = [.. Moderators.Where(m => !string.Equals(m.Name, column.Name, StringComparison.OrdinalIgnoreCase)), column] };
    }

    /// <summary>A copy with clusters (the study of each effect size) for three-level models.</summary>
    /// <exception cref="AllianceInputException">When the length is wrong or a cluster is missing.</exception>
    public StudySet WithClusters(IReadOnlyList<string> clusters, string name = "study")
    {
        ArgumentNullException.ThrowIfNull(clusters);
        if (clusters.Count != Count) throw new AllianceInputException($"{clusters.Count} cluster ids for {Count} studies.");
        if (clusters.Any(string.IsNullOrEmpty)) throw new AllianceInputException("every effect size needs a cluster id.");
        return this with { Clusters = [.. clusters], ClusterName = name };
    }

    /// <summary>The studies at <paramref name="rows"/> (0-based), in that order; usage is kept (the caller adds exclusions).</summary>
    internal StudySet Take(IReadOnlyList<int> rows) => this with
    {
        Labels = [.. rows.Select(r => Labels[r])],
        Yi = [.. rows.Select(r => Yi[r])],
        Vi = [.. rows.Select(r => Vi[r])],
        SampleSizes = SampleSizes.IsDefaultOrEmpty ? [] : [.. rows.Select(r => SampleSizes[r])],
        Clusters = Clusters.IsDefaultOrEmpty ? [] : [.. rows.Select(r => Clusters[r])],
        Moderators = [.. Moderators.Select(m => m.Take(rows))],
        Lines = [.. rows.Select(r => Lines[r])],
    };

    /// <summary>"molloy.csv: 16 correlations (Fisher z)".</summary>
    public override string ToString() => $"{Source}: {Count} {(Measure == EffectMeasure.Generic ? "effect sizes" : "correlations")} ({MeasureName(Measure)})";

    /// <summary>Readable name of a measure.</summary>
    public static string MeasureName(EffectMeasure measure) => measure switch
    {
        EffectMeasure.FisherZ => "Fisher z",
        EffectMeasure.RawCorrelation => "raw r",
        _ => "yi/vi",
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Split(" (Parameter")[0];
}
