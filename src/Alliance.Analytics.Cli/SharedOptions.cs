using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Alliance.Analytics.Cli;

/// <summary>
/// Options that mean the same thing in every verb, declared once with one default and one validation each:
/// <c>--seed</c>, <c>--level</c>, <c>--bootstrap</c>, and the data-file options that verbs without a
/// <see cref="DataOptions"/> share (<c>--delimiter</c>, <c>--missing-codes</c>, <c>--drop-invalid</c>, <c>--key</c>).
/// A bad value is a parse error (exit 2) whose message names the option and the value.
/// </summary>
public static class SharedOptions
{
    // Options with a DefaultValueFactory show "[default: …]" in --help (System.CommandLine appends it), so the
    // descriptions below do not repeat the default.

    /// <summary>
    /// <c>--seed N</c>, defaulting to <see cref="Defaults.Seed"/> (the library's default, so a run without it equals
    /// the library called without a seed).
    /// </summary>
    /// <param name="of">What the seed drives, e.g. "the bootstrap".</param>
    public static Option<long> Seed(string of) => new("--seed")
    {
        Description = $"Seed of {of}; the same seed gives the same result.",
        HelpName = "N",
        DefaultValueFactory = _ => Defaults.Seed,
        CustomParser = result => Parse(result, "--seed", Defaults.Seed, "a whole number", (string s, out long v) =>
            long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v)),
    };

    /// <summary><c>--level P</c>, the confidence level of intervals: default <see cref="Defaults.Level"/>, and 0 &lt; P &lt; 1.</summary>
    /// <param name="of">What the level applies to (default "intervals").</param>
    public static Option<double> Level(string of = "intervals") => new("--level")
    {
        Description = $"Confidence level of {of}, between 0 and 1.",
        HelpName = "P",
        DefaultValueFactory = _ => Defaults.Level,
        CustomParser = result => Parse(result, "--level", Defaults.Level, "a number between 0 and 1 (e.g. 0.9)", (string s, out double v) =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && v is > 0 and < 1),
    };

    /// <summary>
    /// <c>--bootstrap N</c>, the number of bootstrap resamples. Each verb states its own default here; the bounds are
    /// checked in one place: at least <paramref name="minimum"/>, or 0 (no bootstrap) when <paramref name="allowZero"/>.
    /// </summary>
    /// <param name="defaultCount">The verb's default number of resamples, shown in the help.</param>
    /// <param name="of">What the resamples are for, e.g. "the BCa interval of r".</param>
    /// <param name="minimum">The fewest resamples that give a usable interval.</param>
    /// <param name="allowZero">True when 0 means "no bootstrap".</param>
    /// <param name="note">More help text, appended.</param>
    public static Option<int> Bootstrap(int defaultCount, string of, int minimum = 100, bool allowZero = false, string? note = null)
    {
        string max = Defaults.MaxResamples.ToString("N0", CultureInfo.InvariantCulture);
        string bounds = allowZero ? $"0 (none) or {minimum} to {max}" : $"{minimum} to {max}";
        return new Option<int>("--bootstrap")
        {
            Description = $"Bootstrap resamples for {of}: {bounds}{(note is null ? "" : "; " + note)}.",
            HelpName = "N",
            DefaultValueFactory = _ => defaultCount,
            CustomParser = result => Parse(result, "--bootstrap", defaultCount, "a whole number, " + bounds, (string s, out int v) =>
                int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v) && v <= Defaults.MaxResamples && (v >= minimum || (allowZero && v == 0))),
        };
    }

    /// <summary><c>--delimiter</c>: ',' or 'tab' (default by extension); parsed by <see cref="DataOptions.ParseDelimiter"/>.</summary>
    public static Option<string?> Delimiter() => new("--delimiter")
    {
        Description = "Field delimiter: one character such as ',' or ';', or 'tab' (default: by extension, .tsv and .tab tab, .csv ','; otherwise tab when the header has tabs and no commas).",
        HelpName = "CHAR",
        Validators = { result => { if (result.Tokens.Count == 1 && !IsDelimiter(result.Tokens[0].Value)) result.AddError($"--delimiter must be one character or 'tab', not '{result.Tokens[0].Value}'"); } },
    };

    /// <summary><c>--encoding</c>: the text encoding of the input (default: detected; maps onto <c>DataSpec.Encoding</c>).</summary>
    public static Option<string?> Encoding() => new("--encoding")
    {
        Description = "Text encoding of the file: utf-8, latin1 (ISO-8859-1), cp1252 (Windows-1252), utf-16le or utf-16be " +
            "(default: a byte-order mark's, else UTF-8; bytes that are not valid UTF-8 are an error, never replaced).",
        HelpName = "NAME",
        Validators = { result => { if (result.Tokens.Count == 1 && !IsEncoding(result.Tokens[0].Value)) result.AddError($"--encoding: unknown text encoding '{result.Tokens[0].Value}' (use utf-8, latin1, cp1252, utf-16le or utf-16be)"); } },
    };

    /// <summary><c>--missing-codes</c>: extra missing-value codes (empty fields and NA are always missing).</summary>
    public static Option<string?> MissingCodes() => new("--missing-codes")
    {
        Description = "Extra missing-value codes, comma-separated (default none; empty fields and NA are always missing).",
        HelpName = "-99,-999",
    };

    /// <summary><c>--drop-invalid</c>: leave out rows with validation errors instead of stopping.</summary>
    public static Option<bool> DropInvalid() => new("--drop-invalid")
    {
        Description = "Leave out rows with validation errors (reported with their lines) instead of stopping (default: stop with exit 2).",
    };

    /// <summary><c>--key FILE</c>, repeatable: instrument key files adding or overriding instruments.</summary>
    public static Option<string[]> Key() => new("--key")
    {
        Description = "Instrument key file (JSON, docs/instruments.md) adding or overriding an instrument; may be repeated (default: the built-in instruments only).",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>True when <paramref name="option"/> was given on the command line (not just defaulted).</summary>
    public static bool IsGiven(this CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>True when <paramref name="option"/> was given on the command line (not just defaulted).</summary>
    public static bool IsGiven(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>
    /// Adds a command validator that reads option values. An option whose value did not parse already carries its
    /// own error (exit 2); reading it would throw, so the validator is then skipped instead of crashing the parse.
    /// </summary>
    public static void AddValidator(this Command command, Action<CommandResult> validate) =>
        command.Validators.Add(result =>
        {
            try { validate(result); }
            catch (InvalidOperationException) { /* a value that failed to parse; its parse error is reported */ }
        });

    private delegate bool TryParse<T>(string text, out T value);

    private static T Parse<T>(ArgumentResult result, string name, T fallback, string expected, TryParse<T> tryParse)
    {
        if (result.Tokens.Count == 0) return fallback;
        string text = result.Tokens[0].Value;
        if (tryParse(text, out T value)) return value;
        result.AddError($"{name} must be {expected}, not '{text}'");
        return fallback;
    }

    private static bool IsEncoding(string value)
    {
        return Data.TextEncodings.IsKnown(value);
    }

    private static bool IsDelimiter(string value)
    {
        try { return DataOptions.ParseDelimiter(value) is not null; }
        catch (AllianceInputException) { return false; }
    }
}
