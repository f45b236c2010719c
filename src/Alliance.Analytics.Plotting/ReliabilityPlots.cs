using System.Globalization;
using Alliance.Analytics.Reliability;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>The plottables of an item-reliability chart, to style further.</summary>
/// <param name="RestCorrelations">Horizontal bars: each item's correlation with the rest of the scale (r.drop).</param>
/// <param name="AlphaIfDeleted">Markers: α of the scale without the item.</param>
/// <param name="Alpha">Vertical line at the scale's α: items whose marker lies right of it lower α.</param>
public sealed record ItemReliabilityPlottables(BarPlot RestCorrelations, Scatter AlphaIfDeleted, VerticalLine Alpha);

/// <summary>Plots of reliability results, in ScottPlot's idiom: <c>plot.Add.ItemReliability(scale)</c>.</summary>
public static class ReliabilityPlots
{
    /// <summary>
    /// Adds one horizontal bar per item for its item–rest correlation, a marker for α if the item is deleted, and a
    /// dashed vertical line at the scale's α (first item at the top). An item with a short bar and a marker right of
    /// the line weakens the scale.
    /// </summary>
    public static ItemReliabilityPlottables ItemReliability(this PlottableAdder add, ScaleReliability scale)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(scale);
        var palette = new ScottPlot.Palettes.Category10();
        int k = scale.ItemStatistics.Length;
        var bars = scale.ItemStatistics.Select((s, i) => new Bar
        {
            Position = k - i,
            Value = s.RestCorrelation,
            FillColor = palette.GetColor(0).WithAlpha(0.75),
            Orientation = Orientation.Horizontal,
            LineWidth = 0,
            Size = 0.6,
        }).ToList();
        var barPlot = add.Bars(bars);
        barPlot.LegendText = "item-rest r";
        double[] xs = [.. scale.ItemStatistics.Select(s => s.AlphaIfDeleted)];
        double[] ys = [.. Enumerable.Range(0, k).Select(i => (double)(k - i))];
        var markers = add.ScatterPoints(xs, ys);
        markers.Color = palette.GetColor(1);
        markers.MarkerSize = 9;
        markers.MarkerShape = MarkerShape.FilledDiamond;
        markers.LegendText = "alpha if deleted";
        var line = add.VerticalLine(scale.Alpha);
        line.Color = palette.GetColor(1);
        line.LinePattern = LinePattern.Dashed;
        line.LineWidth = 1.5f;
        line.LegendText = $"alpha = {scale.Alpha.ToString("F3", CultureInfo.InvariantCulture)}";
        return new ItemReliabilityPlottables(barPlot, markers, line);
    }

    /// <summary>A finished item-reliability chart: bars, markers, α line, item labels, axis label and legend.</summary>
    public static Plot ItemChart(ScaleReliability scale, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var plot = PlotExport.NewPlot();
        plot.Add.ItemReliability(scale);
        int k = scale.Items.Length;
        var ticks = scale.Items.Select((s, i) => new Tick(k - i, s)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        double low = Math.Min(0, scale.ItemStatistics.Min(s => Math.Min(s.RestCorrelation, s.AlphaIfDeleted)));
        plot.Axes.SetLimits(low, 1, 0.3, k + 0.7);
        plot.XLabel("correlation / alpha");
        plot.Title(title ?? $"{scale.Name}: item-rest correlations and alpha if deleted");
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }
}
