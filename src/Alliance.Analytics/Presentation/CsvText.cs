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
    /// Protects a text cell of a CSV file that people open in a spreadsheet from being read as a formula (CSV
    /// injection; OWASP's rule): a cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return gets a leading apostrophe. A cell that reads as a number (an id of <c>-12</c>, <c>+3.5</c>) is left as it is.
    /// </summary>
    public static string ProtectFormula(string field)
    {
        if (field.Length == 0 || field[0] is not ('=' or '+' or '-' or '@' or '\t' or '\r')) return field;
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return field;
        return "'" + field;
    }

    /// <summary>
    /// Formats a value for a CSV cell: numbers in invariant culture with round-trip precision, missing (null or NaN)
    /// as an empty field, booleans as <c>true</c>/<c>false</c>, text quoted when needed.
    /// </summary>
    public static string FormatValue(object? value) => FormatValue(value, protectFormulas: false);

    /// <summary>As <see cref="FormatValue(object?)"/>, with text cells passed through <see cref="ProtectFormula"/> when <paramref name="protectFormulas"/>.</summary>
    public static string FormatValue(object? value, bool protectFormulas) => value switch
    {
        null => string.Empty,
        double d when double.IsNaN(d) => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => FormatValue((double)f),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => Quote(protectFormulas ? ProtectFormula(s) : s),
        IFormattable f => Quote(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Quote(protectFormulas ? ProtectFormula(value.ToString() ?? string.Empty) : value.ToString() ?? string.Empty),
    };
}
