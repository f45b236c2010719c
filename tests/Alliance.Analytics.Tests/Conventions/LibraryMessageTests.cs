using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Conventions;

/// <summary>
/// The library speaks to C# and notebook users too, who have no command line: its messages (exceptions, warnings,
/// notes, report lines) name the option record's property or the argument at fault, never a CLI flag or an
/// <c>alliance &lt;verb&gt;</c> command. The CLI translates property names into its own flags (issue 13).
/// </summary>
public sealed partial class LibraryMessageTests
{
    private static readonly Assembly Library = typeof(IAnalysisResult).Assembly;

    /// <summary>The CLI's verbs; "alliance VERB" in a library string is CLI advice.</summary>
    private static readonly string[] Verbs =
        ["analyze", "instruments", "validate", "score", "outcome", "describe", "irt", "formats", "simulate", "meta", "reliability"];

    /// <summary>
    /// Strings that match but are demonstrably not messages to a user of the library. Each says why. Keep it short:
    /// a message belongs in <see cref="LibraryMessageTests"/>'s failure list, not here.
    /// </summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        // Simulator.Command builds the command line that reproduces a simulated cohort: the simulation's provenance,
        // recorded in its manifest and README as a literal command (a C# user reproduces it with the same seed and
        // settings, which the manifest also lists). It is data about the run, not advice.
        ["alliance simulate"] = "Simulator.Command: provenance command line",
        ["--preset "] = "Simulator.Command: provenance command line",
        ["--seed "] = "Simulator.Command: provenance command line",
        ["--set "] = "Simulator.Command: provenance command line",
        [" --out DIR"] = "SimulationRun README: the reproduce line that follows Simulator.Command",
    };

    [GeneratedRegex(@"(^|[\s('""`\[,;:=])--[a-z][a-z-]*")]
    private static partial Regex FlagPattern();

    [Fact]
    public void NoLibraryStringNamesACliFlagOrCommand()
    {
        var command = new Regex(@"`alliance\b|\balliance (" + string.Join("|", Verbs) + @")\b(?= --| <|$| [A-Z]+\b| FILE| file\.| [a-z-]+\.csv)");
        var offenders = LibraryStrings()
            .Where(s => !Allowed.ContainsKey(s))
            .Where(s => FlagPattern().IsMatch(s) || command.IsMatch(s))
            .Distinct()
            .ToArray();
        Assert.True(offenders.Length == 0,
            "library strings naming a CLI flag or command (name the option property instead; the CLI maps it to its flag):\n  " +
            string.Join("\n  ", offenders));
    }

    [Fact]
    public void TheScanSeesTheLibrarysStrings()
    {
        // Guards the scan itself: a string every build contains must be among those read.
        var strings = LibraryStrings().ToHashSet(StringComparer.Ordinal);
        Assert.Contains(strings, s => s.Contains("Conditional ML exists only for Rasch models", StringComparison.Ordinal));
        Assert.Matches(FlagPattern(), "pass --drop-invalid to leave them out");
        Assert.Matches(FlagPattern(), "(--items)");
        Assert.DoesNotMatch(FlagPattern(), "responses 1--5");
        Assert.DoesNotMatch(FlagPattern(), "a – b");
    }

    [Fact]
    public void TheAllowListIsStillNeeded()
    {
        // An allowed string no longer in the library is a stale exemption; remove it.
        var strings = LibraryStrings().ToHashSet(StringComparer.Ordinal);
        Assert.All(Allowed.Keys, k => Assert.Contains(k, strings));
    }

    /// <summary>
    /// Every string literal in the library's IL (the user-string heap: <c>ldstr</c> operands, including the literal
    /// parts of interpolated strings), every string argument of a custom attribute (e.g. [Description] texts the
    /// CLI shows), and the text of every embedded resource except the instrument definitions (data, not messages).
    /// </summary>
    private static IEnumerable<string> LibraryStrings()
    {
        using var stream = File.OpenRead(Library.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var handle = MetadataTokens.UserStringHandle(1);
        var all = new List<string>();
        while (!handle.IsNil)
        {
            all.Add(md.GetUserString(handle));
            handle = md.GetNextHandle(handle);
        }

        foreach (var type in Library.GetTypes())
        {
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MemberInfo>().Append(type);
            foreach (var member in members)
                foreach (var attribute in member.GetCustomAttributesData())
                    foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
                        if (argument.Value is string s) all.Add(s);
        }

        foreach (string name in Library.GetManifestResourceNames())
        {
            // Instrument definitions are data, but their status notes reach users (instruments, refusals): scanned too.
            using var resource = Library.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(resource);
            all.AddRange(reader.ReadToEnd().Split('\n'));
        }
        return all;
    }
}
