using System.Diagnostics;
using System.Text;
using Alliance.Analytics;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;
using SharpFuzz;

namespace Alliance.Analytics.Fuzz;

/// <summary>
/// Fuzz targets for the input readers (issue 14). Each target takes the bytes of one input and runs the library on
/// them; the documented bad-input exceptions (<see cref="DataSpecException"/>, <see cref="InstrumentKeyException"/>,
/// <see cref="AllianceInputException"/>, <see cref="DataValidationException"/> — the CLI's exit 2 in our words) are
/// expected and swallowed; anything else escapes and is a finding (a crash for afl-fuzz; an execution over the
/// timeout is a hang).
/// <list type="bullet">
/// <item><c>Alliance.Analytics.Fuzz TARGET</c>: under afl-fuzz (tests/fuzz/run.sh), SharpFuzz's out-of-process loop.</item>
/// <item><c>Alliance.Analytics.Fuzz TARGET FILE...</c>: replays files (no AFL), one line per file; exit 1 on a finding.</item>
/// <item><c>Alliance.Analytics.Fuzz mutate TARGET SECONDS SEEDDIR [OUTDIR]</c>: a seeded random mutation loop without AFL
/// (bit flips, byte insert/delete, splicing), for machines without afl-fuzz.</item>
/// </list>
/// </summary>
public static class Program
{
    /// <summary>The targets by name.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> Targets = new Dictionary<string, Action<byte[]>>
    {
        ["csv"] = Csv,
        ["sidecar"] = Sidecar,
        ["keys"] = Keys,
        ["sav"] = Sav,
        // Proves the pipeline reports findings: an input holding "!!" throws IndexOutOfRangeException (run.sh selftest 20).
        ["selftest"] = input => { if (input.AsSpan().IndexOf("!!"u8) >= 0) throw new IndexOutOfRangeException("selftest finding"); },
    };

    /// <summary>The exceptions a target may throw on bad input: ours, with a message naming file and place.</summary>
    public static bool IsExpected(Exception e) =>
        e is DataSpecException or InstrumentKeyException or AllianceInputException or DataValidationException;

    public static int Main(string[] args)
    {
        if (args.Length >= 4 && args[0] == "mutate")
            return Mutator.Run(args[1], TimeSpan.FromSeconds(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)),
                args[3], args.Length > 4 ? args[4] : Path.Combine("tests", "fuzz", "findings-mutate", args[1]), args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 1);
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Alliance.Analytics.Fuzz TARGET [FILE...]   (targets: {string.Join(", ", Targets.Keys)})");
            Console.Error.WriteLine("       Alliance.Analytics.Fuzz mutate TARGET SECONDS SEEDDIR [OUTDIR] [SEED]");
            return 2;
        }
        if (args.Length == 1)
        {
            // Under afl-fuzz: inputs arrive through SharpFuzz; expected exceptions are swallowed, the rest crash the run.
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                try { Bounded(target, copy.ToArray()); }
                catch (Exception e) when (IsExpected(e)) { }
            });
            return 0;
        }
        return Replay(args[0], target, args.Skip(1));
    }

    /// <summary>Runs <paramref name="target"/> on each file (or every file of a directory); prints the outcome of each.</summary>
    private static int Replay(string name, Action<byte[]> target, IEnumerable<string> paths)
    {
        int findings = 0;
        foreach (var path in paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
        {
            var outcome = RunOne(target, File.ReadAllBytes(path));
            if (outcome.IsFinding) findings++;
            Console.WriteLine($"{path}: {outcome.Describe()}");
            if (outcome.IsFinding && outcome.Error is { } error) Console.WriteLine(error);
        }
        Console.WriteLine($"{name}: {findings} finding{(findings == 1 ? "" : "s")}");
        return findings == 0 ? 0 : 1;
    }

    /// <summary>A hang is an execution over this long (as afl-fuzz -t 5000).</summary>
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(5);

    /// <summary>What one execution did.</summary>
    public sealed record Outcome(Exception? Error, TimeSpan Elapsed)
    {
        public bool IsHang => Elapsed > HangAfter;
        public bool IsFinding => IsHang || (Error is not null && !IsExpected(Error));
        public string Describe() =>
            (Error is null ? "ok" : IsExpected(Error) ? $"expected {Error.GetType().Name}: {Error.Message}" : $"FINDING {Error.GetType().FullName}: {Error.Message}")
            + (IsHang ? $" — FINDING hang: {Elapsed.TotalSeconds:F1} s" : "");
    }

    /// <summary>Runs the target once, timing it and capturing what it threw.</summary>
    public static Outcome RunOne(Action<byte[]> target, byte[] input)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            Bounded(target, input);
            return new(null, clock.Elapsed);
        }
        catch (Exception e)
        {
            return new(e, clock.Elapsed);
        }
    }

    /// <summary>The most one execution may allocate: far more than any reader needs for a fuzzed input (at most 1 MB).</summary>
    public const long MaxAllocatedBytes = 512L << 20;

    /// <summary>
    /// Runs the target and fails when it allocated more than <see cref="MaxAllocatedBytes"/>: a count in the input that
    /// sizes an allocation without being checked against the bytes there are (an OutOfMemory waiting for a larger lie).
    /// </summary>
    public static void Bounded(Action<byte[]> target, byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            target(input);
        }
        finally
        {
            // Also when the target threw (even an expected exception): the allocation came first.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > MaxAllocatedBytes)
                throw new AllocationLimitException($"invariant: {allocated >> 20} MB allocated for an input of {input.Length} bytes (limit {MaxAllocatedBytes >> 20} MB)");
        }
    }

    // ---- targets -------------------------------------------------------------------------------------------------

    /// <summary>Where the csv target writes its input file: ALLIANCE_FUZZ_TMP (run.sh sets and removes it), else the temp folder; one file per process.</summary>
    private static readonly string TempDirectory = Path.Combine(
        Environment.GetEnvironmentVariable("ALLIANCE_FUZZ_TMP") is { Length: > 0 } dir ? dir : Path.GetTempPath(), $"alliance-fuzz-{Environment.ProcessId}");

    /// <summary>
    /// The CSV/TSV reader behind AllianceDataset.Read: the bytes as a file without extension (so the delimiter is
    /// detected from the first line), header, strict decoding, quoting and the dataset builder. Problems in the data
    /// must come back in the report, never as an exception; a read that built no data set must say why.
    /// </summary>
    public static void Csv(byte[] input)
    {
        Directory.CreateDirectory(TempDirectory);
        string path = Path.Combine(TempDirectory, "input");
        File.WriteAllBytes(path, input);
        var result = AllianceDataset.Read(path, new DataSpec { Format = "csv" }, registry: null, formats: null);
        Check(result);
    }

    /// <summary>The SPSS reader over the bytes (<see cref="SavReader"/>), every case through the dataset builder.</summary>
    public static void Sav(byte[] input)
    {
        using var reader = new SavReader(new MemoryStream(input, writable: false), "input.sav");
        Check(AllianceDataset.Read(reader, spec: null));
    }

    /// <summary>A sidecar (<c>.alliance.json</c>) through <see cref="DataSpec.Parse"/>; what parsed must serialize and parse again.</summary>
    public static void Sidecar(byte[] input)
    {
        var spec = DataSpec.Parse(Decode(input), "input.alliance.json");
        _ = spec.ToString();
        string json = spec.ToJson();
        RoundTrip(() => DataSpec.Parse(json, "round-trip.alliance.json").ToJson(), json);
    }

    /// <summary>A key file through <see cref="InstrumentRegistry.Parse"/> (as WithKeyFile reads it); each instrument must serialize and parse again.</summary>
    public static void Keys(byte[] input)
    {
        var instruments = InstrumentRegistry.Parse(Decode(input), "input.json");
        var registry = InstrumentRegistry.BuiltIn;
        foreach (var instrument in instruments)
        {
            registry = registry.With(instrument);
            _ = instrument.Scale.ToString();
            string json = InstrumentRegistry.ToJson(instrument);
            RoundTrip(() => InstrumentRegistry.ToJson(InstrumentRegistry.Parse(json, "round-trip.json").Single()), json);
        }
    }

    /// <summary>
    /// What the library accepted and wrote must read back to the same thing: a failure here (even one of our own
    /// exceptions) is a finding, since the input itself was accepted.
    /// </summary>
    private static void RoundTrip(Func<string> again, string written)
    {
        string back;
        try { back = again(); }
        catch (Exception e) { throw new InvalidOperationException($"invariant: what was accepted and written does not parse again: {e.Message}\n{written}", e); }
        if (back != written) throw new InvalidOperationException($"invariant: written, read and written again differs:\n{written}\n---\n{back}");
    }

    /// <summary>Text as File.ReadAllText decodes it (BOM detected, else UTF-8).</summary>
    private static string Decode(byte[] input)
    {
        using var reader = new StreamReader(new MemoryStream(input), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Nothing silent: a read that built no data set names at least one error; every finding formats.</summary>
    private static void Check(LoadResult result)
    {
        foreach (var issue in result.Report.Issues) _ = issue.ToString();
        if (result.Dataset is null && result.Report.ErrorCount == 0)
            throw new InvalidOperationException("invariant: no data set was built, yet the report has no error");
        if (result.Dataset is { } data)
        {
            _ = data.ToString();
            _ = data.InvalidRowCount;
            // The prepared stage analyses take (invalid rows dropped, so more of it runs): never crashes.
            _ = AnalysisData.Prepare(data, new PreparationOptions { DropInvalidRows = true });
        }
    }
}

/// <summary>A fuzz finding: one execution allocated more than <see cref="Program.MaxAllocatedBytes"/>.</summary>
public sealed class AllocationLimitException(string message) : Exception(message);
