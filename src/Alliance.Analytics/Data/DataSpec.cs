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

    /// <summary>
    /// Input format by name (<c>csv</c>, <c>tsv</c>, or a registered <see cref="ISourceFormat"/> such as <c>sav</c>);
    /// null means by the file's extension, else by its first bytes, else CSV/TSV text.
    /// </summary>
    public string? Format { get; init; }

    /// <summary>Worksheet of a spreadsheet, by name or 1-based number; null means the first.</summary>
    public string? Sheet { get; init; }

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
        Format = flags.Format ?? Format,
        Sheet = flags.Sheet ?? Sheet,
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
    /// <exception cref="DataSpecException">When the text is not JSON or breaks the schema: a field repeated, null, of the
    /// wrong type or out of range; the message names the file and the key path (<c>items[3]</c>).</exception>
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
        if (JsonDuplicateKeys.Find(json) is { } problem)
            throw new DataSpecException($"{source}: {problem}");
        var known = new[] { "items", "instrument", "points", "min", "max", "continuous", "missing_codes", "delimiter", "numeric_columns", "description", "encoding", "format", "sheet" };
        foreach (var (key, _) in o)
            if (!known.Contains(key))
            {
                var near = NearestNames.Suggest(key, known);
                throw new DataSpecException($"{source}: unknown field '{key}'{(near.Count > 0 ? $"; did you mean '{near[0]}'?" : "")} (fields: {string.Join(", ", known)})");
            }

        string? delimiter = Text(o, "delimiter", "a delimiter");
        if (delimiter is not null && delimiter != "\t" && delimiter.Length != 1)
            throw new DataSpecException($"{source}: delimiter: must be one character, not \"{delimiter}\"", property: "DataSpec.Delimiter");
        var spec = new DataSpec
        {
            Items = Names(o, "items", "DataSpec.Items"),
            Instrument = Text(o, "instrument", "an instrument id"),
            Points = Whole(o, "points"),
            Min = Number(o, "min", "DataSpec.Min"),
            Max = Number(o, "max", "DataSpec.Max"),
            Continuous = Flag(o, "continuous"),
            MissingCodes = Codes(o, "missing_codes"),
            Delimiter = delimiter?[0],
            NumericColumns = Names(o, "numeric_columns", "DataSpec.NumericColumns"),
            Description = Text(o, "description", "a description"),
            Encoding = Text(o, "encoding", "an encoding name"),
            Format = Text(o, "format", "a format name"),
            Sheet = Text(o, "sheet", "a sheet name or number"),
        };
        if (spec.Points is < 2) throw new DataSpecException($"{source}: points: must be at least 2, not {spec.Points}", property: "DataSpec.Points");
        return spec;

        // Each reader refuses a field that is present but null or of the wrong type, naming the key path.
        bool Present(JsonObject obj, string key, out JsonNode? node) => obj.TryGetPropertyValue(key, out node);

        DataSpecException Wrong(string path, JsonNode? node, string expected, string? property = null) =>
            new($"{source}: {path}: {(node is null ? "null" : node.ToJsonString())} is not {expected}{(node is null && !path.Contains('[', StringComparison.Ordinal) ? " (leave the field out to have it inferred)" : "")}", property: property);

        string? Text(JsonObject obj, string key, string expected)
        {
            if (!Present(obj, key, out var node)) return null;
            return node is JsonValue v && v.TryGetValue(out string? text) ? text : throw Wrong(key, node, expected + " (a string)");
        }

        int? Whole(JsonObject obj, string key)
        {
            if (!Present(obj, key, out var node)) return null;
            return node is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue
                ? (int)d : throw Wrong(key, node, "a whole number", "DataSpec.Points");
        }

        double? Number(JsonObject obj, string key, string property)
        {
            if (!Present(obj, key, out var node)) return null;
            return node is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? d : throw Wrong(key, node, "a number", property);
        }

        bool? Flag(JsonObject obj, string key)
        {
            if (!Present(obj, key, out var node)) return null;
            return node is JsonValue v && v.TryGetValue(out bool b) ? b : throw Wrong(key, node, "true or false", "DataSpec.Continuous");
        }

        ImmutableArray<string>? Names(JsonObject obj, string key, string property)
        {
            if (!Present(obj, key, out var node)) return null;
            string[] names = node switch
            {
                JsonValue v when v.TryGetValue(out string? text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                JsonArray a => [.. a.Select((x, k) => x is JsonValue v && v.TryGetValue(out string? name) && name.Trim().Length > 0
                    ? name.Trim() : throw Wrong($"{key}[{k}]", x, "a column name", property))],
                _ => throw Wrong(key, node, "a list of column names (an array of strings)", property),
            };
            for (int k = 0; k < names.Length; k++)
                if (Array.IndexOf(names, names[k]) is var first && first < k)
                    throw new DataSpecException($"{source}: {key}[{k}]: '{names[k]}' is already {key}[{first}]; name each column once", property: property);
            return [.. names];
        }

        ImmutableArray<string>? Codes(JsonObject obj, string key)
        {
            if (!Present(obj, key, out var node)) return null;
            return node switch
            {
                JsonValue v when v.TryGetValue(out string? text) => [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
                JsonArray a => [.. a.Select((x, k) => x switch
                {
                    JsonValue v when v.TryGetValue(out string? code) => code,
                    JsonValue v when v.TryGetValue(out double _) => v.ToJsonString(),
                    _ => throw Wrong($"{key}[{k}]", x, "a missing-value code (a string or a number)", "DataSpec.MissingCodes"),
                })],
                _ => throw Wrong(key, node, "a list of missing-value codes (an array)", "DataSpec.MissingCodes"),
            };
        }
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
