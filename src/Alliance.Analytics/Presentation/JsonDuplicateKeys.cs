using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Alliance.Analytics.Presentation;

/// <summary>
/// Finds what <see cref="System.Text.Json.Nodes.JsonNode"/> would otherwise report in .NET's words, keep silently,
/// or throw on only when a field is read: a property name repeated within one JSON object (JsonNode keeps the last
/// of it), and a name or string whose escapes hold half of a UTF-16 surrogate pair (<c>"\ud800"</c>: JsonNode
/// parses it, then throws InvalidOperationException when the field is read; found by fuzzing, tests/fuzz/RESULTS.md).
/// Each is named by its key path (<c>subscales[1].name</c>), so the sidecar and key-file parsers refuse it in their
/// own words.
/// </summary>
internal static class JsonDuplicateKeys
{
    /// <summary>
    /// The first problem as "key path: what is wrong" (<c>points: the field appears more than once (keep one)</c>),
    /// or null when every object's names are distinct and every name and string is text.
    /// </summary>
    /// <remarks>The text must already have parsed (comments and trailing commas allowed); this is a second, cheap pass.</remarks>
    public static string? Find(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // One frame per open container: the names seen (objects) or the next index (arrays), and the container's path.
        var frames = new Stack<(HashSet<string>? Names, int Index, string Path)>();
        string? pendingName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    var top = frames.Peek();
                    if (!TryGetString(ref reader, out string? name)) return HalfSurrogate(Join(top.Path, Raw(ref reader)), utf8, ref reader);
                    string path = Join(top.Path, name);
                    if (!top.Names!.Add(name)) return $"{path}: the field appears more than once (keep one)";
                    pendingName = path;
                    break;
                }
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    string path = ValuePath(frames, ref pendingName);
                    frames.Push((reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0, path));
                    break;
                }
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                case JsonTokenType.String:
                {
                    string path = ValuePath(frames, ref pendingName);
                    if (!TryGetString(ref reader, out _)) return HalfSurrogate(path.Length == 0 ? "the document" : path, utf8, ref reader);
                    break;
                }
                default:
                    ValuePath(frames, ref pendingName);
                    break;
            }
        }
        return null;
    }

    /// <summary>The token's text; false when its escapes hold half of a surrogate pair, which is not text.</summary>
    private static bool TryGetString(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>The token as written (escapes kept), shortened for a message.</summary>
    private static string Raw(ref Utf8JsonReader reader)
    {
        string raw = Encoding.UTF8.GetString(reader.ValueSpan);
        return raw.Length > 40 ? raw[..37] + "..." : raw;
    }

    private static string HalfSurrogate(string path, byte[] utf8, ref Utf8JsonReader reader)
    {
        int line = 1 + utf8.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
        return $"{path} (line {line}): \"{Raw(ref reader)}\" holds half of a UTF-16 surrogate pair (an escape \\uD800 … \\uDFFF without its partner), " +
            "which is not a character; write the character itself, or both escapes of the pair";
    }

    /// <summary>The path of the value about to be read, advancing the index of an enclosing array.</summary>
    private static string ValuePath(Stack<(HashSet<string>? Names, int Index, string Path)> frames, ref string? pendingName)
    {
        if (frames.Count == 0) return "";
        var top = frames.Peek();
        if (top.Names is not null)
        {
            string path = pendingName ?? top.Path;
            pendingName = null;
            return path;
        }
        frames.Pop();
        frames.Push((null, top.Index + 1, top.Path));
        return $"{top.Path}[{top.Index}]";
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
}
