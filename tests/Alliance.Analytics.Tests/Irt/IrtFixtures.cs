using System.Text.Json;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Irt;

/// <summary>Loads the IRT reference data sets and R fixtures (Fixtures/Irt).</summary>
internal static class IrtFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Irt", name);

    /// <summary>A CSV of integer responses (header = item names; NA = missing) as a response matrix on the given scale; extra columns ignored.</summary>
    public static ResponseMatrix Matrix(string file, ItemScale scale, int? items = null, Func<int, int, bool>? missing = null)
    {
        var lines = File.ReadAllLines(Path(file)).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        int m = items ?? header.Length;
        var values = new List<double>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            for (int j = 0; j < m; j++)
            {
                bool na = f[j] is "NA" or "" || (missing?.Invoke(i, j + 1) ?? false);
                values.Add(na ? double.NaN : double.Parse(f[j], CultureInfo.InvariantCulture));
            }
        }
        return ResponseMatrix.Create(values.ToArray(), header.Take(m).ToArray(), scale);
    }

    /// <summary>A text column of a CSV.</summary>
    public static string[] Column(string file, string name)
    {
        var lines = File.ReadAllLines(Path(file)).Where(l => l.Length > 0).ToArray();
        int k = Array.IndexOf(lines[0].Split(','), name);
        return [.. lines.Skip(1).Select(l => l.Split(',')[k])];
    }

    private static JsonElement? _cml;

    /// <summary>irt-cml.json (eRm and psychotools on VerbalAggression).</summary>
    public static JsonElement Cml => _cml ??= JsonDocument.Parse(File.ReadAllText(Path("irt-cml.json"))).RootElement;

    public static double[] Numbers(this JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];

    public static double[,] Table(this JsonElement e)
    {
        var rows = e.EnumerateArray().Select(r => r.Numbers()).ToArray();
        var t = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < rows[0].Length; j++) t[i, j] = rows[i][j];
        return t;
    }
}
