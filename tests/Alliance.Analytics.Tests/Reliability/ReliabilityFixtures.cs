using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Reliability;

/// <summary>Loads the R-made fixtures in Fixtures/Reliability (each beside the R script that made it).</summary>
internal static class ReliabilityFixtures
{
    /// <summary>Agreement for closed-form statistics (issue #4).</summary>
    public const double ClosedForm = 1e-6;

    /// <summary>Agreement for iteratively fitted statistics (issue #4).</summary>
    public const double Iterative = 1e-4;

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Reliability", name);

    public static JsonNode Json(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!;

    public static double[] Numbers(JsonNode? node) => node!.AsArray().Select(v => v is null ? double.NaN : v.GetValue<double>()).ToArray();

    public static double Number(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();

    public static double[,] Matrix(JsonNode? node)
    {
        var rows = node!.AsArray();
        int n = rows.Count, m = rows[0]!.AsArray().Count;
        var a = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                a[i, j] = rows[i]![j]!.GetValue<double>();
        return a;
    }

    /// <summary>Reads a CSV of numbers (header row of item names, empty field = missing) into a response matrix.</summary>
    public static ResponseMatrix Csv(string name, ItemScale scale)
    {
        var lines = File.ReadAllLines(PathOf(name));
        var items = lines[0].Split(',').Select(s => s.Trim('"')).ToArray();
        var values = new List<double>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            foreach (var field in line.Split(','))
                values.Add(field.Length == 0 || field == "NA" ? double.NaN : double.Parse(field, CultureInfo.InvariantCulture));
        }
        return ResponseMatrix.Create(values.ToArray(), items, scale);
    }

    /// <summary>bfi A1–A5 on the 1–6 scale with A1 reversed (7 − x), as reference-values.md describes.</summary>
    public static ResponseMatrix BfiAgreeableness() =>
        Csv("bfi-agreeableness.csv", ItemScale.Likert(6)).Reverse(["A1"]);
}
