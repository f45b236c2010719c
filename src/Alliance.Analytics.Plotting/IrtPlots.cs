using System.Globalization;
using Alliance.Analytics.Irt;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>
/// Plots of item response models in ScottPlot's idiom: <c>plot.Add.CategoryCurves(fit, item)</c>,
/// <c>plot.Add.InformationCurve(fit)</c>, <c>plot.Add.WrightMap(fit)</c>, each returning the plottables to style, and
/// finished charts (<see cref="CategoryCurveChart"/>, <see cref="InformationChart"/>, <see cref="WrightMapChart"/>).
/// </summary>
public static class IrtPlots
{
    private static double[] Grid(double from, double to, int points) =>
        [.. Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1))];

    /// <summary>Adds one line per category of <paramref name="item"/>: P(X = k | θ) over θ in [from, to]; legend text is the category value.</summary>
    public static IReadOnlyList<Scatter> CategoryCurves(this PlottableAdder add, IrtFit fit, int item, double from = -4, double to = 4)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if ((uint)item >= (uint)fit.Items.Length) throw new ArgumentOutOfRangeException(nameof(item));
        var theta = Grid(from, to, 161);
        var probs = theta.Select(t => fit.CategoryProbabilities(item, t)).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var lines = new List<Scatter>();
        for (int c = 0; c < fit.Items[item].Categories.Length; c++)
        {
            var s = add.Scatter(theta, [.. probs.Select(p => p[c])]);
            s.MarkerSize = 0;
            s.LineWidth = 2;
            s.Color = palette.GetColor(c);
            s.LegendText = fit.Items[item].Categories[c].ToString(CultureInfo.InvariantCulture);
            lines.Add(s);
        }
        return lines;
    }

    /// <summary>Adds the expected score curve of <paramref name="item"/> (in scale units) over θ.</summary>
    public static Scatter ExpectedScoreCurve(this PlottableAdder add, IrtFit fit, int item, double from = -4, double to = 4)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var theta = Grid(from, to, 161);
        double min = fit.Items[item].Categories[0];
        var s = add.Scatter(theta, [.. theta.Select(t => min + fit.ExpectedScore(item, t))]);
        s.MarkerSize = 0;
        s.LineWidth = 2;
        s.LegendText = fit.Items[item].Name;
        return s;
    }

    /// <summary>Adds the test information curve (and, when <paramref name="items"/> is true, each item's) over θ.</summary>
    public static IReadOnlyList<Scatter> InformationCurve(this PlottableAdder add, IrtFit fit, bool items = false, double from = -4, double to = 4)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var theta = Grid(from, to, 161);
        var lines = new List<Scatter>();
        var test = add.Scatter(theta, [.. theta.Select(fit.TestInformation)]);
        test.MarkerSize = 0;
        test.LineWidth = 3;
        test.Color = Colors.Black;
        test.LegendText = "test";
        lines.Add(test);
        if (items)
        {
            var palette = new ScottPlot.Palettes.Category10();
            for (int j = 0; j < fit.Items.Length; j++)
            {
                var s = add.Scatter(theta, [.. theta.Select(t => fit.ItemInformation(j, t))]);
                s.MarkerSize = 0;
                s.LineWidth = 1;
                s.Color = palette.GetColor(j);
                s.LegendText = fit.Items[j].Name;
                lines.Add(s);
            }
        }
        return lines;
    }

    /// <summary>
    /// Adds a Wright map: a histogram of the person measures (bars to the left of 0) and the item thresholds (markers
    /// to the right, one column per item, labelled), on one vertical logit scale. Infinite measures are left out.
    /// </summary>
    public static (BarPlot Persons, IReadOnlyList<Markers> Thresholds) WrightMap(this PlottableAdder add, IrtFit fit, double binWidth = 0.25)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var measures = fit.Persons.Select(p => p.Theta).Where(double.IsFinite).ToArray();
        var bars = new List<Bar>();
        if (measures.Length > 0)
        {
            double lo = Math.Floor(measures.Min() / binWidth) * binWidth;
            var counts = new SortedDictionary<int, int>();
            foreach (double t in measures)
            {
                int b = (int)Math.Floor((t - lo) / binWidth);
                counts[b] = counts.GetValueOrDefault(b) + 1;
            }
            double max = counts.Values.Max();
            foreach (var (b, n) in counts)
                bars.Add(new Bar
                {
                    Position = lo + (b + 0.5) * binWidth,
                    ValueBase = 0,
                    Value = -n / max,
                    Orientation = Orientation.Horizontal,
                    Size = binWidth * 0.9,
                    FillColor = Colors.SteelBlue,
                    LineWidth = 0,
                });
        }
        var persons = add.Bars(bars);
        persons.LegendText = "persons";
        var palette = new ScottPlot.Palettes.Category10();
        var markers = new List<Markers>();
        for (int j = 0; j < fit.Items.Length; j++)
        {
            var b = fit.Items[j].B.ToArray();
            double x = 0.3 + 0.6 * j / Math.Max(1, fit.Items.Length - 1);
            var mk = add.Markers(Enumerable.Repeat(x, b.Length).ToArray(), b);
            mk.Color = palette.GetColor(j % 10);
            mk.MarkerSize = 7;
            markers.Add(mk);
        }
        return (persons, markers);
    }

    /// <summary>A finished chart of the category probability curves of one item.</summary>
    public static Plot CategoryCurveChart(IrtFit fit, int item, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var plot = PlotExport.NewPlot();
        plot.Add.CategoryCurves(fit, item);
        plot.XLabel("θ (logits)");
        plot.YLabel("P(category)");
        plot.Axes.SetLimitsY(0, 1);
        plot.Title(title ?? $"Category probability curves: {fit.Items[item].Name}");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A finished test information chart with its standard error of measurement on the right axis.</summary>
    public static Plot InformationChart(IrtFit fit, bool items = true, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var plot = PlotExport.NewPlot();
        plot.Add.InformationCurve(fit, items);
        var theta = Grid(-4, 4, 161);
        var se = plot.Add.Scatter(theta, [.. theta.Select(t => 1 / Math.Sqrt(fit.TestInformation(t)))]);
        se.MarkerSize = 0;
        se.LinePattern = LinePattern.Dashed;
        se.Color = Colors.Gray;
        se.LegendText = "SE (right axis)";
        se.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "standard error";
        plot.XLabel("θ (logits)");
        plot.YLabel("information");
        plot.Title(title ?? "Test information");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>A finished Wright map: persons (left) and item thresholds (right, labelled by item) on one logit scale.</summary>
    public static Plot WrightMapChart(IrtFit fit, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var plot = PlotExport.NewPlot();
        var (_, thresholds) = plot.Add.WrightMap(fit);
        for (int j = 0; j < fit.Items.Length; j++)
        {
            double x = 0.3 + 0.6 * j / Math.Max(1, fit.Items.Length - 1);
            var label = plot.Add.Text(fit.Items[j].Name, x, fit.Items[j].B.Max() + 0.3);
            label.LabelFontSize = 10;
            label.LabelAlignment = Alignment.LowerCenter;
            label.LabelRotation = -45;
        }
        plot.Add.VerticalLine(0, 1, Colors.Black);
        plot.Axes.SetLimitsX(-1.05, 1.05);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([new Tick(-0.5, "persons"), new Tick(0.6, "item thresholds")]);
        plot.YLabel("logits");
        plot.Title(title ?? "Wright map");
        return plot;
    }
}
