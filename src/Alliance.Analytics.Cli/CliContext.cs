namespace Alliance.Analytics.Cli;

/// <summary>What every verb needs from its surroundings: the output streams, whether stderr is a terminal (for progress), and cancellation.</summary>
/// <param name="Out">Standard output (results).</param>
/// <param name="Error">Standard error (messages, progress).</param>
/// <param name="Interactive">True when stderr is a terminal, so progress may be drawn.</param>
/// <param name="CancellationToken">Cancelled by Ctrl+C.</param>
public sealed record CliContext(TextWriter Out, TextWriter Error, bool Interactive, CancellationToken CancellationToken)
{
    /// <summary>
    /// Notes about how the data were prepared (items reversed, administrations), printed on stderr after the verb
    /// has run, so that an error is the first thing a failed run prints.
    /// </summary>
    public StringWriter Notes { get; } = new();
}
