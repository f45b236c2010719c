using System.Globalization;

namespace Alliance.Analytics.Presentation;

/// <summary>Small helpers for writing CSV text: RFC 4180 quoting and culture-independent numbers.</summary>
public static class CsvText
{
    /// <summary>Quotes a field when it contains a delimiter, a quote or a line break (RFC 4180).</summary>
    public static string Quote(string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n\t") < 0) return field;
        return "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// Formats a value for a CSV cell: numbers in invariant culture with round-trip precision, missing (null or NaN)
    /// as an empty field, booleans as <c>true</c>/<c>false</c>, text quoted when needed.
    /// </summary>
    public static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        double d when double.IsNaN(d) => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => FormatValue((double)f),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => Quote(s),
        IFormattable f => Quote(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Quote(value.ToString() ?? string.Empty),
    };
}
