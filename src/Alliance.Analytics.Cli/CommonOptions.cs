using System.CommandLine;
using System.Globalization;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using Alliance.Analytics.Presentation;
using Alliance.Analytics.Sql;

namespace Alliance.Analytics.Cli;

/// <summary>The input formats the command reads: the library's built-in ones (CSV/TSV always) and those of the packages it ships with.</summary>
public static class InputFormats
{
    /// <summary>The registry every verb reads with.</summary>
    public static SourceFormatRegistry Registry { get; } = SourceFormatRegistry.BuiltIn;
}

/// <summary>Output formats a verb can write.</summary>
public enum OutputFormat
{
    /// <summary>Readable tables (the default on a terminal).</summary>
    Table,
    /// <summary>A JSON document with snake_case keys (docs/cli).</summary>
    Json,
    /// <summary>CSV, for verbs whose result is one table per row of data (score).</summary>
    Csv,
    /// <summary>Markdown tables.</summary>
    Markdown,
    /// <summary>An SPSS system file (.sav), for verbs whose result is one table per row of data (score); needs <c>--out</c>.</summary>
    Sav,
    /// <summary>An Excel workbook (.xlsx), for verbs whose result is one table per row of data (score); needs <c>--out</c>.</summary>
    Xlsx,
}

/// <summary>
/// The options that describe a data file, defined once and shared by every verb that reads one: they map one to one
/// onto <see cref="DataSpec"/> (flags override the file's sidecar) plus <c>--key</c> and <c>--drop-invalid</c>.
/// </summary>
public sealed class DataOptions
{
    /// <summary>The data file argument.</summary>
    public Argument<string?> File { get; } = new("file")
    {
        Description = "CSV, TSV, SPSS (.sav, .zsav), Stata (.dta), Excel (.xlsx, .xls) or Parquet (.parquet) file of item responses, one row per administration (docs/data-format.md); - reads standard input. Not given with --sql.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary><c>--sql</c>.</summary>
    public Option<string?> Sql { get; } = new("--sql") { Description = "Read the rows of this SQL query instead of a file (with --provider and --connection-env or --connection-file); NULL is missing.", HelpName = "QUERY" };

    /// <summary><c>--provider</c>.</summary>
    public Option<string?> Provider { get; } = ProviderOption();

    private static Option<string?> ProviderOption()
    {
        var option = new Option<string?>("--provider") { Description = "Database of --sql: sqlite (a database file) or postgres.", HelpName = "sqlite|postgres" };
        option.AcceptOnlyFromAmong([.. SqlProviders.Names]);
        return option;
    }

    /// <summary><c>--connection-env</c>.</summary>
    public Option<string?> ConnectionEnv { get; } = new("--connection-env") { Description = "Name of the environment variable that holds the connection string of --sql (never given on the command line, where ps would show it).", HelpName = "VAR" };

    /// <summary><c>--connection-file</c>.</summary>
    public Option<string?> ConnectionFile { get; } = new("--connection-file") { Description = "File whose content is the connection string of --sql.", HelpName = "FILE" };

    /// <summary><c>--items</c>.</summary>
    public Option<string?> Items { get; } = new("--items") { Description = "Item columns, comma-separated, in the instrument's item order (default: every column other than client_id, therapist_id, session, rater).", HelpName = "a,b,c" };

    /// <summary><c>--instrument</c>.</summary>
    public Option<string?> Instrument { get; } = new("--instrument") { Description = "Instrument id (see `alliance instruments`), e.g. WAI-SR (default: the sidecar's, else none).", HelpName = "ID" };

    /// <summary><c>--points</c>.</summary>
    public Option<int?> Points { get; } = new("--points") { Description = "Likert scale with K categories: values min … min+K−1, K at least 2 (default: the instrument's or the sidecar's).", HelpName = "K" };

    /// <summary><c>--min</c>.</summary>
    public Option<double?> Min { get; } = new("--min") { Description = "Lowest scale value (default 1, or the instrument's; 0 for scales such as the SRS's 0–10).", HelpName = "X" };

    /// <summary><c>--max</c>.</summary>
    public Option<double?> Max { get; } = new("--max") { Description = "Highest scale value of a continuous scale (with --continuous; default the instrument's or the sidecar's).", HelpName = "X" };

    /// <summary><c>--continuous</c>.</summary>
    public Option<bool> Continuous { get; } = new("--continuous") { Description = "Items are on a continuous (visual-analogue) scale from --min to --max (default: Likert)." };

    /// <summary><c>--missing-codes</c>.</summary>
    public Option<string?> MissingCodes { get; } = SharedOptions.MissingCodes();

    /// <summary><c>--delimiter</c>.</summary>
    public Option<string?> Delimiter { get; } = SharedOptions.Delimiter();

    /// <summary><c>--encoding</c>.</summary>
    public Option<string?> Encoding { get; } = SharedOptions.Encoding();

    /// <summary><c>--key</c>.</summary>
    public Option<string[]> Key { get; } = SharedOptions.Key();

    /// <summary><c>--input-format</c>.</summary>
    public Option<string?> InputFormat { get; } = new("--input-format")
    {
        Description = $"Format of the input: {string.Join(", ", InputFormats.Registry.Names)} (default: by the file's extension, else by its first bytes, else CSV/TSV).",
        HelpName = "FORMAT",
    };

    /// <summary><c>--sheet</c>.</summary>
    public Option<string?> Sheet { get; } = new("--sheet") { Description = "Worksheet of a spreadsheet to read, by name or 1-based number (default: the first).", HelpName = "NAME|N" };

    /// <summary><c>--drop-invalid</c>.</summary>
    public Option<bool> DropInvalid { get; } = SharedOptions.DropInvalid();

    /// <summary><c>--no-reverse</c>.</summary>
    public Option<bool> NoReverse { get; } = new("--no-reverse") { Description = "Do not apply the instrument's reverse keys (the file is already reverse-scored). Default: the keys apply to every analysis." };

    /// <summary><c>--reverse</c>.</summary>
    public Option<string?> Reverse { get; } = new("--reverse") { Description = "Also reverse these item columns (min + max − x on the scale), comma-separated; the instrument's own reverse keys apply without it.", HelpName = "a,b" };

    /// <summary><c>--administration</c>.</summary>
    public Option<string> Administration { get; } = new("--administration")
    {
        Description = "Which administrations of each client to use when clients have several: all (default: every row), first, last, or a session number.",
        HelpName = "all|first|last|N",
        DefaultValueFactory = _ => "all",
    };

    /// <summary>Adds the file argument and every data option to <paramref name="command"/>.</summary>
    /// <param name="command">The verb.</param>
    /// <param name="prepared">True for verbs that analyse the data (adds --drop-invalid, --no-reverse, --reverse and --administration); false for verbs that only read and check them.</param>
    public void AddTo(Command command, bool prepared = true)
    {
        command.Arguments.Add(File);
        foreach (var o in new Option[] { Items, Instrument, Points, Min, Max, Continuous, MissingCodes, Delimiter, Encoding, InputFormat, Sheet, Key })
            command.Options.Add(o);
        if (prepared)
            foreach (var o in new Option[] { DropInvalid, NoReverse, Reverse, Administration })
                command.Options.Add(o);
        foreach (var o in new Option[] { Sql, Provider, ConnectionEnv, ConnectionFile })
            command.Options.Add(o);
        command.Validators.Add(ValidateInput);
    }

    /// <summary>A file, or --sql with --provider and exactly one of --connection-env and --connection-file.</summary>
    private void ValidateInput(System.CommandLine.Parsing.CommandResult result)
    {
        bool file = result.GetResult(File) is { Tokens.Count: > 0 };
        bool sql = result.GetResult(Sql) is not null;
        bool env = result.GetResult(ConnectionEnv) is not null, connectionFile = result.GetResult(ConnectionFile) is not null;
        bool provider = result.GetResult(Provider) is not null;
        if (!sql)
        {
            if (!file) result.AddError("give a data file, or --sql QUERY with --provider and --connection-env or --connection-file");
            else if (provider || env || connectionFile) result.AddError("--provider, --connection-env and --connection-file go with --sql QUERY");
            return;
        }
        if (file) result.AddError("give either a data file or --sql QUERY, not both");
        if (!provider) result.AddError($"--sql needs --provider ({string.Join(" or ", SqlProviders.Names)})");
        if (env == connectionFile) result.AddError("--sql needs the connection string from exactly one of --connection-env VAR or --connection-file FILE (never on the command line)");
    }

    /// <summary>True when the rows come from --sql rather than a file.</summary>
    public bool ReadsSql(ParseResult parse) => parse.GetValue(Sql) is not null;

    /// <summary>The connection string of --sql: the value of the --connection-env variable, or the content of the --connection-file file (trimmed).</summary>
    /// <exception cref="AllianceInputException">When the variable is not set or empty.</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public string ConnectionString(ParseResult parse)
    {
        if (parse.GetValue(ConnectionEnv) is { } variable)
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value.Trim()
                : throw new AllianceInputException($"--connection-env: the environment variable {variable} is not set (or is empty); it should hold the connection string");
        string path = parse.GetValue(ConnectionFile)!;
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: file not found (--connection-file)", path);
        string text = System.IO.File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : throw new AllianceInputException($"--connection-file: {path} is empty; it should hold the connection string");
    }

    /// <summary>
    /// Reads and validates the input the flags name: the rows of <c>--sql</c> (described by the flags alone: a query
    /// has no sidecar) or the file argument (with its sidecar). Problems in the data are in the report.
    /// </summary>
    /// <exception cref="DataSpecException">When the connection fails or the query is refused (the connection string redacted).</exception>
    public LoadResult Read(ParseResult parse, CancellationToken cancellationToken)
    {
        var spec = ToSpec(parse);
        if (!ReadsSql(parse))
            return AllianceDataset.Read(parse.GetValue(File)!, spec, Registry(parse), InputFormats.Registry, cancellationToken);
        var registry = Registry(parse);
        using var source = SqlRecordSource.Open(parse.GetValue(Provider)!, ConnectionString(parse), parse.GetValue(Sql)!, cancellationToken);
        return AllianceDataset.Read(source, spec, registry, cancellationToken);
    }

    /// <summary>The <see cref="PreparationOptions"/> the flags describe: --drop-invalid, --no-reverse, --reverse and --administration.</summary>
    /// <exception cref="AllianceInputException">When --administration is not all, first, last or a number.</exception>
    public PreparationOptions ToPreparation(ParseResult parse) => new()
    {
        DropInvalidRows = parse.GetValue(DropInvalid),
        ApplyReverseKeys = !parse.GetValue(NoReverse),
        AlsoReverse = parse.GetValue(Reverse) is { } r ? DataSpec.SplitList(r) : [],
        Administrations = ParseAdministration(parse.GetValue(Administration)),
    };

    /// <summary>Parses an <c>--administration</c> value.</summary>
    /// <exception cref="AllianceInputException">When the value is not all, first, last or a session number.</exception>
    public static AdministrationSelection ParseAdministration(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "all" => AdministrationSelection.All,
        "first" => AdministrationSelection.First,
        "last" => AdministrationSelection.Last,
        var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && double.IsFinite(n) => AdministrationSelection.AtSession(n),
        var s => throw new AllianceInputException($"--administration must be all, first, last or a session number, not '{s}'"),
    };

    /// <summary>Builds the <see cref="DataSpec"/> the flags describe (unset flags stay unset, so the sidecar applies).</summary>
    /// <exception cref="AllianceInputException">When a flag's value is malformed.</exception>
    public DataSpec ToSpec(ParseResult parse)
    {
        char? delim = ParseDelimiter(parse.GetValue(Delimiter));
        int? points = parse.GetValue(Points);
        if (points is < 2) throw new AllianceInputException($"--points must be at least 2, not {points}");
        // An empty list would silently mean "every column": refuse it, as the user meant to name items.
        if (parse.GetValue(Items) is { } named && DataSpec.SplitList(named).IsEmpty)
            throw new AllianceInputException($"--items names no column ('{named}'): give the item columns, comma-separated, or leave --items out");
        return new DataSpec
        {
            Items = parse.GetValue(Items) is { } items ? DataSpec.SplitList(items) : null,
            Instrument = parse.GetValue(Instrument),
            Points = points,
            Min = parse.GetValue(Min),
            Max = parse.GetValue(Max),
            Continuous = parse.GetValue(Continuous) ? true : null,
            MissingCodes = parse.GetValue(MissingCodes) is { } codes ? DataSpec.SplitList(codes) : null,
            Delimiter = delim,
            Encoding = parse.GetValue(Encoding),
            Format = parse.GetValue(InputFormat),
            Sheet = parse.GetValue(Sheet),
        };
    }

    /// <summary>Parses a <c>--delimiter</c> value: one character, or <c>tab</c>; null when not given.</summary>
    /// <exception cref="AllianceInputException">When the value is neither.</exception>
    public static char? ParseDelimiter(string? value) => value switch
    {
        null => null,
        "tab" or "\\t" or "\t" => '\t',
        { Length: 1 } d => d[0],
        _ => throw new AllianceInputException($"--delimiter must be one character or 'tab', not '{value}'"),
    };

    /// <summary>The built-in instruments plus every <c>--key</c> file, in order.</summary>
    public InstrumentRegistry Registry(ParseResult parse) => RegistryFrom(parse.GetValue(Key));

    /// <summary>The built-in instruments plus the given key files.</summary>
    public static InstrumentRegistry RegistryFrom(IEnumerable<string>? keys)
    {
        var registry = InstrumentRegistry.BuiltIn;
        foreach (string key in keys ?? []) registry = registry.WithKeyFile(key);
        return registry;
    }

    /// <summary>
    /// Reads the file and prepares it once for the verb's analysis (<see cref="AnalysisData"/>): refused (with every
    /// error) when it has errors unless <c>--drop-invalid</c>; reverse keys applied unless <c>--no-reverse</c>;
    /// rows left out and what the preparation did are noted on stderr.
    /// </summary>
    /// <exception cref="DataValidationException">When the data have errors and --drop-invalid was not given.</exception>
    public AnalysisData Prepare(ParseResult parse, CliContext context)
    {
        var read = Read(parse, context.CancellationToken);
        return Noted(AnalysisData.Prepare(read.Dataset ?? throw new DataValidationException(read.Report), ToPreparation(parse)), parse, context);
    }

    /// <summary>Reads and prepares another file (e.g. <c>--link FILE2</c>, described by its own sidecar: <paramref name="spec"/> null) with the same preparation flags.</summary>
    /// <exception cref="DataValidationException">When the data have errors and --drop-invalid was not given.</exception>
    public AnalysisData Prepare(string path, DataSpec? spec, ParseResult parse, CliContext context)
    {
        var data = AnalysisData.Load(path, spec, ToPreparation(parse), Registry(parse), InputFormats.Registry, context.CancellationToken);
        return Noted(data, parse, context);
    }

    private static AnalysisData Noted(AnalysisData data, ParseResult parse, CliContext context)
    {
        string verb = parse.CommandResult.Command.Name;
        if (data.Usage.RowsExcluded > 0) context.Error.WriteLine("note: " + FlagNames.ForCli(data.Usage.ToString(), verb));
        foreach (string note in data.Notes) context.Notes.WriteLine("note: " + FlagNames.ForCli(note, verb));
        return data;
    }
}

/// <summary><c>--format</c> and <c>--out</c>, shared by every verb that prints a result.</summary>
public sealed class OutputOptions
{
    private readonly OutputFormat[] _allowed;

    /// <summary>Creates the options for a verb that supports <paramref name="allowed"/> formats.</summary>
    public OutputOptions(params OutputFormat[] allowed)
    {
        _allowed = allowed.Length == 0 ? [OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown] : allowed;
        Format = new Option<string?>("--format")
        {
            Description = $"Output format: {string.Join(", ", _allowed.Select(f => f.ToString().ToLowerInvariant()))} (default table, or from the --out extension).",
            HelpName = "FORMAT",
        };
        Format.AcceptOnlyFromAmong([.. _allowed.Select(f => f.ToString().ToLowerInvariant())]);
    }

    /// <summary><c>--format</c>.</summary>
    public Option<string?> Format { get; }

    /// <summary><c>--out</c>.</summary>
    public Option<string?> Out { get; } = new("--out") { Description = "Write the output to FILE (whole or not at all; default: standard output).", HelpName = "FILE" };

    /// <summary>Adds <c>--format</c> and <c>--out</c> to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Out);
    }

    /// <summary>The format asked for: <c>--format</c>, else from the <c>--out</c> extension, else table.</summary>
    public OutputFormat Resolve(ParseResult parse)
    {
        if (parse.GetValue(Format) is { } f) return Enum.Parse<OutputFormat>(f, ignoreCase: true);
        string ext = Path.GetExtension(parse.GetValue(Out) ?? "").ToLowerInvariant();
        var inferred = ext switch { ".json" => OutputFormat.Json, ".csv" => OutputFormat.Csv, ".md" => OutputFormat.Markdown, ".sav" => OutputFormat.Sav, ".xlsx" => OutputFormat.Xlsx, _ => OutputFormat.Table };
        return _allowed.Contains(inferred) ? inferred : OutputFormat.Table;
    }

    /// <summary>
    /// Writes <paramref name="result"/> in the resolved format to <c>--out</c> (atomically) or standard output.
    /// <paramref name="csv"/> supplies the CSV rendering for verbs that support it; <paramref name="text"/> overrides the table rendering.
    /// </summary>
    public void Write(ParseResult parse, CliContext context, IAnalysisResult result, Func<string>? csv = null, Func<string>? text = null,
        Func<ResultTable>? rows = null)
    {
        var format = Resolve(parse);
        if (format == OutputFormat.Sav)
        {
            var table = rows ?? throw new AllianceInputException("this verb has no .sav output; use --format table or json");
            string path = parse.GetValue(Out) ?? throw new AllianceInputException("--format sav writes a binary file: give --out FILE.sav");
            AtomicFile.WriteStream(path, stream => SavWriter.Write(stream, table()));
            context.Error.WriteLine($"wrote {path}");
            return;
        }
        if (format == OutputFormat.Xlsx)
        {
            var table = rows ?? throw new AllianceInputException("this verb has no .xlsx output; use --format table or json");
            string path = parse.GetValue(Out) ?? throw new AllianceInputException("--format xlsx writes a binary file: give --out FILE.xlsx");
            AtomicFile.WriteStream(path, stream => XlsxWriter.Write(stream, table()));
            context.Error.WriteLine($"wrote {path}");
            return;
        }
        string content = format switch
        {
            OutputFormat.Json => JsonOutput.Serialize(result.ToJson()) + "\n",
            OutputFormat.Markdown => result.Summary().ToMarkdown(),
            OutputFormat.Csv => csv?.Invoke() ?? throw new AllianceInputException("this verb has no CSV output; use --format table or json"),
            _ => text?.Invoke() ?? result.Summary().ToText(),
        };
        WriteText(parse, context, format == OutputFormat.Table || format == OutputFormat.Markdown ? FlagNames.ForCli(content, parse.CommandResult.Command.Name) : content);
    }

    /// <summary>Writes text to <c>--out</c> (atomically, and says where on stderr) or to standard output.</summary>
    public void WriteText(ParseResult parse, CliContext context, string content)
    {
        if (parse.GetValue(Out) is { } path)
        {
            AtomicFile.WriteAllText(path, content);
            context.Error.WriteLine($"wrote {path}");
        }
        else context.Out.Write(content);
    }

    /// <summary>True when the resolved format is JSON (progress is then never drawn).</summary>
    public bool IsJson(ParseResult parse) => Resolve(parse) == OutputFormat.Json;
}

/// <summary>Draws progress on stderr when it is a terminal: "stage … 45%", overwritten in place.</summary>
public sealed class ConsoleProgress(TextWriter error) : IProgress<AnalysisProgress>
{
    private string _last = "";

    /// <summary>A progress sink for a verb: drawing on an interactive terminal unless JSON was asked for; null otherwise.</summary>
    public static IProgress<AnalysisProgress>? For(CliContext context, bool json) =>
        context.Interactive && !json ? new ConsoleProgress(context.Error) : null;

    /// <inheritdoc/>
    public void Report(AnalysisProgress value)
    {
        string text = double.IsNaN(value.Fraction)
            ? value.Stage + " …"
            : $"{value.Stage} {(value.Fraction * 100).ToString("F0", CultureInfo.InvariantCulture)}%";
        if (text == _last) return;
        error.Write("\r" + text.PadRight(Math.Max(_last.Length, text.Length)));
        _last = text;
    }

    /// <summary>Clears the progress line.</summary>
    public void Done()
    {
        if (_last.Length > 0) error.Write("\r" + new string(' ', _last.Length) + "\r");
        _last = "";
    }
}
