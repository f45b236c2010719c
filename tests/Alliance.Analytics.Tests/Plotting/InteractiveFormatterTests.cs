using Alliance.Analytics.Data;
using Alliance.Analytics.Interactive;
using Alliance.Analytics.Scoring;
using Microsoft.DotNet.Interactive.Formatting;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Plotting;

public sealed class InteractiveFormatterTests
{
    [Fact]
    public void ResultsAndPlotsDisplayThemselvesAsHtml()
    {
        AllianceFormatters.Register();
        var m = ResponseMatrix.Create(new double[,] { { 1, 5 }, { 5, 5 }, { 4, 3 } }, ["a", "b"], ItemScale.Likert(5));
        var result = Descriptives.Describe(m);
        string html = result.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<table class=\"alliance-table\">", html);
        Assert.Contains("Descriptive statistics", html);
        string img = Alliance.Analytics.Plotting.DescriptivePlots.CategoryFrequencyChart(result).ToDisplayString(HtmlFormatter.MimeType);
        Assert.StartsWith("<img src=\"data:image/png;base64,", img);
    }
}
