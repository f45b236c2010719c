using System.Globalization;
using Alliance.Analytics.Formats;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>
/// Plots of response-format analyses in ScottPlot's idiom: <c>plot.Add.ScoringInformation(scoring)</c>,
/// <c>plot.Add.Crosswalk(link)</c>, <c>plot.Add.Candidates(exploration)</c>, and finished charts — category curves of
/// each scoring side by side (<see cref="CategoryCurvesChart"/>), information per scoring
/// (<see cref="InformationChart"/>), the explorer's candidates (<see cref="ExplorationChart"/>), the crosswalk
/// (<see cref="CrosswalkChart"/>) and a short form's information (<see cref="ShortFormChart"/>).
/// </summary>
public static class FormatPlots
{
    private const double PanelWidth = 10, ThetaHalfRange = 4;

    private static double[] Grid(double from, double to, int points) =>
        [.. Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1))];

    /// <summary>
    /// Adds a scoring's information curve in person-SD units: I(μ + σz)·σ² over z in [from, to] (free of the scoring's
    /// logit unit, so scorings can share one axis).
    /// </summary>
    public static Scatter ScoringInformation(this PlottableAdder add, ScoringResult scoring, double from = -3, double to = 3)
    {
        ArgumentNullException.ThrowIfNull(scoring);
        var z = Grid(from, to, 121);
        double mu = scoring.Fit.LatentMean, sd = scoring.Fit.LatentSd;
        var s = add.Scatter(z, [.. z.Select(v => scoring.Fit.TestInformation(mu + sd * v) * sd * sd)]);
        s.MarkerSize = 0;
        s.LineWidth = 2;
        s.LegendText = scoring.Label;
        return s;
    }

    /// <summary>
    /// Adds the category probability curves of item <paramref name="item"/> for every scoring, one panel per scoring
    /// side by side (θ from −4 to 4 logits of each scoring's own fit in each panel). Returns the lines, panel by panel.
    /// </summary>
    public static IReadOnlyList<Scatter> CategoryCurves(this PlottableAdder add, FormatComparison comparison, int item)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        if ((uint)item >= (uint)comparison.Original.Fit.Items.Length) throw new ArgumentOutOfRangeException(nameof(item));
        var palette = new ScottPlot.Palettes.Category10();
        var theta = Grid(-ThetaHalfRange, ThetaHalfRange, 161);
        var lines = new List<Scatter>();
        for (int s = 0; s < comparison.Scorings.Length; s++)
        {
            var fit = comparison.Scorings[s].Fit;
            double offset = s * PanelWidth;
            var probs = theta.Select(t => fit.CategoryProbabilities(item, t)).ToArray();
            for (int c = 0; c < fit.Items[item].Categories.Length; c++)
            {
                var line = add.Scatter(theta.Select(t => t + offset).ToArray(), [.. probs.Select(p => p[c])]);
                line.MarkerSize = 0;
                line.LineWidth = 2;
                line.Color = palette.GetColor(c);
                line.LegendText = s == 0 ? $"category {fit.Items[item].Categories[c].ToString(CultureInfo.InvariantCulture)}" : "";
                lines.Add(line);
            }
        }
        return lines;
    }

    /// <summary>A finished chart: category curves of one item under each scoring, side by side.</summary>
    public static Plot CategoryCurvesChart(FormatComparison comparison, int item = 0, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var plot = PlotExport.NewPlot();
        plot.Add.CategoryCurves(comparison, item);
        var ticks = new List<Tick>();
        for (int s = 0; s < comparison.Scorings.Length; s++)
        {
            double offset = s * PanelWidth;
            foreach (double t in new[] { -4.0, -2, 0, 2, 4 }) ticks.Add(new Tick(offset + t, t.ToString(CultureInfo.InvariantCulture)));
            var label = plot.Add.Text($"{comparison.Scorings[s].Map} ({comparison.Scorings[s].Map.Describe()})", offset, 1.04);
            label.LabelFontSize = 11;
            label.LabelAlignment = Alignment.LowerCenter;
            if (s > 0) plot.Add.VerticalLine(offset - PanelWidth / 2, 1, Colors.Gray);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.SetLimits(-PanelWidth / 2, (comparison.Scorings.Length - 0.5) * PanelWidth, 0, 1.12);
        plot.XLabel("θ (logits of each scoring's fit)");
        plot.YLabel("P(category)");
        plot.Title(title ?? $"Category curves of {comparison.Original.Fit.Items[item].Name} under each scoring");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A finished chart: information of each scoring in person-SD units, I(μ + σz)·σ² over z.</summary>
    public static Plot InformationChart(FormatComparison comparison, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var plot = PlotExport.NewPlot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < comparison.Scorings.Length; s++) plot.Add.ScoringInformation(comparison.Scorings[s]).Color = palette.GetColor(s);
        plot.XLabel("z = (θ − μ)/σ (person SDs from the mean)");
        plot.YLabel("information × σ²");
        plot.Title(title ?? "Information per scoring");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// Adds the explorer's candidates: person separation against categories kept (jittered by variance change),
    /// ordered candidates filled, the Pareto set ringed.
    /// </summary>
    public static (Markers Ordered, Markers Disordered, Markers Pareto) Candidates(this PlottableAdder add, CollapseExploration exploration)
    {
        ArgumentNullException.ThrowIfNull(exploration);
        var fitted = exploration.Candidates.Where(c => c.Fitted).ToArray();
        double X(CollapseCandidate c) => c.Categories + 0.3 * c.VarianceChange;
        var ordered = add.Markers(fitted.Where(c => c.ThresholdsOrdered).Select(X).ToArray(), fitted.Where(c => c.ThresholdsOrdered).Select(c => c.PersonSeparation).ToArray());
        ordered.MarkerShape = MarkerShape.FilledCircle;
        ordered.MarkerSize = 8;
        ordered.Color = Colors.SteelBlue;
        ordered.LegendText = "ordered thresholds";
        var disordered = add.Markers(fitted.Where(c => !c.ThresholdsOrdered).Select(X).ToArray(), fitted.Where(c => !c.ThresholdsOrdered).Select(c => c.PersonSeparation).ToArray());
        disordered.MarkerShape = MarkerShape.OpenCircle;
        disordered.MarkerSize = 8;
        disordered.Color = Colors.OrangeRed;
        disordered.LegendText = "disordered";
        var pareto = add.Markers(fitted.Where(c => c.Pareto).Select(X).ToArray(), fitted.Where(c => c.Pareto).Select(c => c.PersonSeparation).ToArray());
        pareto.MarkerShape = MarkerShape.OpenSquare;
        pareto.MarkerSize = 14;
        pareto.Color = Colors.Black;
        pareto.LegendText = "Pareto set";
        return (ordered, disordered, pareto);
    }

    /// <summary>A finished chart of the explorer: separation by categories kept, the best candidate labelled.</summary>
    public static Plot ExplorationChart(CollapseExploration exploration, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(exploration);
        var plot = PlotExport.NewPlot();
        plot.Add.Candidates(exploration);
        foreach (var c in new[] { exploration.Best, exploration.Original }.Distinct())
        {
            var t = plot.Add.Text($"{c.Map}", c.Categories + 0.3 * c.VarianceChange, c.PersonSeparation);
            t.LabelFontSize = 10;
            t.LabelAlignment = Alignment.LowerLeft;
        }
        plot.Axes.SetLimitsX(1.3, exploration.Points + 0.9);
        plot.XLabel("categories kept (shifted left by 0.3 × the variance cut)");
        plot.YLabel("person separation");
        plot.Title(title ?? $"Every collapse of the {exploration.Points}-point scale");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>Adds the crosswalk: the equipercentile and IRT true-score equivalents with ±2 SE bands where SEs exist.</summary>
    public static (Scatter Equipercentile, Scatter TrueScore) Crosswalk(this PlottableAdder add, FormatLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var rows = link.Crosswalk;
        var x = rows.Select(r => (double)r.ScoreX).ToArray();
        var populated = rows.Where(r => r.Count > 0).ToArray();
        if (populated.Length > 1)
        {
            var band = add.FillY(populated.Select(r => (double)r.ScoreX).ToArray(),
                [.. populated.Select(r => r.Equipercentile + 2 * r.EquipercentileStandardError)], [.. populated.Select(r => r.Equipercentile - 2 * r.EquipercentileStandardError)]);
            band.FillStyle.Color = Colors.SteelBlue.WithAlpha(0.25);
            band.LineStyle.Width = 0;
        }
        var eq = add.Scatter(x, [.. rows.Select(r => r.Equipercentile)]);
        eq.MarkerSize = 0;
        eq.LineWidth = 2;
        eq.Color = Colors.SteelBlue;
        eq.LegendText = "equipercentile (±2 SE where observed)";
        var ts = add.Scatter(x, [.. rows.Select(r => r.TrueScore)]);
        ts.MarkerSize = 0;
        ts.LineWidth = 2;
        ts.LinePattern = LinePattern.Dashed;
        ts.Color = Colors.Black;
        ts.LegendText = "IRT true score";
        return (eq, ts);
    }

    /// <summary>A finished crosswalk chart.</summary>
    public static Plot CrosswalkChart(FormatLink link, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        var plot = PlotExport.NewPlot();
        plot.Add.Crosswalk(link);
        plot.XLabel($"{link.NameX} raw score");
        plot.YLabel($"{link.NameY} equivalent");
        plot.Title(title ?? $"Crosswalk {link.NameX} → {link.NameY}");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>A finished chart: test information of the short form and the full form over θ, the target range shaded.</summary>
    public static Plot ShortFormChart(ShortForm form, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(form);
        var plot = PlotExport.NewPlot();
        var range = plot.Add.HorizontalSpan(form.ThetaFrom, form.ThetaTo);
        range.FillStyle.Color = Colors.Gray.WithAlpha(0.15);
        range.LegendText = "target range";
        var theta = Grid(form.ThetaFrom - 2, form.ThetaTo + 2, 161);
        var full = plot.Add.Scatter(theta, [.. theta.Select(form.Calibration.TestInformation)]);
        full.MarkerSize = 0;
        full.LineWidth = 2;
        full.Color = Colors.Gray;
        full.LegendText = $"full form ({form.Calibration.Items.Length} items)";
        var shortLine = plot.Add.Scatter(theta, [.. theta.Select(form.Information)]);
        shortLine.MarkerSize = 0;
        shortLine.LineWidth = 3;
        shortLine.Color = Colors.SteelBlue;
        shortLine.LegendText = $"short form ({form.Items.Length} items)";
        plot.XLabel("θ (logits of the full-form calibration)");
        plot.YLabel("information");
        plot.Title(title ?? "Short form and full form");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
