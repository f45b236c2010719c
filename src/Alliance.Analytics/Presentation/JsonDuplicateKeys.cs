using System.Text;
using System.Text.Json;

namespace Alliance.Analytics.Presentation;

/// <summary>
/// Finds a property name repeated within one JSON object (which <see cref="System.Text.Json.Nodes.JsonNode"/> would
/// otherwise report in .NET's words, or keep the last of), naming its key path (<c>subscales[1].name</c>), so the
/// sidecar and key-file parsers can refuse it in their own words.
/// </summary>
internal static class JsonDuplicateKeys
{
    /// <summary>The key path of the first repeated property name, or null when every object's names are distinct.</summary>
    /// <remarks>The text must already have parsed (comments and trailing commas allowed); this is a second, cheap pass.</remarks>
    public static string? Find(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // One frame per open container: the names seen (objects) or the next index (arrays), and the container's path.
        var frames = new Stack<(HashSet<string>? Names, int Index, string Path)>();
        string? pendingName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    string name = reader.GetString()!;
                    var top = frames.Peek();
                    string path = Join(top.Path, name);
                    if (!top.Names!.Add(name)) return path;
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
                default:
                    ValuePath(frames, ref pendingName);
                    break;
            }
        }
        return null;
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
