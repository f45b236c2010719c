namespace Alliance.Analytics.Cli;

/// <summary>The exit codes of every verb.</summary>
public static class ExitCodes
{
    /// <summary>The verb did its work.</summary>
    public const int Ok = 0;

    /// <summary>An analysis failed on valid input (or was cancelled).</summary>
    public const int AnalysisFailed = 1;

    /// <summary>Bad input or usage: a data error, a missing file, an unknown option or instrument.</summary>
    public const int BadInput = 2;
}
