using Alliance.Analytics.Scoring;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>Plots of descriptive results, in ScottPlot's idiom: <c>plot.Add.CategoryFrequencies(describe)</c>.</summary>
public static class DescriptivePlots
{
    /// <summary>
    /// Adds a stacked horizontal bar per item showing the share of answers in each category (palette colours, a
    /// legend entry per category), the standard picture of the ceiling skew in alliance ratings.
    /// </summary>
    /// <exception cref="ArgumentException">When the items are not on an integer scale.</exception>
    public static IReadOnlyList<BarPlot> CategoryFrequencies(this PlottableAdder add, DescriptiveResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Scale.IsInteger) throw new ArgumentException("Category frequencies need an integer (Likert) scale.", nameof(result));
        int k = result.Scale.Points!.Value;
        var palette = new ScottPlot.Palettes.Category10();
        var added = new List<BarPlot>();
        var left = new double[result.Items.Length];
        for (int c = 0; c < k; c++)
        {
            var bars = new List<Bar>();
            for (int i = 0; i < result.Items.Length; i++)
            {
                var item = result.Items[i];
                double share = item.N == 0 ? 0 : 100.0 * item.CategoryCounts[c] / item.N;
                bars.Add(new Bar
                {
                    Position = result.Items.Length - i,
                    ValueBase = left[i],
                    Value = left[i] + share,
                    FillColor = palette.GetColor(c),
                    Orientation = Orientation.Horizontal,
                    LineWidth = 0,
                });
                left[i] += share;
            }
            var plot = add.Bars(bars);
            plot.LegendText = ((int)result.Scale.Min + c).ToString(System.Globalization.CultureInfo.InvariantCulture);
            added.Add(plot);
        }
        return added;
    }

    /// <summary>A finished category-frequency chart: one stacked bar per item, axis labels, legend.</summary>
    public static Plot CategoryFrequencyChart(DescriptiveResult result, string? title = null)
    {
        var plot = PlotExport.NewPlot();
        plot.Add.CategoryFrequencies(result);
        var ticks = result.Items.Select((s, i) => new Tick(result.Items.Length - i, s.Name)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimitsX(0, 100);
        plot.XLabel("% of answers");
        plot.Title(title ?? "Category use per item");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
