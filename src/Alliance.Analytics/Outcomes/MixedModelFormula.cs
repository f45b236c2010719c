using System.Collections.Immutable;
using System.Text;

namespace Alliance.Analytics.Outcomes;

/// <summary>A fixed-effect term: the product of one or more numeric variables (<c>alliance:session</c>), or the intercept.</summary>
/// <param name="Variables">The variables multiplied; empty for the intercept.</param>
public sealed record FixedTerm(ImmutableArray<string> Variables)
{
    /// <summary>The intercept.</summary>
    public static FixedTerm Intercept { get; } = new(ImmutableArray<string>.Empty);

    /// <summary>The term as lme4 names it: "(Intercept)" or "a:b".</summary>
    public string Name => Variables.IsEmpty ? "(Intercept)" : string.Join(":", Variables);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// A random-effect term <c>(1 + session | therapist)</c>: an intercept and/or slopes, with an unstructured covariance,
/// varying over the levels of a grouping factor. <paramref name="Grouping"/> lists the factors whose combinations
/// define the groups (<c>therapist/client</c> expands to <c>therapist</c> and <c>therapist, client</c>).
/// </summary>
/// <param name="Intercept">Whether the term has a random intercept.</param>
/// <param name="Slopes">Numeric variables with random slopes.</param>
/// <param name="Grouping">The grouping factors, outer to inner; the groups are their combinations.</param>
/// <param name="GroupName">The group's name as lme4 prints it: as written for <c>a:b</c>, inner first
/// (<c>client:therapist</c>) for the inner term of <c>therapist/client</c>.</param>
public sealed record RandomTerm(bool Intercept, ImmutableArray<string> Slopes, ImmutableArray<string> Grouping, string GroupName)
{
    /// <summary>Names of the term's columns ("(Intercept)", "session").</summary>
    public ImmutableArray<string> ColumnNames => Intercept ? ["(Intercept)", .. Slopes] : Slopes;

    /// <inheritdoc/>
    public override string ToString() => $"({(Intercept ? "1" : "0")}{string.Concat(Slopes.Select(s => " + " + s))} | {GroupName})";
}

/// <summary>
/// A linear mixed model formula in lme4's notation: <c>y ~ 1 + x + a:b + (1 + session | client) + (1 | therapist)</c>.
/// Supported: numeric predictors and their products (<c>:</c>), the intercept (<c>0</c> or <c>-1</c> removes it),
/// random terms <c>(… | g)</c> with intercept and slopes and an unstructured covariance, nesting <c>(… | g1/g2)</c> and
/// interactions of grouping factors <c>(… | g1:g2)</c>.
/// Categorical fixed effects and <c>||</c> are not supported (code dummies as numeric columns).
/// </summary>
/// <param name="Response">The response variable.</param>
/// <param name="Fixed">Fixed-effect terms, the intercept first when present.</param>
/// <param name="Random">Random-effect terms.</param>
/// <param name="Text">The formula as written.</param>
public sealed record MixedModelFormula(string Response, ImmutableArray<FixedTerm> Fixed, ImmutableArray<RandomTerm> Random, string Text)
{
    /// <summary>Parses a formula.</summary>
    /// <exception cref="AllianceInputException">When the text is not a formula of the supported form (the message shows where).</exception>
    public static MixedModelFormula Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int tilde = text.IndexOf('~', StringComparison.Ordinal);
        if (tilde < 0) throw Error(text, "expected 'response ~ terms'");
        string response = text[..tilde].Trim();
        if (!IsName(response)) throw Error(text, $"the response '{response}' is not a column name");
        var terms = SplitTopLevel(text[(tilde + 1)..], text);
        bool intercept = true;
        var fixedTerms = new List<FixedTerm>();
        var random = new List<RandomTerm>();
        foreach (var (sign, raw) in terms)
        {
            string term = raw.Trim();
            if (term.Length == 0) throw Error(text, "an empty term");
            if (term.StartsWith('('))
            {
                if (!term.EndsWith(')')) throw Error(text, $"unbalanced parentheses in '{term}'");
                if (sign < 0) throw Error(text, "a random term cannot be removed with '-'");
                random.AddRange(ParseRandom(term[1..^1], text));
                continue;
            }
            if (term == "1") { intercept = sign > 0; continue; }
            if (term == "0") { intercept = false; continue; }
            if (sign < 0) throw Error(text, $"only the intercept can be removed ('- 1'), not '{term}'");
            var vars = term.Split(':', StringSplitOptions.TrimEntries);
            foreach (var v in vars) if (!IsName(v)) throw Error(text, $"'{v}' is not a column name (in term '{term}')");
            var ft = new FixedTerm([.. vars]);
            if (!fixedTerms.Any(f => f.Name == ft.Name)) fixedTerms.Add(ft);
        }
        if (intercept) fixedTerms.Insert(0, FixedTerm.Intercept);
        if (fixedTerms.Count == 0) throw Error(text, "the model has no fixed effects");
        return new MixedModelFormula(response, [.. fixedTerms], [.. random], text.Trim());
    }

    private static IEnumerable<RandomTerm> ParseRandom(string inside, string text)
    {
        int bar = inside.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0) throw Error(text, $"expected '(terms | group)' in '({inside})'");
        if (bar + 1 < inside.Length && inside[bar + 1] == '|') throw Error(text, "'||' (uncorrelated random effects) is not supported; write separate terms");
        bool intercept = true;
        var slopes = new List<string>();
        foreach (var (sign, raw) in SplitTopLevel(inside[..bar], text))
        {
            string t = raw.Trim();
            if (t == "1") { intercept = sign > 0; continue; }
            if (t == "0") { intercept = false; continue; }
            if (!IsName(t) || sign < 0) throw Error(text, $"'{t}' in a random term must be 1, 0 or a numeric column name");
            if (!slopes.Contains(t)) slopes.Add(t);
        }
        if (!intercept && slopes.Count == 0) throw Error(text, $"the random term '({inside})' has no columns");
        string grouping = inside[(bar + 1)..].Trim();
        bool nested = grouping.Contains('/', StringComparison.Ordinal);
        if (nested && grouping.Contains(':', StringComparison.Ordinal)) throw Error(text, $"mix of '/' and ':' in the grouping '{grouping}'");
        var groups = grouping.Split(nested ? '/' : ':', StringSplitOptions.TrimEntries);
        foreach (var g in groups) if (!IsName(g)) throw Error(text, $"'{g}' is not a grouping column name");
        if (!nested)
        {
            yield return new RandomTerm(intercept, [.. slopes], [.. groups], grouping.Replace(" ", "", StringComparison.Ordinal));
            yield break;
        }
        for (int k = 1; k <= groups.Length; k++)
            yield return new RandomTerm(intercept, [.. slopes], [.. groups.Take(k)], string.Join(":", groups.Take(k).Reverse()));
    }

    // Splits "a + b - 1 + (x + y | g)" at top-level + and −, with the sign of each part.
    private static List<(int Sign, string Term)> SplitTopLevel(string s, string text)
    {
        var parts = new List<(int, string)>();
        var sb = new StringBuilder();
        int depth = 0, sign = 1;
        foreach (char ch in s)
        {
            if (ch == '(') depth++;
            if (ch == ')') { depth--; if (depth < 0) throw Error(text, "unbalanced parentheses"); }
            if (depth == 0 && (ch == '+' || ch == '-'))
            {
                if (sb.ToString().Trim().Length > 0) parts.Add((sign, sb.ToString()));
                else if (ch == '+' && parts.Count > 0) throw Error(text, "two '+' in a row");
                sb.Clear();
                sign = ch == '+' ? 1 : -1;
                continue;
            }
            sb.Append(ch);
        }
        if (depth != 0) throw Error(text, "unbalanced parentheses");
        if (sb.ToString().Trim().Length > 0) parts.Add((sign, sb.ToString()));
        else throw Error(text, "the formula ends with an operator or has no terms");
        return parts;
    }

    private static bool IsName(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || c is '_' or '.') && !char.IsDigit(s[0]);

    private static AllianceInputException Error(string text, string what) => new($"formula '{text}': {what}");

    /// <inheritdoc/>
    public override string ToString() => Text;
}
