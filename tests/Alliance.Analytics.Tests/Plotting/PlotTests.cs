using Alliance.Analytics.Data;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Scoring;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Plotting;

public sealed class PlotTests
{
    [Fact]
    public void TheProjectFontIsInstalledSoLabelsRender()
    {
        // Without a font ScottPlot silently drops every label; .ci/run installs fonts-dejavu-core.
        Assert.True(PlotExport.FontAvailable(), $"font '{PlotExport.FontFamily}' not found: install fonts-dejavu-core");
    }

    [Fact]
    public void CategoryFrequencyChartRendersAStackedBarPerCategory()
    {
        var m = ResponseMatrix.Create(new double[,] { { 1, 5 }, { 5, 5 }, { 4, 3 } }, ["a", "b"], ItemScale.Likert(5));
        var d = Descriptives.Describe(m);
        var plot = DescriptivePlots.CategoryFrequencyChart(d);
        Assert.Equal(5, plot.GetPlottables().Count());
        byte[] png = PlotExport.ToPng(plot, 400, 300);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        Assert.Contains("% of answers", PlotExport.ToSvg(plot, 400, 300));
    }
}
