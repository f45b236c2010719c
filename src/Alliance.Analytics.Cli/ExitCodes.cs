namespace Alliance.Analytics.Cli;

/// <summary>The exit codes of every verb (docs/cli.md). <see cref="AllianceCli.Report"/> maps exceptions to them.</summary>
public static class ExitCodes
{
    /// <summary>The verb did its work.</summary>
    public const int Ok = 0;

    /// <summary>An analysis failed on valid input.</summary>
    public const int AnalysisFailed = 1;

    /// <summary>Bad input or usage: a data error, a missing file, an unknown option, verb, instrument or column, a bad option value.</summary>
    public const int BadInput = 2;

    /// <summary>The run was cancelled (Ctrl+C): 128 + SIGINT, as shells report an interrupted command.</summary>
    public const int Cancelled = 130;

    /// <summary>The run was stopped by SIGTERM: 128 + 15, as shells report a terminated command.</summary>
    public const int Terminated = 143;
}
