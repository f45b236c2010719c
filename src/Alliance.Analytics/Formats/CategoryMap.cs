using System.Collections.Immutable;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Formats;

/// <summary>
/// A collapse of a K-point rating scale by merging adjacent categories: original category k (1 … K, counted from the
/// scale's lowest value) becomes new category <c>Map[k − 1]</c> (1 … K′). A valid map starts at 1 and rises by 0
/// (merge with the category below) or 1 (a new category) at each step, so only neighbours merge and order is kept;
/// there are 2^(K−1) of them (each of the K − 1 boundaries is kept or removed). <c>1,2,2,2,3,4,5</c> merges 2–4 of a
/// 7-point scale into one category of a 5-point scoring; <c>1,2,3,4,5,6,7</c> is the identity.
/// </summary>
/// <remarks>
/// A map is applied to responses in the keyed direction (after reverse-scoring), since "the crowded middle" and
/// "the top of the scale" are keyed notions. Collapsed responses are on the new scale <c>Min … Min + K′ − 1</c>.
/// </remarks>
public sealed record CategoryMap
{
    private CategoryMap(ImmutableArray<int> map) => Map = map;

    /// <summary>New category (1-based) of each original category 1 … K.</summary>
    public ImmutableArray<int> Map { get; }

    /// <summary>Original number of categories K.</summary>
    public int Points => Map.Length;

    /// <summary>Categories kept K′ (the map's largest value).</summary>
    public int Categories => Map[^1];

    /// <summary>True when no categories are merged.</summary>
    public bool IsIdentity => Categories == Points;

    /// <summary>The identity map of a K-point scale.</summary>
    /// <exception cref="AllianceInputException">When <paramref name="points"/> is below 2.</exception>
    public static CategoryMap Identity(int points)
    {
        if (points < 2) throw new AllianceInputException($"a rating scale needs at least 2 categories, not {points}");
        return new([.. Enumerable.Range(1, points)]);
    }

    /// <summary>
    /// Checks and wraps a map. Valid: one entry per original category, the first 1, each next entry equal to the
    /// previous or one more.
    /// </summary>
    /// <exception cref="AllianceInputException">With the position and value that break the rule.</exception>
    public static CategoryMap Create(IReadOnlyList<int> map, int? points = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        string text = string.Join(",", map.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (points is { } k && map.Count != k)
            throw new AllianceInputException($"collapse map '{text}' has {map.Count} entries; a {k}-point scale needs {k} (one new category per original category)");
        if (map.Count < 2) throw new AllianceInputException($"collapse map '{text}' needs at least 2 entries");
        if (map[0] != 1) throw new AllianceInputException($"collapse map '{text}' must start at 1 (original category 1 becomes new category 1), not {map[0]}");
        for (int i = 1; i < map.Count; i++)
        {
            int step = map[i] - map[i - 1];
            if (step is not (0 or 1))
                throw new AllianceInputException(
                    $"collapse map '{text}': entry {i + 1} is {map[i]} after {map[i - 1]}; each entry must equal the one before (merge) or exceed it by 1 " +
                    "(only adjacent categories can be merged, in order)");
        }
        if (map[^1] < 2) throw new AllianceInputException($"collapse map '{text}' merges every category into one; keep at least 2");
        return new([.. map]);
    }

    /// <summary>Parses "1,2,2,2,3,4,5" (commas, optional spaces) and checks it (<see cref="Create"/>).</summary>
    /// <exception cref="AllianceInputException">When an entry is not a whole number or the map is invalid.</exception>
    public static CategoryMap Parse(string text, int? points = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw new AllianceInputException($"collapse map '{text}': entry {i + 1} ('{parts[i]}') is not a whole number");
        return Create(values, points);
    }

    /// <summary>
    /// Every collapse of a K-point scale into at least <paramref name="minimumCategories"/> categories, in a fixed order
    /// (by the bit pattern of the removed boundaries, the identity first). With 1 all 2^(K−1) maps, including the one
    /// that merges everything into a single category (listed, never fitted); with the default 2, the 2^(K−1) − 1 others.
    /// </summary>
    /// <exception cref="AllianceInputException">When K is below 2 or above 16.</exception>
    public static ImmutableArray<CategoryMap> All(int points, int minimumCategories = 2)
    {
        if (points is < 2 or > 16) throw new AllianceInputException($"enumerating collapses needs 2 to 16 categories, not {points}");
        int boundaries = points - 1;
        var list = new List<CategoryMap>(1 << boundaries);
        // mask bit b set = boundary between categories b+1 and b+2 removed (merged); identity is mask 0
        for (int mask = 0; mask < 1 << boundaries; mask++)
        {
            var map = new int[points];
            map[0] = 1;
            for (int b = 0; b < boundaries; b++) map[b + 1] = map[b] + ((mask >> b & 1) == 1 ? 0 : 1);
            if (map[^1] >= minimumCategories) list.Add(new([.. map]));
        }
        return [.. list];
    }

    /// <summary>The runs of original categories merged together, e.g. [(2, 4)] for 1,2,2,2,3,4,5.</summary>
    public ImmutableArray<(int From, int To)> MergedRuns()
    {
        var runs = new List<(int, int)>();
        int start = 0;
        for (int i = 1; i <= Map.Length; i++)
        {
            if (i < Map.Length && Map[i] == Map[start]) continue;
            if (i - 1 > start) runs.Add((start + 1, i));
            start = i;
        }
        return [.. runs];
    }

    /// <summary>"2–4 merged", "1–2 and 6–7 merged" or "original" (original category numbers).</summary>
    public string Describe()
    {
        var runs = MergedRuns();
        if (runs.Length == 0) return "original";
        return string.Join(" and ", runs.Select(r => $"{r.From.ToString(CultureInfo.InvariantCulture)}–{r.To.ToString(CultureInfo.InvariantCulture)}")) + " merged";
    }

    /// <summary>
    /// Applies the map to responses on a K-point integer scale: value v (category v − Min + 1) becomes
    /// Min + Map[v − Min] − 1; missing stays missing. The result is on a K′-point scale with the same minimum.
    /// </summary>
    /// <exception cref="AllianceInputException">When the matrix is not on an integer scale with K points.</exception>
    public ResponseMatrix Apply(ResponseMatrix items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!items.Scale.IsInteger || items.Scale.Points != Points)
            throw new AllianceInputException($"collapse map '{this}' is for a {Points}-point scale; the items are on a {items.Scale} scale");
        if (IsIdentity) return items;
        var values = items.Values.ToArray();
        double min = items.Scale.Min;
        for (int k = 0; k < values.Length; k++)
        {
            double v = values[k];
            if (!double.IsNaN(v)) values[k] = min + Map[(int)(v - min)] - 1;
        }
        return ResponseMatrix.Create(values, items.Items, ItemScale.Likert(Categories, (int)min),
            [.. Enumerable.Range(0, items.RowCount).Select(items.SourceLine)]);
    }

    /// <summary>"1,2,2,2,3,4,5".</summary>
    public override string ToString() => string.Join(",", Map.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Value equality on the map.</summary>
    public bool Equals(CategoryMap? other) => other is not null && Map.SequenceEqual(other.Map);

    /// <summary>Hash of the map.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int v in Map) h.Add(v);
        return h.ToHashCode();
    }
}
