using System.Globalization;
using System.Text.Json.Nodes;

namespace Alliance.Analytics.Simulation;

/// <summary>
/// Number formatting for truth files and CSV output. Every figure is rounded to <see cref="SignificantDigits"/>
/// significant digits before it is written, so the bytes do not depend on the last bits of a platform's exp or log.
/// </summary>
internal static class Truth
{
    /// <summary>Significant digits kept in truth files.</summary>
    public const int SignificantDigits = 8;

    /// <summary>A number rounded to 8 significant digits, or null when it is not finite.</summary>
    public static JsonNode? Round(double value) => double.IsFinite(value) ? JsonValue.Create(RoundValue(value)) : null;

    /// <summary>Rounds to 8 significant digits (exactly representable decimal text).</summary>
    public static double RoundValue(double value) =>
        double.IsFinite(value) ? double.Parse(value.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

    /// <summary>An array of rounded numbers.</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new([.. values.Select(Round)]);

    /// <summary>Formats a number for a CSV cell with at most <paramref name="decimals"/> decimals (trailing zeros dropped; NaN as empty).</summary>
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value)) return "";
        double r = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (r == 0) r = 0; // no "-0"
        return r.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }
}
