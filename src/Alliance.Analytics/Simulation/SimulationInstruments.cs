using System.Collections.Immutable;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// The default item response models of the simulated instruments: the 12-item WAI-SR (5 points), the 36-item WAI in
/// its original 7-point format with crowded categories 2–4, and the 36 WAI items in a 5-point revised format.
/// Item parameters follow a fixed recipe (no randomness, so they are the same for every seed); each rendering's
/// truth file lists them.
/// </summary>
/// <remarks>
/// Recipe: slopes a_k = 1.3 + 1.3 u_k with u_k = frac(0.618034 k) (a low-discrepancy spread over [1.3, 2.6]); reverse-keyed
/// items (negatively worded in the real instrument) have 0.8 of that; locations ℓ_k = subscale mean + 0.5 (frac(0.754878 k) − 0.5),
/// with subscale means Bond −0.15, Task 0.05, Goal 0.10 (bond is rated highest in real data). Both are then shifted and
/// scaled by <see cref="CohortOptions.ItemLocationShift"/> and <see cref="CohortOptions.ItemSlopeScale"/>. Category offsets
/// lie mostly below θ's mean, giving the ceiling skew of real alliance ratings.
/// </remarks>
public static class SimulationInstruments
{
    /// <summary>WAI-SR category offsets β_2 … β_5 (5 points: Seldom … Always).</summary>
    public static ImmutableArray<double> WaiSrOffsets { get; } = [-2.5, -1.45, -0.45, 0.6];

    /// <summary>
    /// 7-point WAI category offsets β_2 … β_7 (Never … Always). Categories 2–4 (Rarely, Occasionally, Sometimes) span
    /// −2.9 to −1.7 (θ units from the item location) and are crowded by <see cref="CohortOptions.Crowding"/>.
    /// </summary>
    public static ImmutableArray<double> Wai7Offsets { get; } = [-2.9, -2.5, -2.1, -1.7, -0.5, 0.6];

    /// <summary>Revised 5-point WAI category offsets β_2 … β_5.</summary>
    public static ImmutableArray<double> WaiRevised5Offsets { get; } = [-2.4, -1.35, -0.35, 0.7];

    /// <summary>The WAI-SR (client form) rendering: items wai1 … wai12, Task 1, 2, 10, 12 · Goal 4, 6, 8, 11 · Bond 3, 5, 7, 9, no reverse keys.</summary>
    public static ItemResponseModel WaiSr(CohortOptions options) =>
        Model("WAI-SR", options, WaiSrOffsets, crowded: false,
            "WAI-SR client form, 12 items, 5 points (1 Seldom … 5 Always), graded response model");

    /// <summary>
    /// The original 36-item WAI in its 7-point format (1 Never … 7 Always), items wai1 … wai36, reverse-keyed items
    /// (1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33 as in the registry) written as answered, categories 2–4 crowded.
    /// </summary>
    public static ItemResponseModel Wai36SevenPoint(CohortOptions options) =>
        Model("WAI", options, Wai7Offsets, crowded: true,
            "WAI (36 items) in the original 7-point format (1 Never … 7 Always); categories 2–4 crowded; reverse-keyed items as answered");

    /// <summary>
    /// The same 36 WAI items in a 5-point revised response format (1 Seldom … 5 Always, as Mallinckrodt &amp; Tekie
    /// 2016 proposed), same slopes and locations as the 7-point rendering, categories well spread, reverse-keyed items
    /// written as answered.
    /// </summary>
    public static ItemResponseModel Wai36RevisedFivePoint(CohortOptions options) =>
        Model("WAI", options, WaiRevised5Offsets, crowded: false,
            "WAI (36 items) in a 5-point revised response format (1 Seldom … 5 Always); reverse-keyed items as answered");

    private static ItemResponseModel Model(string id, CohortOptions options, ImmutableArray<double> offsets, bool crowded, string description)
    {
        ArgumentNullException.ThrowIfNull(options);
        var instrument = InstrumentRegistry.BuiltIn.Get(id);
        var (slopes, locations) = Parameters(instrument, options);
        return new ItemResponseModel
        {
            Instrument = instrument.Id,
            ItemNames = ItemNames("wai", instrument.ItemCount),
            Points = offsets.Length + 1,
            Slopes = slopes,
            Locations = locations,
            CategoryOffsets = offsets,
            ReverseKeyed = instrument.ReverseKeyed,
            Crowding = crowded ? new CategoryCrowding(2, 4, options.Crowding, [1, 1, 1]) : null,
            MissingRate = options.ItemMissingRate,
            Description = description,
        };
    }

    /// <summary>Item names prefix1 … prefixM.</summary>
    public static ImmutableArray<string> ItemNames(string prefix, int count) =>
        [.. Enumerable.Range(1, count).Select(k => prefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Slopes and locations of an instrument's items by the recipe in the class remarks.</summary>
    public static (ImmutableArray<double> Slopes, ImmutableArray<double> Locations) Parameters(Instrument instrument, CohortOptions options)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(options);
        int m = instrument.ItemCount;
        var slopes = new double[m];
        var locations = new double[m];
        for (int k = 1; k <= m; k++)
        {
            double u = Frac(0.618034 * k), w = Frac(0.754878 * k);
            double slope = 1.3 + 1.3 * u;
            if (instrument.ReverseKeyed.Contains(k)) slope *= 0.85;
            string? subscale = instrument.Subscales.FirstOrDefault(s => s.HasItems && s.Items.Contains(k))?.Name;
            double mean = subscale switch { "Bond" => -0.15, "Task" => 0.05, "Goal" => 0.10, _ => 0 };
            slopes[k - 1] = Math.Round(slope * options.ItemSlopeScale, 6);
            locations[k - 1] = Math.Round(mean + 0.5 * (w - 0.5) + options.ItemLocationShift, 6);
        }
        return ([.. slopes], [.. locations]);
    }

    private static double Frac(double x) => x - Math.Floor(x);
}
