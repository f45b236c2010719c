namespace Alliance.Analytics;

/// <summary>
/// The input does not suit the analysis (fewer than two items, a constant item, too few complete rows …). The
/// message says what and where, and names the option property or argument at fault the way a C# caller sets it
/// (<c>DataSpec.Items</c>, <c>ReliabilityOptions.Missing</c>), never a command-line flag; <see cref="Property"/> says
/// the same for programs. The CLI maps it to exit code 2 (bad input) and the property to its own flag.
/// </summary>
public class AllianceInputException : ArgumentException
{
    /// <summary>Creates the exception with a message naming what is wrong and where.</summary>
    public AllianceInputException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AllianceInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a message and the option property or argument at fault.</summary>
    /// <param name="message">What is wrong and where; readable on its own.</param>
    /// <param name="property">The property at fault, qualified by its record ("DataSpec.Items",
    /// "ReliabilityOptions.BootstrapReplicates"), or an argument name.</param>
    public AllianceInputException(string message, string? property) : base(message) => Property = property;

    /// <summary>
    /// The option property or argument at fault, qualified by the record that declares it ("DataSpec.Items",
    /// "ClientOutcomeOptions.Alliance", "LinkingOptions.Replicates"); null when no single setting is to blame
    /// (the data themselves are). A front end maps it to its own name for the setting (the CLI to its flag).
    /// </summary>
    public string? Property { get; }
}

/// <summary>
/// An analysis could not produce a result from valid input (e.g. a singular information matrix). Fits that merely
/// did not converge return a result marked as such instead of throwing. The CLI maps it to exit code 1.
/// </summary>
public class AnalysisFailedException : Exception
{
    /// <summary>Creates the exception with a message saying what failed and why.</summary>
    public AnalysisFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AnalysisFailedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Facts about this library for results to carry (design: a result remembers how it was made).</summary>
public static class LibraryInfo
{
    /// <summary>The library's informational version.</summary>
    public static string Version { get; } =
        typeof(LibraryInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
