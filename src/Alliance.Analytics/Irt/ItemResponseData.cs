using System.Globalization;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Irt;

/// <summary>
/// The responses as the estimators take them: one byte per cell holding the index of the item's active category
/// (0 … m_j − 1, <see cref="Missing"/> for no answer), each item's active categories with their scores, the unique
/// response patterns with their frequencies, and the n behind it all. Items with fewer than two categories used and
/// persons who answered none of the remaining items are left out and reported.
/// </summary>
internal sealed class ItemResponseData
{
    public const byte Missing = ResponseMatrix.MissingCode;

    public required ImmutableArray<string> ItemNames { get; init; }
    public required int PersonCount { get; init; }
    public int ItemCount => ItemNames.Length;

    /// <summary>Active-category index per person × item (row-major), or <see cref="Missing"/>.</summary>
    public required byte[] Codes { get; init; }

    /// <summary>Per item, the integer score of each active category (ascending from 0).</summary>
    public required int[][] Scores { get; init; }

    /// <summary>Per item, the scale category (0 … K − 1) of each active category.</summary>
    public required int[][] Categories { get; init; }

    /// <summary>Per person, the row of the matrix it came from.</summary>
    public required int[] Rows { get; init; }

    /// <summary>Number of scale points K.</summary>
    public required int ScalePoints { get; init; }

    /// <summary>Lowest scale value (category 0).</summary>
    public required double ScaleMin { get; init; }

    /// <summary>Unique response patterns (row-major, U × J).</summary>
    public required byte[] PatternCodes { get; init; }

    /// <summary>Frequency of each unique pattern.</summary>
    public required int[] PatternCounts { get; init; }

    /// <summary>The pattern of each person.</summary>
    public required int[] PersonPattern { get; init; }

    public int PatternCount => PatternCounts.Length;

    public required DataUsage Usage { get; init; }
    public required ImmutableArray<string> Warnings { get; init; }

    /// <summary>Items of the matrix left out (name and reason).</summary>
    public required ImmutableArray<(string Item, string Reason)> ExcludedItems { get; init; }

    public int CategoryCount(int item) => Scores[item].Length;

    public int MaxCategories => Scores.Max(s => s.Length);

    public ReadOnlySpan<byte> Pattern(int u) => PatternCodes.AsSpan(u * ItemCount, ItemCount);

    public ReadOnlySpan<byte> Person(int i) => Codes.AsSpan(i * ItemCount, ItemCount);

    /// <summary>Counts of each active category per item over all persons.</summary>
    public long[][] CategoryCounts()
    {
        var counts = Scores.Select(s => new long[s.Length]).ToArray();
        int m = ItemCount;
        for (int u = 0; u < PatternCount; u++)
        {
            var p = Pattern(u);
            for (int j = 0; j < m; j++) if (p[j] != Missing) counts[j][p[j]] += PatternCounts[u];
        }
        return counts;
    }

    /// <summary>
    /// Prepares a matrix: category codes, unused-category policy, items without variance and persons without answers
    /// left out, unique patterns.
    /// </summary>
    /// <exception cref="AllianceInputException">When the scale is not an integer scale or fewer than two items or persons remain.</exception>
    public static ItemResponseData Create(ResponseMatrix matrix, UnusedCategoryPolicy policy, DataUsage? usage = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (!matrix.Scale.IsInteger)
            throw new AllianceInputException($"Item response models need ordered categories (an integer scale); this matrix is on a {matrix.Scale} scale.");
        int k = matrix.Scale.Points!.Value;
        if (k < 2) throw new AllianceInputException("Item response models need at least two categories.");
        var raw = matrix.ToCategoryCodes();
        int n = matrix.RowCount, m0 = matrix.ItemCount;
        var counts = new long[m0, k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m0; j++)
            {
                byte c = raw[i * m0 + j];
                if (c != Missing) counts[j, c]++;
            }
        var warnings = new List<string>();
        var excluded = new List<(string, string)>();
        var keep = new List<int>();
        var scores = new List<int[]>();
        var cats = new List<int[]>();
        var maps = new List<byte[]>();
        for (int j = 0; j < m0; j++)
        {
            var used = Enumerable.Range(0, k).Where(c => counts[j, c] > 0).ToArray();
            if (used.Length < 2)
            {
                string reason = used.Length == 0 ? "nobody answered it" : $"every answer was {matrix.Scale.Min + used[0]} (no variance)";
                excluded.Add((matrix.Items[j], reason));
                warnings.Add($"item {matrix.Items[j]} left out: {reason}");
                continue;
            }
            var unused = Enumerable.Range(used[0], used[^1] - used[0] + 1).Except(used).ToArray();
            var edge = Enumerable.Range(0, k).Where(c => c < used[0] || c > used[^1]).ToArray();
            if (unused.Length > 0)
                warnings.Add(policy == UnusedCategoryPolicy.Keep
                    ? $"item {matrix.Items[j]}: category {string.Join(", ", unused.Select(c => Value(matrix, c)))} unused; kept as a structural zero (its thresholds merge)"
                    : $"item {matrix.Items[j]}: category {string.Join(", ", unused.Select(c => Value(matrix, c)))} unused; higher categories downcoded");
            if (edge.Length > 0)
                warnings.Add($"item {matrix.Items[j]}: category {string.Join(", ", edge.Select(c => Value(matrix, c)))} unused (outside the categories observed; the item has {used.Length} categories)");
            keep.Add(j);
            cats.Add(used);
            scores.Add(policy == UnusedCategoryPolicy.Keep ? used.Select(c => c - used[0]).ToArray() : Enumerable.Range(0, used.Length).ToArray());
            var map = new byte[k];
            Array.Fill(map, Missing);
            for (int c = 0; c < used.Length; c++) map[used[c]] = (byte)c;
            maps.Add(map);
        }
        if (keep.Count < 2)
            throw new AllianceInputException($"An item response model needs at least two items with responses in two or more categories; {keep.Count} remain" +
                (excluded.Count > 0 ? $" ({string.Join("; ", excluded.Select(e => $"{e.Item1}: {e.Item2}"))})." : "."));
        int m = keep.Count;
        var rows = new List<int>(n);
        var dropped = new List<int>();
        var codes = new byte[n * m];
        int used2 = 0;
        for (int i = 0; i < n; i++)
        {
            bool any = false;
            var dst = codes.AsSpan(used2 * m, m);
            for (int jj = 0; jj < m; jj++)
            {
                byte c = raw[i * m0 + keep[jj]];
                dst[jj] = c == Missing ? Missing : maps[jj][c];
                any |= c != Missing;
            }
            if (any) { rows.Add(i); used2++; }
            else dropped.Add(matrix.SourceLine(i));
        }
        if (used2 < 2) throw new AllianceInputException($"An item response model needs at least two persons with answers; {used2} remain.");
        if (used2 < n) Array.Resize(ref codes, used2 * m);
        var baseUsage = usage ?? DataUsage.All(n);
        var finalUsage = baseUsage.Then(DataUsage.All(n).Exclude("no item answered", dropped.Count, dropped));
        var (patterns, patternCounts, personPattern) = UniquePatterns(codes, used2, m);
        return new ItemResponseData
        {
            ItemNames = [.. keep.Select(j => matrix.Items[j])],
            PersonCount = used2,
            Codes = codes,
            Scores = [.. scores],
            Categories = [.. cats],
            Rows = [.. rows],
            ScalePoints = k,
            ScaleMin = matrix.Scale.Min,
            PatternCodes = patterns,
            PatternCounts = patternCounts,
            PersonPattern = personPattern,
            Usage = finalUsage,
            Warnings = [.. warnings],
            ExcludedItems = [.. excluded],
        };
    }

    private static string Value(ResponseMatrix matrix, int c) => (matrix.Scale.Min + c).ToString(CultureInfo.InvariantCulture);

    /// <summary>Unique rows of a byte matrix in order of first appearance, their counts, and each row's pattern.</summary>
    internal static (byte[] Patterns, int[] Counts, int[] RowPattern) UniquePatterns(byte[] codes, int n, int m)
    {
        var index = new Dictionary<RowKey, int>(new RowKeyComparer(codes, m));
        var rowPattern = new int[n];
        var firstRow = new List<int>();
        var counts = new List<int>();
        for (int i = 0; i < n; i++)
        {
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, new RowKey(i), out bool exists);
            if (!exists)
            {
                slot = firstRow.Count;
                firstRow.Add(i);
                counts.Add(0);
            }
            rowPattern[i] = slot;
            counts[slot]++;
        }
        var patterns = new byte[firstRow.Count * m];
        for (int u = 0; u < firstRow.Count; u++) codes.AsSpan(firstRow[u] * m, m).CopyTo(patterns.AsSpan(u * m, m));
        return (patterns, [.. counts], rowPattern);
    }

    private readonly record struct RowKey(int Row);

    private sealed class RowKeyComparer(byte[] codes, int m) : IEqualityComparer<RowKey>
    {
        public bool Equals(RowKey x, RowKey y) => codes.AsSpan(x.Row * m, m).SequenceEqual(codes.AsSpan(y.Row * m, m));

        public int GetHashCode(RowKey key)
        {
            var h = new HashCode();
            h.AddBytes(codes.AsSpan(key.Row * m, m));
            return h.ToHashCode();
        }
    }

    /// <summary>A copy restricted to the persons at <paramref name="persons"/> (same items and categories).</summary>
    public ItemResponseData SelectPersons(IReadOnlyList<int> persons, DataUsage usage)
    {
        int m = ItemCount;
        var codes = new byte[persons.Count * m];
        for (int r = 0; r < persons.Count; r++) Person(persons[r]).CopyTo(codes.AsSpan(r * m, m));
        var (patterns, counts, rowPattern) = UniquePatterns(codes, persons.Count, m);
        return new ItemResponseData
        {
            ItemNames = ItemNames, PersonCount = persons.Count, Codes = codes, Scores = Scores, Categories = Categories,
            Rows = [.. persons.Select(p => Rows[p])], ScalePoints = ScalePoints, ScaleMin = ScaleMin,
            PatternCodes = patterns, PatternCounts = counts, PersonPattern = rowPattern, Usage = usage, Warnings = Warnings, ExcludedItems = ExcludedItems,
        };
    }
}

internal static class ItemResponseDataExtensions
{
    /// <summary>
    /// Merges category <paramref name="category"/> (active index) of item <paramref name="item"/> into its neighbour
    /// (the next one up for the lowest, else the next one down), renumbering the item's codes.
    /// </summary>
    public static ItemResponseData MergeCategory(this ItemResponseData data, int item, int category)
    {
        int m = data.ItemCount;
        int into = category == 0 ? 1 : category - 1;
        var codes = (byte[])data.Codes.Clone();
        for (int i = 0; i < data.PersonCount; i++)
        {
            ref byte x = ref codes[i * m + item];
            if (x == ItemResponseData.Missing) continue;
            int v = x == category ? into : x;
            if (v > category) v--;
            x = (byte)v;
        }
        var cats = data.Categories.Select(c => (int[])c.Clone()).ToArray();
        var scores = data.Scores.Select(s => (int[])s.Clone()).ToArray();
        var keepCats = cats[item].Where((_, c) => c != category).ToArray();
        var keepScores = scores[item].Where((_, c) => c != category).ToArray();
        int s0 = keepScores[0];
        cats[item] = keepCats;
        scores[item] = [.. keepScores.Select(s => s - s0)];
        var (patterns, counts, rowPattern) = ItemResponseData.UniquePatterns(codes, data.PersonCount, m);
        return new ItemResponseData
        {
            ItemNames = data.ItemNames, PersonCount = data.PersonCount, Codes = codes, Scores = scores, Categories = cats, Rows = data.Rows,
            ScalePoints = data.ScalePoints, ScaleMin = data.ScaleMin, PatternCodes = patterns, PatternCounts = counts, PersonPattern = rowPattern,
            Usage = data.Usage, Warnings = data.Warnings, ExcludedItems = data.ExcludedItems,
        };
    }

    /// <summary>
    /// Leaves item <paramref name="item"/> out (recorded in <see cref="ItemResponseData.ExcludedItems"/> with
    /// <paramref name="reason"/>); persons who answered no other item are left out and counted as "no item answered"
    /// (without their lines: the data no longer know the matrix's source lines).
    /// </summary>
    /// <exception cref="AllianceInputException">When fewer than two items or two persons remain.</exception>
    public static ItemResponseData DropItem(this ItemResponseData data, int item, string reason)
    {
        int m = data.ItemCount, m1 = m - 1;
        var excluded = data.ExcludedItems.Add((data.ItemNames[item], reason));
        if (m1 < 2)
            throw new AllianceInputException($"An item response model needs at least two items with responses in two or more categories; {m1} remain" +
                $" ({string.Join("; ", excluded.Select(e => $"{e.Item}: {e.Reason}"))}).");
        var codes = new byte[data.PersonCount * m1];
        var rows = new List<int>(data.PersonCount);
        int dropped = 0;
        int n = 0;
        for (int i = 0; i < data.PersonCount; i++)
        {
            var src = data.Person(i);
            var dst = codes.AsSpan(n * m1, m1);
            bool any = false;
            for (int j = 0, k = 0; j < m; j++)
            {
                if (j == item) continue;
                dst[k++] = src[j];
                any |= src[j] != ItemResponseData.Missing;
            }
            if (any) { rows.Add(data.Rows[i]); n++; }
            else dropped++;
        }
        if (n < 2) throw new AllianceInputException($"An item response model needs at least two persons with answers; {n} remain.");
        if (n < data.PersonCount) Array.Resize(ref codes, n * m1);
        var (patterns, counts, rowPattern) = ItemResponseData.UniquePatterns(codes, n, m1);
        return new ItemResponseData
        {
            ItemNames = data.ItemNames.RemoveAt(item), PersonCount = n, Codes = codes,
            Scores = [.. data.Scores.Where((_, j) => j != item)], Categories = [.. data.Categories.Where((_, j) => j != item)],
            Rows = [.. rows], ScalePoints = data.ScalePoints, ScaleMin = data.ScaleMin, PatternCodes = patterns, PatternCounts = counts, PersonPattern = rowPattern,
            Usage = data.Usage.Exclude("no item answered", dropped),
            Warnings = data.Warnings.Add($"item {data.ItemNames[item]} left out: {reason}"), ExcludedItems = excluded,
        };
    }
}
