using System.Globalization;
using Alliance.Analytics.Outcomes;

namespace Alliance.Analytics.Tests.Outcomes;

/// <summary>Reads the R-made fixtures in Fixtures/Outcomes (plain CSV, quoted strings, NA for missing).</summary>
internal static class OutcomeFixtures
{
    public static (string[] Header, List<string[]> Rows) ReadCsv(string file)
    {
        var lines = File.ReadAllLines(Fixtures.Path("Outcomes", file));
        var header = Split(lines[0]);
        return (header, [.. lines.Skip(1).Where(l => l.Length > 0).Select(Split)]);
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (c == ',' && !quoted) { fields.Add(sb.ToString()); sb.Clear(); continue; }
            sb.Append(c);
        }
        fields.Add(sb.ToString());
        return [.. fields];
    }

    /// <summary>A model frame from a fixture CSV: the named columns as numbers, the others as grouping factors.</summary>
    public static ModelFrame Frame(string file, params string[] numeric)
    {
        var (header, rows) = ReadCsv(file);
        var builder = ModelFrame.Create(rows.Count, file);
        for (int j = 0; j < header.Length; j++)
        {
            int col = j;
            if (numeric.Contains(header[j]))
                builder.Numeric(header[j], rows.Select(r => r[col] == "NA" ? double.NaN : double.Parse(r[col], CultureInfo.InvariantCulture)).ToArray());
            else
                builder.Factor(header[j], rows.Select(r => r[col] == "NA" ? null : r[col]).ToArray());
        }
        return builder.Build();
    }

    /// <summary>The values of one model in a long reference file (model, key, value).</summary>
    public static Dictionary<string, double> Reference(string file, string model)
    {
        var (_, rows) = ReadCsv(file);
        return rows.Where(r => r[0] == model)
            .ToDictionary(r => r[1], r => r[2] == "NA" ? double.NaN : double.Parse(r[2], CultureInfo.InvariantCulture));
    }
}
