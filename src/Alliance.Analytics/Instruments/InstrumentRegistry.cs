using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alliance.Analytics.Data;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Instruments;

/// <summary>The error raised when an instrument key file does not follow the schema; the message names the file and field.</summary>
public sealed class InstrumentKeyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The instruments known to an analysis: the built-in entries (embedded JSON, one file per instrument) plus any user
/// key files, a later file replacing an entry with the same id. Immutable: <see cref="WithKeyFile"/> returns a new
/// registry.
/// </summary>
/// <example><code>
/// var registry = InstrumentRegistry.BuiltIn.WithKeyFile("my-wai-s.json");
/// Instrument waiSr = registry.Get("WAI-SR");
/// </code></example>
public sealed class InstrumentRegistry
{
    private static readonly Lazy<InstrumentRegistry> s_builtIn = new(LoadBuiltIn);
    private readonly ImmutableDictionary<string, Instrument> _byId;

    private InstrumentRegistry(ImmutableDictionary<string, Instrument> byId) => _byId = byId;

    /// <summary>The shipped instruments (WAI, WAI-S, WAI-SR, BR-WAI, SRS, TASC, ARM-5, HAq-II, CALPAS).</summary>
    public static InstrumentRegistry BuiltIn => s_builtIn.Value;

    /// <summary>All instruments, ordered by id.</summary>
    public IReadOnlyList<Instrument> All => _byId.Values.OrderBy(i => i.Id, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The instrument with id <paramref name="id"/> (case-insensitive), or null.</summary>
    public Instrument? Find(string id) => _byId.TryGetValue(id, out var i) ? i : null;

    /// <summary>The instrument with id <paramref name="id"/> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">When no instrument has that id; the message lists the known ids.</exception>
    public Instrument Get(string id) => Find(id) ?? throw new KeyNotFoundException(
        $"Unknown instrument '{id}'. Known instruments: {string.Join(", ", All.Select(i => i.Id))}. Add your own with InstrumentRegistry.WithKeyFile.");

    /// <summary>A registry with <paramref name="instrument"/> added, replacing any entry with the same id.</summary>
    public InstrumentRegistry With(Instrument instrument) => new(_byId.SetItem(instrument.Id, instrument));

    /// <summary>A registry with the instrument(s) in a key file added or replacing entries with the same id.</summary>
    /// <param name="path">A JSON file holding one instrument object, or an array of them (schema: docs/instruments.md).</param>
    /// <exception cref="InstrumentKeyException">When the file is missing, not JSON, or breaks the schema.</exception>
    public InstrumentRegistry WithKeyFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InstrumentKeyException($"{path}: cannot read the key file: {e.Message}", e);
        }
        var registry = this;
        foreach (var i in Parse(text, path)) registry = registry.With(i);
        return registry;
    }

    /// <summary>Parses instrument definitions (one object or an array) from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Name used in error messages and stored as <see cref="Instrument.Source"/>.</param>
    /// <exception cref="InstrumentKeyException">When the text breaks the schema; the message names the source and field.</exception>
    public static IReadOnlyList<Instrument> Parse(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new InstrumentKeyException($"{source}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        if (Presentation.JsonDuplicateKeys.Find(json) is { } problem)
            throw new InstrumentKeyException($"{source}: {problem}");
        return root switch
        {
            JsonArray arr => arr.Select((n, k) => ParseOne(n as JsonObject ?? throw new InstrumentKeyException($"{source}: element {k} is not an object"), source)).ToArray(),
            JsonObject obj => [ParseOne(obj, source)],
            _ => throw new InstrumentKeyException($"{source}: expected a JSON object (one instrument) or an array of them"),
        };
    }

    /// <summary>Serializes an instrument in the key-file schema (what <see cref="Parse"/> reads back).</summary>
    public static string ToJson(Instrument instrument)
    {
        var o = new JsonObject
        {
            ["id"] = instrument.Id,
            ["name"] = instrument.Name,
            ["items"] = instrument.ItemCount,
        };
        if (instrument.Scale.IsInteger)
        {
            o["points"] = instrument.Scale.Points;
            o["min"] = (int)instrument.Scale.Min;
        }
        else
        {
            o["continuous"] = true;
            o["min"] = instrument.Scale.Min;
            o["max"] = instrument.Scale.Max;
        }
        var anchors = new JsonObject();
        foreach (var a in instrument.Anchors) anchors[a.Key.ToString(CultureInfo.InvariantCulture)] = a.Value;
        o["anchors"] = anchors;
        o["subscales"] = new JsonArray(instrument.Subscales.Select(s => (JsonNode?)new JsonObject
        {
            ["name"] = s.Name,
            ["items"] = s.HasItems ? new JsonArray(s.Items.Select(i => (JsonNode?)i).ToArray()) : null,
        }).ToArray());
        o["reverse"] = new JsonArray(instrument.ReverseKeyed.Select(i => (JsonNode?)i).ToArray());
        o["score_rule"] = instrument.ScoreRule == ScoreRule.Sum ? "sum" : "mean";
        o["prorate_min_fraction"] = instrument.ProrateMinimumFraction;
        o["total"] = instrument.HasTotal;
        o["cutoffs"] = new JsonArray(instrument.CutOffs.Select(c => (JsonNode?)new JsonObject
        {
            ["score"] = c.Score,
            [c.Direction == CutOffDirection.AtOrBelow ? "at_or_below" : "at_or_above"] = c.Value,
            ["flag"] = c.Flag,
            ["label"] = c.Label,
        }).ToArray());
        o["requires_user_key"] = instrument.RequiresUserKey;
        o["forms"] = JsonOutput.Strings(instrument.Forms);
        o["status"] = instrument.Status == InstrumentStatus.Confirmed ? "confirmed" : "check";
        o["status_note"] = instrument.StatusNote;
        o["citation"] = instrument.Citation;
        return JsonOutput.Serialize(o);
    }

    private static InstrumentRegistry LoadBuiltIn()
    {
        var asm = typeof(InstrumentRegistry).Assembly;
        var builder = ImmutableDictionary.CreateBuilder<string, Instrument>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in asm.GetManifestResourceNames().Where(n => n.StartsWith("Alliance.Analytics.Instruments.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var stream = asm.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Missing resource {name}");
            using var reader = new StreamReader(stream);
            foreach (var i in Parse(reader.ReadToEnd(), "built-in " + name["Alliance.Analytics.Instruments.".Length..]))
                builder[i.Id] = i with { Source = "built-in" };
        }
        return new InstrumentRegistry(builder.ToImmutable());
    }

    private static Instrument ParseOne(JsonObject o, string source)
    {
        string id = Str(o, "id", source) ?? throw Missing("id");
        string where = $"{source}, instrument '{id}'";
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            "id", "name", "items", "points", "min", "max", "continuous", "anchors", "subscales", "reverse", "score_rule",
            "prorate_min_fraction", "total", "cutoffs", "requires_user_key", "forms", "status", "status_note", "citation",
            "schema_version", // written by `alliance instruments ID --format json`; not part of the instrument
        };
        foreach (var (key, _) in o)
            if (!known.Contains(key))
            {
                var near = NearestNames.Suggest(key, known);
                throw new InstrumentKeyException($"{where}: unknown field '{key}'{(near.Count > 0 ? $"; did you mean '{near[0]}'?" : "")} (fields: {string.Join(", ", known)})");
            }

        int items = Int(o, "items", where) ?? throw Missing("items");
        if (items < 1) throw new InstrumentKeyException($"{where}: 'items' must be at least 1, not {items}");

        ItemScale scale;
        bool continuous = Bool(o, "continuous", where) ?? false;
        if (continuous)
        {
            double min = Num(o, "min", where) ?? throw Missing("min");
            double max = Num(o, "max", where) ?? throw Missing("max");
            if (!(max > min)) throw new InstrumentKeyException($"{where}: 'max' ({max}) must exceed 'min' ({min})");
            scale = ItemScale.Continuous(min, max);
        }
        else
        {
            int points = Int(o, "points", where) ?? throw Missing("points");
            int min = Int(o, "min", where) ?? 1;
            if (points < 2) throw new InstrumentKeyException($"{where}: 'points' must be at least 2, not {points}");
            // min + points − 1 past int.MaxValue wrapped round to a negative maximum (found by fuzzing).
            if ((long)min + points - 1 > int.MaxValue)
                throw new InstrumentKeyException($"{where}: 'min' ({min}) and 'points' ({points}) put the highest category past {int.MaxValue}, the largest whole number");
            scale = ItemScale.Likert(points, min);
        }

        var anchors = ImmutableSortedDictionary.CreateBuilder<int, string>();
        if (o["anchors"] is JsonObject a)
            foreach (var (k, v) in a)
            {
                if (!int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || !scale.Contains(value))
                    throw new InstrumentKeyException($"{where}: anchor key '{k}' is not a value on the {scale} scale");
                anchors[value] = Label(v, $"{where}: anchor '{k}'");
            }
        else if (o["anchors"] is not null) throw new InstrumentKeyException($"{where}: 'anchors' must be an object mapping values to labels");

        var subscales = new List<Subscale>();
        if (o["subscales"] is JsonArray subs)
        {
            foreach (var (node, k) in subs.Select((n, k) => (n, k)))
            {
                if (node is not JsonObject so) throw new InstrumentKeyException($"{where}: subscales[{k}] is not an object");
                string name = Str(so, "name", where) ?? throw new InstrumentKeyException($"{where}: subscales[{k}] has no 'name'");
                var memb = so["items"] is null ? [] : ItemList(so["items"], $"{where}: subscales[{k}].items (subscale '{name}')", items);
                if (subscales.Any(s => Instrument.ToKey(s.Name) == Instrument.ToKey(name)) || Instrument.ToKey(name) == "total")
                    throw new InstrumentKeyException($"{where}: subscale name '{name}' is repeated or reserved");
                subscales.Add(new Subscale(name, memb));
            }
        }
        else if (o["subscales"] is not null) throw new InstrumentKeyException($"{where}: 'subscales' must be an array");

        var reverse = o["reverse"] is null ? [] : ItemList(o["reverse"], $"{where}: reverse", items);
        string rule = Str(o, "score_rule", where) ?? "sum";
        var scoreRule = rule switch
        {
            "sum" => ScoreRule.Sum,
            "mean" => ScoreRule.Mean,
            _ => throw new InstrumentKeyException($"{where}: 'score_rule' must be \"sum\" or \"mean\", not \"{rule}\""),
        };
        double prorate = Num(o, "prorate_min_fraction", where) ?? 0.8;
        if (!(prorate > 0 && prorate <= 1)) throw new InstrumentKeyException($"{where}: 'prorate_min_fraction' must be in (0, 1], not {prorate}");
        bool total = Bool(o, "total", where) ?? true;

        var scoreKeys = subscales.Select(s => s.Key).Append("total").ToHashSet(StringComparer.Ordinal);
        var cutoffs = new List<CutOff>();
        if (o["cutoffs"] is JsonArray cuts)
            foreach (var (node, k) in cuts.Select((n, k) => (n, k)))
            {
                if (node is not JsonObject co) throw new InstrumentKeyException($"{where}: cutoffs[{k}] is not an object");
                string score = Str(co, "score", where) ?? "total";
                if (!scoreKeys.Contains(Instrument.ToKey(score))) throw new InstrumentKeyException($"{where}: cutoffs[{k}] names score '{score}', which the instrument does not have");
                double? below = Num(co, "at_or_below", where), above = Num(co, "at_or_above", where);
                if (below.HasValue == above.HasValue) throw new InstrumentKeyException($"{where}: cutoffs[{k}] needs exactly one of 'at_or_below' or 'at_or_above'");
                string flag = Str(co, "flag", where) ?? throw new InstrumentKeyException($"{where}: cutoffs[{k}] has no 'flag'");
                cutoffs.Add(new CutOff(Instrument.ToKey(score), below.HasValue ? CutOffDirection.AtOrBelow : CutOffDirection.AtOrAbove,
                    below ?? above!.Value, Instrument.ToKey(flag), Str(co, "label", where) ?? flag));
            }

        string status = Str(o, "status", where) ?? "confirmed";
        return new Instrument
        {
            Id = id,
            Name = Str(o, "name", where) ?? id,
            ItemCount = items,
            Scale = scale,
            Anchors = anchors.ToImmutable(),
            Subscales = [.. subscales],
            ReverseKeyed = reverse,
            ScoreRule = scoreRule,
            ProrateMinimumFraction = prorate,
            HasTotal = total,
            CutOffs = [.. cutoffs],
            RequiresUserKey = Bool(o, "requires_user_key", where) ?? false,
            Forms = o["forms"] switch
            {
                null => [],
                JsonArray f => [.. f.Select((x, k) => Label(x, $"{where}: forms[{k}]"))],
                var other => throw new InstrumentKeyException($"{where}: 'forms' must be an array of strings, not {other.ToJsonString()}"),
            },
            Status = status switch
            {
                "confirmed" => InstrumentStatus.Confirmed,
                "check" => InstrumentStatus.Check,
                _ => throw new InstrumentKeyException($"{where}: 'status' must be \"confirmed\" or \"check\", not \"{status}\""),
            },
            StatusNote = Str(o, "status_note", where) ?? "",
            Citation = Str(o, "citation", where) ?? "",
            Source = source,
        };

        InstrumentKeyException Missing(string field) => new($"{source}: instrument{(o["id"] is null ? "" : $" '{o["id"]}'")} has no '{field}' field");
    }

    private static ImmutableArray<int> ItemList(JsonNode? node, string where, int itemCount)
    {
        if (node is not JsonArray arr) throw new InstrumentKeyException($"{where} must be an array of item numbers");
        var list = new List<int>();
        foreach (var (n, k) in arr.Select((n, k) => (n, k)))
        {
            if (n is not JsonValue v || !v.TryGetValue(out int item))
                throw new InstrumentKeyException($"{where}[{k}]: {n?.ToJsonString() ?? "null"} is not an item number");
            if (item < 1 || item > itemCount) throw new InstrumentKeyException($"{where}: item {item} is outside 1–{itemCount}");
            if (list.Contains(item)) throw new InstrumentKeyException($"{where}: item {item} is listed twice");
            list.Add(item);
        }
        return [.. list];
    }

    private static string Label(JsonNode? node, string where) => node switch
    {
        null => throw new InstrumentKeyException($"{where}: null is not a label (a string)"),
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw new InstrumentKeyException($"{where} must be a string, not {other.ToJsonString()}"),
    };

    private static string? Str(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw new InstrumentKeyException($"{where}: '{key}' must be a string, not {other.ToJsonString()}"),
    };

    private static int? Int(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out int i) => i,
        var other => throw new InstrumentKeyException($"{where}: '{key}' must be a whole number, not {other.ToJsonString()}"),
    };

    private static double? Num(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        var other => throw new InstrumentKeyException($"{where}: '{key}' must be a number, not {other.ToJsonString()}"),
    };

    private static bool? Bool(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out bool b) => b,
        var other => throw new InstrumentKeyException($"{where}: '{key}' must be true or false, not {other.ToJsonString()}"),
    };
}
