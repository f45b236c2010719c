using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>How AllianceCli.Report maps what a parallel loop throws: its workers' cause, not "internal error (AggregateException)".</summary>
public sealed class ReportTests
{
    [Fact]
    public void SeveralWorkersFailingTheSameWayAreReportedAsTheirCause()
    {
        var error = new StringWriter();
        var e = new AggregateException(new ArithmeticException("underflow"), new ArithmeticException("underflow"));
        Assert.Equal(ExitCodes.AnalysisFailed, AllianceCli.Report(e, error));
        Assert.Equal("analysis failed: underflow", error.ToString().Trim());
    }

    [Fact]
    public void CancelledWorkersAreACancellationAndMixedFailuresStayInternal()
    {
        Assert.Equal(ExitCodes.Cancelled, AllianceCli.Report(new AggregateException(new OperationCanceledException(), new TaskCanceledException()), new StringWriter()));
        var error = new StringWriter();
        Assert.Equal(ExitCodes.AnalysisFailed, AllianceCli.Report(new AggregateException(new ArithmeticException("a"), new NullReferenceException("b")), error));
        Assert.StartsWith("internal error", error.ToString(), StringComparison.Ordinal);
    }
}
