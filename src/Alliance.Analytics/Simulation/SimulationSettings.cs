using System.Collections.Immutable;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Alliance.Analytics.Simulation;

/// <summary>One setting of a simulation options record, as <c>--set key=value</c> names it.</summary>
/// <param name="Key">snake_case key (the property name: <c>TherapistAllianceSd</c> → <c>therapist_alliance_sd</c>).</param>
/// <param name="Type">"integer", "number", "number or default", "text", "true/false" or the enum's values ("phq9|oq45").</param>
/// <param name="Description">What it sets.</param>
/// <param name="Default">The value in force before any <c>--set</c>, as text ("default" for a measure-dependent default).</param>
public sealed record SimulationSetting(string Key, string Type, string Description, string Default);

/// <summary>
/// Maps <c>--set key=value</c> assignments onto the simulation options records (<see cref="CohortOptions"/>,
/// <see cref="StudySetOptions"/>): each settable property is a key, its name in snake_case. Values are parsed in the
/// invariant culture; nullable numbers accept <c>default</c> to restore the measure's default.
/// </summary>
public static class SimulationSettings
{
    /// <summary>Every setting of options type <typeparamref name="T"/>, with the values in force in <paramref name="current"/>.</summary>
    public static IReadOnlyList<SimulationSetting> List<T>(T current) where T : class
    {
        ArgumentNullException.ThrowIfNull(current);
        return [.. Properties<T>().Select(p => new SimulationSetting(ToKey(p.Name), TypeName(p.PropertyType),
            p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "", Format(p.GetValue(current))))];
    }

    /// <summary>Parses <c>key=value</c> assignments (as given on the command line) into pairs.</summary>
    /// <exception cref="AllianceInputException">When an assignment has no '=' or an empty key.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var list = new List<KeyValuePair<string, string>>();
        foreach (string a in assignments)
        {
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new AllianceInputException($"setting '{a}': expected key=value (e.g. clients=500)", "assignments");
            list.Add(new(a[..eq].Trim(), a[(eq + 1)..].Trim()));
        }
        return list;
    }

    /// <summary>
    /// A copy of <paramref name="options"/> with each setting replaced by its assigned value; later assignments of the
    /// same key win. The copy is validated by the caller (the simulators validate before running).
    /// </summary>
    /// <exception cref="AllianceInputException">When a key is unknown (the message lists the valid keys) or a value does not parse.</exception>
    public static T Apply<T>(T options, IEnumerable<KeyValuePair<string, string>> settings) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var byKey = Properties<T>().ToDictionary(p => ToKey(p.Name), StringComparer.OrdinalIgnoreCase);
        T copy = Clone(options);
        foreach (var (key, text) in settings)
        {
            string k = key.Replace('-', '_');
            if (!byKey.TryGetValue(k, out var property))
                throw new AllianceInputException($"unknown setting '{key}' (settings: {string.Join(", ", byKey.Keys)}; SimulationSettings.List describes them)", "settings");
            property.SetValue(copy, ParseValue(property, text));
        }
        return copy;
    }

    /// <summary>Every setting and its value, as a JSON object with snake_case keys (enums in lower case, unset nullable numbers as null).</summary>
    public static JsonObject ToJson<T>(T options) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = new JsonObject();
        foreach (var p in Properties<T>())
        {
            o[ToKey(p.Name)] = p.GetValue(options) switch
            {
                null => null,
                int i => i,
                long l => l,
                double d => Truth.Round(d),
                bool b => b,
                Enum e => e.ToString().ToLowerInvariant(),
                string s => s,
                var v => v.ToString(),
            };
        }
        return o;
    }

    /// <summary>snake_case of a PascalCase name: "TherapistAllianceSd" → "therapist_alliance_sd", "Tau2Between" → "tau2_between".</summary>
    public static string ToKey(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static IEnumerable<PropertyInfo> Properties<T>() =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<DescriptionAttribute>() is not null)
            .OrderBy(p => p.MetadataToken);

    private static T Clone<T>(T options) where T : class
    {
        var copyConstructor = typeof(T).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(T)])
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not a record with a copy constructor.");
        return (T)copyConstructor.Invoke([options]);
    }

    private static object? ParseValue(PropertyInfo property, string text)
    {
        string key = ToKey(property.Name);
        var type = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && (text.Equals("default", StringComparison.OrdinalIgnoreCase) || text.Length == 0)) return null;
        var target = underlying ?? type;
        if (target == typeof(int))
        {
            if (int.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)) return i;
            throw new AllianceInputException($"setting {key}: '{text}' is not a whole number");
        }
        if (target == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return d;
            throw new AllianceInputException($"setting {key}: '{text}' is not a number (use a decimal point, e.g. 0.25)");
        }
        if (target == typeof(bool))
        {
            if (bool.TryParse(text, out bool b)) return b;
            throw new AllianceInputException($"setting {key}: '{text}' is not true or false");
        }
        if (target.IsEnum)
        {
            if (Enum.GetNames(target).FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name) return Enum.Parse(target, name);
            throw new AllianceInputException($"setting {key}: '{text}' is not one of {string.Join(", ", Enum.GetNames(target).Select(n => n.ToLowerInvariant()))}");
        }
        if (target == typeof(string)) return text;
        throw new InvalidOperationException($"setting {key} has an unsupported type {type.Name}");
    }

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var t = underlying ?? type;
        string name = t == typeof(int) ? "integer" : t == typeof(double) ? "number" : t == typeof(bool) ? "true/false"
            : t.IsEnum ? string.Join("|", Enum.GetNames(t).Select(n => n.ToLowerInvariant())) : "text";
        return underlying is null ? name : name + " or default";
    }

    private static string Format(object? value) => value switch
    {
        null => "default",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString().ToLowerInvariant(),
        _ => value.ToString() ?? "",
    };

    /// <summary>The settings as a list of "key=value" assignments (for a command line), in declaration order.</summary>
    internal static ImmutableArray<string> Assignments(IEnumerable<KeyValuePair<string, string>> settings) =>
        [.. settings.Select(kv => kv.Key + "=" + kv.Value)];
}
