using System.Collections.Immutable;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Scoring;

/// <summary>Options for <see cref="InstrumentScoring.Score(ResponseMatrix, Instrument, ScoringOptions?)"/>.</summary>
public sealed record ScoringOptions
{
    /// <summary>Minimum fraction of a score's items that must be answered; null means the instrument's rule (default 0.8).</summary>
    public double? ProrateMinimumFraction { get; init; }

    /// <summary>Apply the instrument's reverse keys (default true) when scoring a plain matrix. Prepared data were keyed when they were prepared (<see cref="PreparationOptions.ApplyReverseKeys"/>); turning this off for them is refused.</summary>
    public bool ApplyReverseKeys { get; init; } = true;
}

/// <summary>
/// Scores an instrument: reverse keying (Min + Max − x), subscale and total scores under the instrument's score rule
/// (sum or mean), prorating, and cut-off flags.
/// </summary>
/// <remarks>
/// Prorating (the default rule): with k items in a score and a answered, the score is computed when
/// a ≥ f·k (f = 0.8 by default) as x̄·k for the sum rule or x̄ for the mean rule, where x̄ is the mean of the answered
/// (reverse-keyed) items; otherwise it is missing. With every item answered this is the plain sum or mean.
/// </remarks>
public static class InstrumentScoring
{
    /// <summary>
    /// Scores prepared data with its instrument, on the keyed items (<see cref="AnalysisData.Items"/>: the reverse
    /// keys were applied when the data were prepared, unless turned off there), carrying the id columns and the
    /// data's usage into the result.
    /// </summary>
    /// <exception cref="AllianceInputException">When the data name no instrument.</exception>
    /// <exception cref="InstrumentKeyException">When the instrument requires a user key.</exception>
    public static ScoreSet Score(AnalysisData data, ScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var instrument = data.Instrument ?? throw new AllianceInputException(
            $"{data.SourceName}: no instrument named, so there is nothing to score: name one in DataSpec.Instrument (e.g. WAI-SR) or in the sidecar's \"instrument\" field");
        if (options is { ApplyReverseKeys: false } && !data.Reversed.IsDefaultOrEmpty)
            throw new AllianceInputException("prepared data are keyed when they are prepared: turn the reverse keys off with PreparationOptions.ApplyReverseKeys, not ScoringOptions.ApplyReverseKeys",
                "PreparationOptions.ApplyReverseKeys");
        var ids = DataSpec.IdColumns.Select(data.Column).OfType<DataColumn>().ToImmutableArray();
        return ScoreKeyed(data.Items, instrument, options ?? new ScoringOptions(), data.Options.ApplyReverseKeys, data.Reversed)
            with { IdColumns = ids, Usage = data.Usage };
    }

    /// <summary>
    /// Scores a response matrix whose columns are the instrument's items 1 … k in order, as answered: the
    /// instrument's reverse keys are applied here unless <see cref="ScoringOptions.ApplyReverseKeys"/> is false.
    /// </summary>
    /// <exception cref="ArgumentException">When the matrix has a different number of items than the instrument.</exception>
    /// <exception cref="InstrumentKeyException">When the instrument requires a user key (e.g. WAI-S, BR-WAI).</exception>
    public static ScoreSet Score(ResponseMatrix items, Instrument instrument, ScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(instrument);
        options ??= new ScoringOptions();
        if (items.ItemCount != instrument.ItemCount)
            throw new ArgumentException($"{instrument.Id} has {instrument.ItemCount} items; the response matrix has {items.ItemCount}.", nameof(items));
        RequireKey(instrument);
        var (keyed, reversed) = Keying.Apply(items, instrument, new PreparationOptions { ApplyReverseKeys = options.ApplyReverseKeys }, "the response matrix");
        return ScoreKeyed(keyed, instrument, options, options.ApplyReverseKeys, reversed);
    }

    private static void RequireKey(Instrument instrument)
    {
        if (instrument.RequiresUserKey)
            throw new InstrumentKeyException(
                $"{instrument.Id}: {instrument.StatusNote}. Supply your key with InstrumentRegistry.WithKeyFile (schema: docs/instruments.md).");
    }

    private static ScoreSet ScoreKeyed(ResponseMatrix items, Instrument instrument, ScoringOptions options, bool keysApplied, ImmutableArray<string> reversedItems)
    {
        RequireKey(instrument);
        if (items.ItemCount != instrument.ItemCount)
            throw new ArgumentException($"{instrument.Id} has {instrument.ItemCount} items; the response matrix has {items.ItemCount}.", nameof(items));
        double fraction = options.ProrateMinimumFraction ?? instrument.ProrateMinimumFraction;
        if (!(fraction > 0 && fraction <= 1))
            throw new AllianceInputException($"ScoringOptions.ProrateMinimumFraction must be in (0, 1] (the share of a score's items answered), not {fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var definitions = instrument.Scores();
        var warnings = new List<string>();
        var unscored = instrument.Subscales.Where(s => !s.HasItems).Select(s => s.Name).ToArray();
        if (unscored.Length > 0)
            warnings.Add($"{instrument.Id} subscale{(unscored.Length == 1 ? "" : "s")} {string.Join(", ", unscored)} not scored: item membership is not in the registry (supply a key: InstrumentRegistry.WithKeyFile)");
        if (items.Scale != instrument.Scale)
            warnings.Add($"the data's scale ({items.Scale}) differs from {instrument.Id}'s ({instrument.Scale}); reverse keys use the data's declared scale");

        int n = items.RowCount;
        var scores = definitions.Select(_ => new double[n]).ToArray();
        var itemIndex = definitions.Select(d => d.Items.Select(i => i - 1).ToArray()).ToArray();
        bool sum = instrument.ScoreRule == ScoreRule.Sum;
        Parallel.For(0, (n + 4095) / 4096, block =>
        {
            int end = Math.Min(n, (block + 1) * 4096);
            for (int r = block * 4096; r < end; r++)
            {
                var row = items.Row(r);
                for (int s = 0; s < itemIndex.Length; s++)
                {
                    var idx = itemIndex[s];
                    double total = 0;
                    int answered = 0;
                    foreach (int j in idx)
                    {
                        double v = row[j];
                        if (double.IsNaN(v)) continue;
                        total += v;
                        answered++;
                    }
                    // a ≥ f·k, with a small tolerance so that 4 of 5 items meets 80% exactly.
                    bool enough = answered > 0 && answered >= fraction * idx.Length - 1e-9;
                    scores[s][r] = !enough ? double.NaN : sum ? total / answered * idx.Length : total / answered;
                }
            }
        });

        return new ScoreSet
        {
            Instrument = instrument,
            Definitions = definitions,
            Values = [.. scores.Select(a => ImmutableArray.Create(a))],
            ProrateMinimumFraction = fraction,
            ReverseKeysApplied = keysApplied,
            ReversedItems = reversedItems,
            Scale = items.Scale,
            SourceLines = [.. Enumerable.Range(0, n).Select(items.SourceLine)],
            IdColumns = [],
            Usage = DataUsage.All(n),
            Warnings = [.. warnings],
        };
    }
}
