using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Presentation;

/// <summary>
/// Helpers that build the JSON documents results return: a missing or non-finite number becomes <c>null</c>, keys are
/// snake_case, and every document carries the same <c>schema_version</c> / <c>n</c> / <c>data</c> / <c>warnings</c> block.
/// </summary>
public static class JsonOutput
{
    /// <summary>
    /// Version of the JSON key schema (docs/cli.md lists the keys of every verb), written as <c>"schema_version"</c> at the
    /// top of every document. The major number changes when a key is renamed or removed (CHANGELOG.md lists every rename),
    /// the minor number when keys are added.
    /// </summary>
    public const string SchemaVersion = "1.0";

    /// <summary>Serializer options used for every document: indented, UTF-8 text unescaped (θ, τ², –).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>A number, or <c>null</c> when it is NaN or infinite.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>An array of numbers (NaN and infinities as <c>null</c>).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(Number).ToArray());

    /// <summary>An interval as a two-element array <c>[lower, upper]</c>.</summary>
    public static JsonArray Interval(double lower, double upper) => Numbers([lower, upper]);

    /// <summary>A confidence interval as <c>[lower, upper]</c> (its level and method go under their own keys where a document reports them).</summary>
    public static JsonArray Interval(ConfidenceInterval interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        return Interval(interval.Lower, interval.Upper);
    }

    /// <summary>Category counts keyed by the category's value (<c>{"1": 12, "2": 30, …}</c>), categories numbered from <paramref name="min"/>.</summary>
    public static JsonObject CategoryCounts(IReadOnlyList<int> counts, double min)
    {
        var o = new JsonObject();
        for (int c = 0; c < counts.Count; c++) o[((int)min + c).ToString(CultureInfo.InvariantCulture)] = counts[c];
        return o;
    }

    /// <summary>An array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>
    /// The data block: <c>{"rows_available", "rows_used", "excluded": [{"reason", "count", "lines"}]}</c>.
    /// </summary>
    public static JsonObject Usage(DataUsage usage) => new()
    {
        ["rows_available"] = usage.RowsAvailable,
        ["rows_used"] = usage.RowsUsed,
        ["excluded"] = new JsonArray(usage.Exclusions.IsDefaultOrEmpty ? [] : usage.Exclusions.Select(e => (JsonNode?)new JsonObject
        {
            ["reason"] = e.Reason,
            ["count"] = e.Count,
            ["lines"] = new JsonArray(e.Lines.IsDefaultOrEmpty ? [] : e.Lines.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        }).ToArray()),
    };

    /// <summary>
    /// Starts a result document with the keys every result has: <c>schema_version</c> (<see cref="SchemaVersion"/>),
    /// <c>n</c> (rows used), <c>data</c> and <c>warnings</c>. Add the result's own keys to the returned object.
    /// </summary>
    public static JsonObject Document(IAnalysisResult result) => new()
    {
        ["schema_version"] = SchemaVersion,
        ["n"] = result.Usage.RowsUsed,
        ["data"] = Usage(result.Usage),
        ["warnings"] = Strings(result.Warnings),
    };

    /// <summary>Serializes a node with <see cref="Options"/>.</summary>
    public static string Serialize(JsonNode node) => node.ToJsonString(Options);
}
