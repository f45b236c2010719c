using Alliance.Analytics.Outcomes;
using MathNet.Numerics.Distributions;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>
/// Plots of alliance and outcome in ScottPlot's idiom: <c>plot.Add.AllianceOutcomeScatter(result)</c>,
/// <c>plot.Add.Caterpillar(fit, "therapist")</c>, <c>plot.Add.Trajectories(frame, …)</c>, and finished charts.
/// </summary>
public static class OutcomePlots
{
    /// <summary>
    /// Adds the clients (alliance on x, outcome score on y), the least-squares line and its 95% confidence band for the
    /// mean, ŷ ± t_{.975, n−2} s √(1/n + (x − x̄)²/Sxx). Returns the points.
    /// </summary>
    public static Scatter AllianceOutcomeScatter(this PlottableAdder add, OutcomeResult result)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(result);
        var xs = result.Clients.Select(c => c.Alliance).ToArray();
        var ys = result.Clients.Select(c => c.Score(result.Options.Score)).ToArray();
        int n = xs.Length;
        double mx = xs.Average(), my = ys.Average(), sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) { sxx += (xs[i] - mx) * (xs[i] - mx); sxy += (xs[i] - mx) * (ys[i] - my); }
        double slope = sxx > 0 ? sxy / sxx : 0, intercept = my - slope * mx, sse = 0;
        for (int i = 0; i < n; i++) { double e = ys[i] - intercept - slope * xs[i]; sse += e * e; }
        double s = Math.Sqrt(sse / Math.Max(n - 2, 1)), t = StudentT.InvCDF(0, 1, Math.Max(n - 2, 1), 0.975);
        double lo = xs.Min(), hi = xs.Max();
        var gx = Enumerable.Range(0, 50).Select(k => lo + (hi - lo) * k / 49.0).ToArray();
        var fit = gx.Select(x => intercept + slope * x).ToArray();
        var half = gx.Select(x => t * s * Math.Sqrt(1.0 / n + (sxx > 0 ? (x - mx) * (x - mx) / sxx : 0))).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var band = add.FillY(gx, [.. fit.Select((f, k) => f - half[k])], [.. fit.Select((f, k) => f + half[k])]);
        band.FillColor = palette.GetColor(1).WithAlpha(0.25);
        band.LineWidth = 0;
        var points = add.ScatterPoints(xs, ys, palette.GetColor(0).WithAlpha(0.6));
        points.MarkerSize = 5;
        points.LegendText = $"clients (n = {n})";
        var line = add.ScatterLine(gx, fit, palette.GetColor(1));
        line.LineWidth = 2;
        line.LegendText = $"least squares, r = {result.Pearson.R.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}";
        return points;
    }

    /// <summary>A finished scatter chart of alliance against outcome with the fitted line and 95% band.</summary>
    public static Plot ScatterChart(OutcomeResult result, string? title = null)
    {
        var plot = PlotExport.NewPlot();
        plot.Add.AllianceOutcomeScatter(result);
        plot.XLabel($"{result.Options.Alliance} ({result.Options.Timing.ToString().ToLowerInvariant()})");
        plot.YLabel($"{result.Options.Outcome}: {OutcomeAnalysis.ScoreName(result.Options.Score)}");
        plot.Title(title ?? "Alliance and outcome");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// Adds a caterpillar plot of one random-effect term: groups sorted by their conditional mode (intercept column by
    /// default), with ±1.96 conditional SD bars (lme4's <c>dotplot(ranef(fit, condVar = TRUE))</c>).
    /// </summary>
    /// <exception cref="ArgumentException">When the fit has no such group or column.</exception>
    public static ErrorBar Caterpillar(this PlottableAdder add, MixedModelFit fit, string group, string column = "(Intercept)")
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(fit);
        var term = fit.Random(group);
        int c = term.Columns.IndexOf(column);
        if (c < 0) throw new ArgumentException($"The {group} term has no column '{column}' (columns: {string.Join(", ", term.Columns)}).", nameof(column));
        int q = term.Columns.Length, m = term.Levels.Length;
        var order = Enumerable.Range(0, m).OrderBy(g => term.ConditionalModes[g * q + c]).ToArray();
        var xs = Enumerable.Range(1, m).Select(i => (double)i).ToArray();
        var ys = order.Select(g => term.ConditionalModes[g * q + c]).ToArray();
        var err = order.Select(g => 1.96 * term.ConditionalStandardDeviations[g * q + c]).ToArray();
        var bars = add.ErrorBar(xs, ys, err);
        bars.Color = new ScottPlot.Palettes.Category10().GetColor(0);
        add.Markers(xs, ys, MarkerShape.FilledCircle, 5, bars.Color);
        add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        return bars;
    }

    /// <summary>A finished caterpillar chart of a term's conditional modes.</summary>
    public static Plot CaterpillarChart(MixedModelFit fit, string group, string column = "(Intercept)", string? title = null)
    {
        var plot = PlotExport.NewPlot();
        plot.Add.Caterpillar(fit, group, column);
        plot.XLabel($"{group} (sorted)");
        plot.YLabel($"conditional mode of {column} ± 1.96 SD");
        plot.Title(title ?? $"{group} effects");
        return plot;
    }

    /// <summary>
    /// Adds one line per client of <paramref name="variable"/> over sessions (at most <paramref name="maxClients"/>, the
    /// first in data order, drawn faint) and the mean at each session number (bold). Returns the mean line.
    /// </summary>
    public static Scatter Trajectories(this PlottableAdder add, ModelFrame frame, string variable, string client = "client_id", string session = "session", int maxClients = 40)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(frame);
        var values = frame.Numeric(variable).ToArray();
        var sessions = frame.Numeric(session).ToArray();
        var (codes, _) = frame.Factor(client);
        var palette = new ScottPlot.Palettes.Category10();
        var byClient = Enumerable.Range(0, frame.RowCount).Where(r => codes[r] >= 0 && !double.IsNaN(values[r]) && !double.IsNaN(sessions[r]))
            .GroupBy(r => codes[r]).ToArray();
        foreach (var g in byClient.Take(maxClients))
        {
            var rows = g.OrderBy(r => sessions[r]).ToArray();
            var line = add.ScatterLine(rows.Select(r => sessions[r]).ToArray(), rows.Select(r => values[r]).ToArray(), palette.GetColor(0).WithAlpha(0.25));
            line.LineWidth = 1;
        }
        var means = byClient.SelectMany(g => g).GroupBy(r => sessions[r]).OrderBy(g => g.Key).ToArray();
        var mean = add.ScatterLine(means.Select(g => g.Key).ToArray(), means.Select(g => g.Average(r => values[r])).ToArray(), palette.GetColor(3));
        mean.LineWidth = 3;
        mean.LegendText = "mean per session";
        return mean;
    }

    /// <summary>A finished trajectory chart of one variable over sessions.</summary>
    public static Plot TrajectoryChart(ModelFrame frame, string variable, string client = "client_id", string session = "session", int maxClients = 40, string? title = null)
    {
        var plot = PlotExport.NewPlot();
        plot.Add.Trajectories(frame, variable, client, session, maxClients);
        plot.XLabel(session);
        plot.YLabel(variable);
        plot.Title(title ?? $"{variable} over sessions");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
