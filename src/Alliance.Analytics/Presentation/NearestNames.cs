namespace Alliance.Analytics.Presentation;

/// <summary>
/// The nearest names to a misspelt one (optimal string alignment distance, case-insensitive), for messages that
/// refuse an unknown column, item or field and suggest what was probably meant.
/// </summary>
public static class NearestNames
{
    /// <summary>
    /// Up to three names at the smallest distance from <paramref name="name"/> when that distance is small (at most a
    /// third of the name's length, and at least 1), else the one name that starts with it; empty when none is near.
    /// </summary>
    public static IReadOnlyList<string> Suggest(string name, IEnumerable<string> names)
    {
        string bare = name.ToLowerInvariant();
        if (bare.Length == 0) return [];
        var scored = names.Distinct(StringComparer.Ordinal).Select(n => (Name: n, Distance: Distance(bare, n.ToLowerInvariant()))).ToArray();
        var near = scored.Where(x => x.Distance <= Math.Max(1, Math.Max(x.Name.Length, bare.Length) / 3)).ToArray();
        if (near.Length > 0)
        {
            int best = near.Min(x => x.Distance);
            return [.. near.Where(x => x.Distance == best).Select(x => x.Name).Take(3)];
        }
        var prefixed = scored.Where(x => bare.Length >= 2 && x.Name.StartsWith(bare, StringComparison.OrdinalIgnoreCase)).ToArray();
        return prefixed.Length == 1 ? [prefixed[0].Name] : [];
    }

    /// <summary>"; did you mean 'q1' or 'q7'?" for the nearest names, or "" when none is near.</summary>
    public static string Hint(string name, IEnumerable<string> names)
    {
        var near = Suggest(name, names);
        return near.Count == 0 ? "" : $"; did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent letters.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
