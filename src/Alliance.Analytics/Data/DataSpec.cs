using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Data;

/// <summary>
/// What describes a data file: which columns are items (in the instrument's item order), the instrument, the
/// response scale, extra missing-value codes, the delimiter and columns that must be numeric. The same fields can
/// live in a JSON sidecar <c>&lt;file&gt;.alliance.json</c> so a data set describes itself; command-line flags
/// override it (<see cref="OverriddenBy"/>). Every field is optional: unset fields are inferred (docs/data-format.md).
/// </summary>
public sealed record DataSpec
{
    /// <summary>The standard id columns, recognised by name: <c>client_id</c>, <c>therapist_id</c>, <c>session</c>, <c>rater</c>.</summary>
    public static ImmutableArray<string> IdColumns { get; } = ["client_id", "therapist_id", "session", "rater"];

    /// <summary>Missing-value codes that always apply: the empty field and <c>NA</c>.</summary>
    public static ImmutableArray<string> StandardMissingCodes { get; } = ["", "NA"];

    /// <summary>Item columns in the instrument's item order; null means every column other than the id columns.</summary>
    public ImmutableArray<string>? Items { get; init; }

    /// <summary>Instrument id (e.g. "WAI-SR"); null when the items are not from a registered instrument.</summary>
    public string? Instrument { get; init; }

    /// <summary>Number of categories of a Likert scale (<c>--points K</c>: values Min … Min + K − 1).</summary>
    public int? Points { get; init; }

    /// <summary>Lowest scale value (<c>--min</c>; default 1, or the instrument's).</summary>
    public double? Min { get; init; }

    /// <summary>Highest scale value of a continuous scale (with <see cref="Continuous"/>).</summary>
    public double? Max { get; init; }

    /// <summary>True for a continuous (visual-analogue) scale on [Min, Max] rather than Likert categories.</summary>
    public bool? Continuous { get; init; }

    /// <summary>Extra missing-value codes (<c>--missing-codes -99,-999</c>), added to the empty field and NA.</summary>
    public ImmutableArray<string>? MissingCodes { get; init; }

    /// <summary>Field delimiter; null means by extension (<c>.tsv</c>/<c>.tab</c>: tab) or by sniffing the header.</summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// Text encoding of the file ("utf-8", "latin1", "cp1252", "utf-16le" …); null means detected: a byte-order mark
    /// (UTF-8, UTF-16 LE/BE), else UTF-8, and bytes that are not valid UTF-8 are an error naming line and byte offset.
    /// </summary>
    public string? Encoding { get; init; }

    /// <summary>Non-item columns that must hold numbers (text in them is an error).</summary>
    public ImmutableArray<string>? NumericColumns { get; init; }

    /// <summary>Free-text description of the data set (sidecar only; shown by <c>describe</c>).</summary>
    public string? Description { get; init; }

    /// <summary>An empty spec: everything inferred.</summary>
    public static DataSpec Empty { get; } = new();

    /// <summary>All missing-value codes in force: the standard ones plus <see cref="MissingCodes"/>.</summary>
    public ImmutableArray<string> AllMissingCodes => StandardMissingCodes.AddRange(MissingCodes ?? []).Distinct().ToImmutableArray();

    /// <summary>This spec with every field that <paramref name="flags"/> sets replaced by the flag's value.</summary>
    public DataSpec OverriddenBy(DataSpec? flags) => flags is null ? this : new DataSpec
    {
        Items = flags.Items ?? Items,
        Instrument = flags.Instrument ?? Instrument,
        Points = flags.Points ?? Points,
        Min = flags.Min ?? Min,
        Max = flags.Max ?? Max,
        Continuous = flags.Continuous ?? Continuous,
        MissingCodes = flags.MissingCodes ?? MissingCodes,
        Delimiter = flags.Delimiter ?? Delimiter,
        Encoding = flags.Encoding ?? Encoding,
        NumericColumns = flags.NumericColumns ?? NumericColumns,
        Description = flags.Description ?? Description,
    };

    /// <summary>The sidecar path for a data file: <c>&lt;file&gt;.alliance.json</c>.</summary>
    public static string SidecarPath(string dataPath) => dataPath + ".alliance.json";

    /// <summary>Reads the sidecar of <paramref name="dataPath"/>, or returns null when there is none.</summary>
    /// <exception cref="DataSpecException">When the sidecar exists but is not valid (the message names the file and field).</exception>
    public static DataSpec? ReadSidecar(string dataPath)
    {
        string path = SidecarPath(dataPath);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    /// <summary>Parses a sidecar document (schema in docs/data-format.md).</summary>
    /// <exception cref="DataSpecException">When the text is not JSON or breaks the schema.</exception>
    public static DataSpec Parse(string json, string source)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new DataSpecException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new DataSpecException($"{source}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        var known = new[] { "items", "instrument", "points", "min", "max", "continuous", "missing_codes", "delimiter", "numeric_columns", "description", "encoding" };
        foreach (var (key, _) in o)
            if (!known.Contains(key)) throw new DataSpecException($"{source}: unknown field '{key}' (fields: {string.Join(", ", known)})");
        try
        {
            string? delimiter = o["delimiter"]?.GetValue<string>();
            if (delimiter is not null && delimiter != "\t" && delimiter.Length != 1)
                throw new DataSpecException($"{source}: 'delimiter' must be one character, not \"{delimiter}\"", property: "DataSpec.Delimiter");
            var spec = new DataSpec
            {
                Items = StringList(o["items"]),
                Instrument = o["instrument"]?.GetValue<string>(),
                Points = o["points"]?.GetValue<int>(),
                Min = o["min"]?.GetValue<double>(),
                Max = o["max"]?.GetValue<double>(),
                Continuous = o["continuous"]?.GetValue<bool>(),
                MissingCodes = o["missing_codes"] is JsonArray codes
                    ? [.. codes.Select(c => c is JsonValue v && v.TryGetValue(out string? s) ? s : c!.ToJsonString())]
                    : null,
                Delimiter = delimiter?[0],
                Encoding = o["encoding"]?.GetValue<string>(),
                NumericColumns = StringList(o["numeric_columns"]),
                Description = o["description"]?.GetValue<string>(),
            };
            if (spec.Points is < 2) throw new DataSpecException($"{source}: 'points' must be at least 2, not {spec.Points}", property: "DataSpec.Points");
            return spec;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DataSpecException($"{source}: a field has the wrong type: {e.Message}", e);
        }

        static ImmutableArray<string>? StringList(JsonNode? node) => node switch
        {
            null => null,
            JsonArray a => [.. a.Select(x => x!.GetValue<string>())],
            JsonValue v when v.TryGetValue(out string? s) => [.. s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            _ => throw new FormatException("expected an array of column names"),
        };
    }

    /// <summary>Serializes the spec in the sidecar schema (unset fields omitted).</summary>
    public string ToJson()
    {
        var o = new JsonObject();
        if (Description is not null) o["description"] = Description;
        if (Instrument is not null) o["instrument"] = Instrument;
        if (Items is { } items) o["items"] = JsonOutput.Strings(items);
        if (Points is { } p) o["points"] = p;
        if (Min is { } min) o["min"] = min;
        if (Max is { } max) o["max"] = max;
        if (Continuous is { } c) o["continuous"] = c;
        if (MissingCodes is { } mc) o["missing_codes"] = JsonOutput.Strings(mc);
        if (Delimiter is { } d) o["delimiter"] = d.ToString();
        if (Encoding is { } enc) o["encoding"] = enc;
        if (NumericColumns is { } nc) o["numeric_columns"] = JsonOutput.Strings(nc);
        return JsonOutput.Serialize(o);
    }

    /// <summary>Parses a comma-separated list given on the command line ("q1,q2, q3").</summary>
    public static ImmutableArray<string> SplitList(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>A short description of the spec for output notes.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Instrument is not null) parts.Add("instrument " + Instrument);
        if (Items is { } items) parts.Add($"{items.Length} named items");
        if (Points is { } p) parts.Add($"{p} points");
        if (Min is { } min) parts.Add("min " + min.ToString(CultureInfo.InvariantCulture));
        if (Continuous == true) parts.Add("continuous");
        if (MissingCodes is { Length: > 0 } mc) parts.Add("missing codes " + string.Join(",", mc));
        return parts.Count == 0 ? "(inferred)" : string.Join("; ", parts);
    }
}

/// <summary>The error raised when a sidecar or a data specification is invalid; the message names the file and field.</summary>
/// <param name="message">What is wrong, naming the file and the sidecar field.</param>
/// <param name="inner">The underlying cause, if any.</param>
/// <param name="property">The <see cref="DataSpec"/> property the field sets ("DataSpec.Points"), when one field is at fault.</param>
public sealed class DataSpecException(string message, Exception? inner = null, string? property = null) : Exception(message, inner)
{
    /// <summary>The <see cref="DataSpec"/> property whose sidecar field is at fault ("DataSpec.Delimiter"), or null.</summary>
    public string? Property { get; } = property;
}
