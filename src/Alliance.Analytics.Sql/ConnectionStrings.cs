using System.Text;
using System.Text.RegularExpressions;

namespace Alliance.Analytics.Sql;

/// <summary>Connection strings made safe to show: the values of secret keys are replaced by <c>***</c>.</summary>
public static partial class ConnectionStrings
{
    /// <summary>Keys whose values are secret (compared case-insensitively, spaces ignored): passwords, user names and keys.</summary>
    public static IReadOnlyList<string> SecretKeys { get; } =
        ["password", "pwd", "userid", "uid", "user", "username", "passfile", "sslpassword", "sslkey", "key", "accesstoken"];

    /// <summary>
    /// <paramref name="connectionString"/> with the value of every secret key (Password, Pwd, User ID, Username …)
    /// replaced by <c>***</c>; quoted values (<c>'…'</c> or <c>"…"</c>, with doubled quotes inside) are replaced whole.
    /// Other keys and values are kept as written. A string that cannot be split is shown as <c>***</c> whole
    /// rather than risk showing a secret.
    /// </summary>
    public static string Redact(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString)) return "";
        var sb = new StringBuilder();
        int i = 0, n = connectionString.Length;
        while (i < n)
        {
            int eq = connectionString.IndexOf('=', i);
            int semi = connectionString.IndexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq))
            {
                // A part without '=' (e.g. a trailing ';' or a stray word): kept as written.
                int end = semi < 0 ? n : semi + 1;
                sb.Append(connectionString, i, end - i);
                i = end;
                continue;
            }
            string key = connectionString[i..eq];
            sb.Append(key).Append('=');
            int v = eq + 1;
            while (v < n && connectionString[v] == ' ') v++;
            int valueEnd;
            if (v < n && connectionString[v] is '\'' or '"')
            {
                char q = connectionString[v];
                int j = v + 1;
                while (true)
                {
                    if (j >= n) return "***"; // unterminated quote: cannot tell where the secret ends
                    if (connectionString[j] == q)
                    {
                        if (j + 1 < n && connectionString[j + 1] == q) { j += 2; continue; }
                        break;
                    }
                    j++;
                }
                valueEnd = j + 1;
                while (valueEnd < n && connectionString[valueEnd] != ';') valueEnd++;
            }
            else
            {
                valueEnd = connectionString.IndexOf(';', v);
                if (valueEnd < 0) valueEnd = n;
            }
            string value = connectionString[(eq + 1)..valueEnd];
            sb.Append(IsSecret(key) && value.Trim().Length > 0 ? "***" : value);
            if (valueEnd < n) sb.Append(';');
            i = valueEnd + 1;
        }
        return sb.ToString();
    }

    /// <summary>True when <paramref name="key"/> (a connection-string key) names a secret.</summary>
    public static bool IsSecret(string key)
    {
        string k = Spaces().Replace(key, "").ToLowerInvariant();
        return SecretKeys.Contains(k);
    }

    /// <summary>Replaces every occurrence of the secret values of <paramref name="connectionString"/> in <paramref name="text"/> (a provider's message may quote them) by <c>***</c>, and the whole connection string by its redacted form.</summary>
    public static string RedactIn(string text, string connectionString)
    {
        if (string.IsNullOrEmpty(text) || string.IsNullOrEmpty(connectionString)) return text;
        string result = text.Replace(connectionString, Redact(connectionString), StringComparison.Ordinal);
        foreach (string secret in SecretValues(connectionString))
            if (secret.Length >= 3) result = result.Replace(secret, "***", StringComparison.Ordinal);
        return result;
    }

    private static IEnumerable<string> SecretValues(string connectionString)
    {
        foreach (string part in connectionString.Split(';'))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || !IsSecret(part[..eq])) continue;
            string value = part[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] is '\'' or '"' && value[^1] == value[0]) yield return value[1..^1];
            yield return value;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
