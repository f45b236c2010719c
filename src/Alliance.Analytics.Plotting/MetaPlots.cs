using System.Globalization;
using Alliance.Analytics.Meta;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>
/// Forest and funnel plots of a meta-analysis in ScottPlot's idiom: <c>plot.Add.Forest(fit)</c>,
/// <c>plot.Add.Funnel(fit, trimAndFill)</c>, and finished charts (<see cref="ForestChart"/>, <see cref="FunnelChart"/>)
/// as metafor's <c>forest()</c> and <c>funnel(level = c(90, 95, 99), shade = …)</c> draw them.
/// </summary>
public static class MetaPlots
{
    private static readonly Color Ink = Colors.Black;

    /// <summary>
    /// Adds a forest plot: one row per study (square sized by weight, line for its confidence interval), the pooled
    /// diamond below them and the prediction interval as a line under the diamond. Studies are drawn top to bottom at
    /// y = k + 1 … 2, the diamond at y = 1, the prediction interval at y = 0. Correlations on the Fisher z scale are
    /// drawn as r when <paramref name="asCorrelation"/> (intervals back-transformed, as metafor's <c>transf = transf.ztor</c>).
    /// </summary>
    /// <returns>The plottables added (interval lines, squares, diamond, prediction line), for styling.</returns>
    public static IReadOnlyList<IPlottable> Forest(this PlottableAdder add, RandomEffectsFit fit, bool asCorrelation = true)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.HasModerators) throw new ArgumentException("A forest plot shows an intercept-only model.", nameof(fit));
        var map = Transform(fit, asCorrelation);
        var added = new List<IPlottable>();
        int k = fit.K;
        double crit = fit.Critical(fit.Options.Level);
        double maxWeight = fit.Weights.Max();
        for (int i = 0; i < k; i++)
        {
            double y = k + 1 - i;
            double yi = fit.Studies.Yi[i], se = Math.Sqrt(fit.Studies.Vi[i]);
            // Study intervals use the normal quantile, as metafor's forest() does.
            double z = Numerics.TailProbabilities.NormalQuantileUpper((1 - fit.Options.Level) / 2);
            var line = add.Line(map(yi - z * se), y, map(yi + z * se), y);
            line.LineColor = Ink;
            line.LineWidth = 1;
            added.Add(line);
            var square = add.Marker(map(yi), y, MarkerShape.FilledSquare, (float)(4 + 12 * Math.Sqrt(fit.Weights[i] / maxWeight)), Ink);
            added.Add(square);
        }
        var est = fit.Estimate;
        var diamond = add.Polygon([new(map(est.Interval.Lower), 1), new(map(est.Estimate), 1.35), new(map(est.Interval.Upper), 1), new(map(est.Estimate), 0.65)]);
        diamond.FillColor = Ink;
        diamond.LineColor = Ink;
        added.Add(diamond);
        if (fit.PredictionInterval.IsKnown)
        {
            var pi = add.Line(map(fit.PredictionInterval.Lower), 0.0, map(fit.PredictionInterval.Upper), 0.0);
            pi.LineColor = Ink;
            pi.LineWidth = 2;
            pi.LinePattern = LinePattern.Dotted;
            added.Add(pi);
        }
        var zero = add.VerticalLine(map(0));
        zero.LineColor = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        added.Add(zero);
        return added;
    }

    /// <summary>
    /// A finished forest plot: study labels on the left, estimate [CI] and weight on the right, the pooled row
    /// ("RE model" with τ² method) and the prediction interval, x axis on the effect scale (r for correlations).
    /// </summary>
    public static Plot ForestChart(RandomEffectsFit fit, string? title = null, bool asCorrelation = true)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var plot = PlotExport.NewPlot();
        plot.Add.Forest(fit, asCorrelation);
        var map = Transform(fit, asCorrelation);
        int k = fit.K;
        var inv = CultureInfo.InvariantCulture;
        var ticks = new List<Tick>();
        for (int i = 0; i < k; i++) ticks.Add(new Tick(k + 1 - i, fit.Studies.Labels[i]));
        string model = fit.Options.Estimator == TauEstimator.EqualEffects ? "EE model" : $"RE model ({MetaNames.Abbreviation(fit.Options.Estimator)})";
        ticks.Add(new Tick(1, model));
        if (fit.PredictionInterval.IsKnown) ticks.Add(new Tick(0.0, "Prediction interval"));
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Left.MajorTickStyle.Length = 0;

        // Right-hand text: estimate [CI] and weight.
        double zq = Numerics.TailProbabilities.NormalQuantileUpper((1 - fit.Options.Level) / 2);
        double xMax = double.MinValue, xMin = double.MaxValue;
        for (int i = 0; i < k; i++)
        {
            double se = Math.Sqrt(fit.Studies.Vi[i]);
            xMin = Math.Min(xMin, map(fit.Studies.Yi[i] - zq * se));
            xMax = Math.Max(xMax, map(fit.Studies.Yi[i] + zq * se));
        }
        if (fit.PredictionInterval.IsKnown) { xMin = Math.Min(xMin, map(fit.PredictionInterval.Lower)); xMax = Math.Max(xMax, map(fit.PredictionInterval.Upper)); }
        double span = xMax - xMin;
        double textX = xMax + 0.05 * span;
        for (int i = 0; i < k; i++)
        {
            double se = Math.Sqrt(fit.Studies.Vi[i]);
            string label = $"{map(fit.Studies.Yi[i]).ToString("F2", inv)} [{map(fit.Studies.Yi[i] - zq * se).ToString("F2", inv)}, {map(fit.Studies.Yi[i] + zq * se).ToString("F2", inv)}]  {fit.Weights[i].ToString("F1", inv)}%";
            Annotate(plot, label, textX, k + 1 - i);
        }
        var e = fit.Estimate;
        Annotate(plot, $"{map(e.Estimate).ToString("F2", inv)} [{map(e.Interval.Lower).ToString("F2", inv)}, {map(e.Interval.Upper).ToString("F2", inv)}]  100%", textX, 1);
        if (fit.PredictionInterval.IsKnown)
            Annotate(plot, $"[{map(fit.PredictionInterval.Lower).ToString("F2", inv)}, {map(fit.PredictionInterval.Upper).ToString("F2", inv)}]", textX, 0.0);
        plot.Axes.SetLimitsX(xMin - 0.05 * span, xMax + 0.62 * span);
        plot.Axes.SetLimitsY(-0.7, k + 1.8);
        bool r = asCorrelation && fit.IsCorrelation;
        plot.XLabel(r ? "Correlation (r)" : StudySet.MeasureName(fit.Studies.Measure) == "yi/vi" ? "Effect size" : StudySet.MeasureName(fit.Studies.Measure));
        plot.Title(title ?? $"Forest plot (k = {k}; τ² = {fit.Tau2.ToString("F4", inv)}, I² = {fit.I2.ToString("F1", inv)}%)");
        plot.Grid.IsVisible = false;
        return plot;
    }

    /// <summary>
    /// Adds a contour-enhanced funnel plot (Peters et al. 2008): standard error on an inverted y axis, effect size on
    /// x, shaded regions where a study would be significant at .10, .05 and .01 (two-sided, around 0), the studies as
    /// filled circles and, when <paramref name="trimAndFill"/> is given, the imputed studies as open circles and the
    /// adjusted estimate as a dashed line. Always on the model's own scale (Fisher z for correlations).
    /// </summary>
    public static IReadOnlyList<IPlottable> Funnel(this PlottableAdder add, RandomEffectsFit fit, TrimAndFillResult? trimAndFill = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var added = new List<IPlottable>();
        var se = fit.Studies.Vi.Select(Math.Sqrt).ToArray();
        double seMax = Math.Max(se.Max(), trimAndFill is null ? 0 : trimAndFill.Filled.Studies.Vi.Max(Math.Sqrt)) * 1.05;
        double[] z = [2.5758293035489, 1.95996398454005, 1.64485362695147];
        Color[] shades = [Color.FromHex("#dcdcdc"), Color.FromHex("#ebebeb"), Color.FromHex("#f7f7f7")];
        double reach = z[0] * seMax * 1.5 + Math.Abs(fit.Estimate.Estimate);
        var background = add.Polygon([new(-reach, 0), new(reach, 0), new(reach, seMax), new(-reach, seMax)]);
        background.FillColor = Color.FromHex("#c8c8c8");
        background.LineWidth = 0;
        added.Add(background);
        for (int c = 0; c < z.Length; c++)
        {
            var region = add.Polygon([new(0, 0), new(z[c] * seMax, seMax), new(-z[c] * seMax, seMax)]);
            region.FillColor = shades[c];
            region.LineWidth = 0;
            added.Add(region);
        }
        var inner = add.Polygon([new(0, 0), new(z[2] * seMax * 0.999, seMax), new(-z[2] * seMax * 0.999, seMax)]);
        inner.FillColor = Colors.White;
        inner.LineWidth = 0;
        added.Add(inner);
        // Pseudo-confidence funnel around the estimate.
        double est = fit.Estimate.Estimate;
        foreach (int sign in new[] { -1, 1 })
        {
            var l = add.Line(est, 0, est + sign * z[1] * seMax, seMax);
            l.LineColor = Colors.Gray;
            l.LinePattern = LinePattern.Dotted;
            added.Add(l);
        }
        var centre = add.VerticalLine(est);
        centre.LineColor = Ink;
        added.Add(centre);
        var studies = add.Markers(fit.Studies.Yi.ToArray(), se, MarkerShape.FilledCircle, 7, Ink);
        studies.LegendText = "studies";
        added.Add(studies);
        if (trimAndFill is { MissingStudies: > 0 } tf)
        {
            int k = tf.Filled.K, k0 = tf.MissingStudies;
            var fy = tf.Filled.Studies.Yi.Skip(k - k0).ToArray();
            var fse = tf.Filled.Studies.Vi.Skip(k - k0).Select(Math.Sqrt).ToArray();
            var filled = add.Markers(fy, fse, MarkerShape.OpenCircle, 7, Ink);
            filled.LegendText = $"filled by trim-and-fill ({k0})";
            added.Add(filled);
            var adjusted = add.VerticalLine(tf.Filled.Estimate.Estimate);
            adjusted.LineColor = Ink;
            adjusted.LinePattern = LinePattern.Dashed;
            added.Add(adjusted);
        }
        return added;
    }

    /// <summary>A finished contour-enhanced funnel plot (trim-and-fill fills shown when given), with a legend for the shaded p regions.</summary>
    public static Plot FunnelChart(RandomEffectsFit fit, TrimAndFillResult? trimAndFill = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var plot = PlotExport.NewPlot();
        plot.Add.Funnel(fit, trimAndFill);
        var se = fit.Studies.Vi.Select(Math.Sqrt).Concat(trimAndFill?.Filled.Studies.Vi.Select(Math.Sqrt) ?? []).ToArray();
        var y = fit.Studies.Yi.Concat(trimAndFill?.Filled.Studies.Yi ?? []).ToArray();
        double seMax = se.Max() * 1.05;
        double lo = Math.Min(y.Min(), -1.96 * seMax * 0.6), hi = Math.Max(y.Max(), 1.96 * seMax * 0.6);
        double pad = 0.1 * (hi - lo);
        plot.Axes.SetLimitsX(lo - pad, hi + pad);
        plot.Axes.SetLimitsY(seMax, 0);   // inverted: precise studies at the top
        plot.XLabel(fit.Studies.Measure == EffectMeasure.Generic ? "Effect size" : StudySet.MeasureName(fit.Studies.Measure));
        plot.YLabel("Standard error");
        plot.Title(title ?? "Contour-enhanced funnel plot (shading: p < .10, < .05, < .01)");
        plot.Legend.IsVisible = trimAndFill is { MissingStudies: > 0 };
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.Grid.IsVisible = false;
        return plot;
    }

    private static Func<double, double> Transform(RandomEffectsFit fit, bool asCorrelation) =>
        asCorrelation && fit.Studies.Measure == EffectMeasure.FisherZ ? Math.Tanh : v => v;

    private static void Annotate(Plot plot, string text, double x, double y)
    {
        var t = plot.Add.Text(text, x, y);
        t.LabelFontSize = 11;
        t.LabelFontName = PlotExport.FontFamily;
        t.LabelAlignment = Alignment.MiddleLeft;
        t.LabelFontColor = Ink;
    }
}
