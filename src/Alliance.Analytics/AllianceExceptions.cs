namespace Alliance.Analytics;

/// <summary>
/// The input does not suit the analysis (fewer than two items, a constant item, too few complete rows …). The
/// message says what and where. The CLI maps it to exit code 2 (bad input).
/// </summary>
public class AllianceInputException : ArgumentException
{
    /// <summary>Creates the exception with a message naming what is wrong and where.</summary>
    public AllianceInputException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public AllianceInputException(string message, Exception inner) : base(message, inner) { }
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
