using System.Globalization;
using Alliance.Analytics.Simulation;
using ScottPlot;
using ScottPlot.Plottables;

namespace Alliance.Analytics.Plotting;

/// <summary>What a trajectory plot follows over sessions.</summary>
public enum TrajectoryMeasure
{
    /// <summary>The latent alliance θ (true values).</summary>
    Alliance,
    /// <summary>The recorded symptom score.</summary>
    Symptoms,
}

/// <summary>Plots of a simulated cohort, in ScottPlot's idiom: <c>plot.Add.TherapistTrajectories(cohort)</c>.</summary>
public static class SimulationPlots
{
    /// <summary>
    /// Adds one line per therapist: the mean of <paramref name="measure"/> over the therapist's clients attending each
    /// session (palette colours, legend "t07 (n = 23)"). Shows therapist differences, growth over sessions and, late in
    /// treatment, the selection by dropout. <paramref name="therapists"/> picks which (0-based indexes); default the
    /// six with the largest caseloads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When a therapist index is out of range.</exception>
    public static IReadOnlyList<Scatter> TherapistTrajectories(this PlottableAdder add, SimulatedCohort cohort,
        TrajectoryMeasure measure = TrajectoryMeasure.Alliance, IReadOnlyList<int>? therapists = null)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(cohort);
        therapists ??= [.. Enumerable.Range(0, cohort.TherapistCount).OrderByDescending(t => cohort.Caseloads[t]).ThenBy(t => t).Take(6)];
        var palette = new ScottPlot.Palettes.Category10();
        var added = new List<Scatter>();
        int sessions = cohort.Options.Sessions;
        for (int k = 0; k < therapists.Count; k++)
        {
            int t = therapists[k];
            if (t < 0 || t >= cohort.TherapistCount) throw new ArgumentOutOfRangeException(nameof(therapists), t, $"Therapists are 0 … {cohort.TherapistCount - 1}.");
            var sum = new double[sessions + 1];
            var count = new int[sessions + 1];
            int end = t + 1 < cohort.TherapistCount ? cohort.TherapistFirstRow(t + 1) : cohort.RowCount;
            for (int r = cohort.TherapistFirstRow(t); r < end; r++)
            {
                int s = cohort.RowSession[r];
                sum[s] += measure == TrajectoryMeasure.Alliance ? cohort.Theta[r] : cohort.Symptoms[r];
                count[s]++;
            }
            var xs = Enumerable.Range(1, sessions).Where(s => count[s] > 0).Select(s => (double)s).ToArray();
            var ys = xs.Select(x => sum[(int)x] / count[(int)x]).ToArray();
            var line = add.Scatter(xs, ys, palette.GetColor(k));
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = $"{cohort.TherapistId(t)} (n = {cohort.Caseloads[t].ToString(CultureInfo.InvariantCulture)})";
            added.Add(line);
        }
        return added;
    }

    /// <summary>A finished chart of therapist trajectories: session on x, mean latent alliance (or symptoms) on y, legend.</summary>
    public static Plot TrajectoryChart(SimulatedCohort cohort, TrajectoryMeasure measure = TrajectoryMeasure.Alliance,
        IReadOnlyList<int>? therapists = null, string? title = null)
    {
        var plot = PlotExport.NewPlot();
        plot.Add.TherapistTrajectories(cohort, measure, therapists);
        plot.XLabel("session");
        plot.YLabel(measure == TrajectoryMeasure.Alliance ? "mean latent alliance θ of attending clients" : $"mean {cohort.Outcome.Name} score of attending clients");
        plot.Title(title ?? (measure == TrajectoryMeasure.Alliance ? "Alliance trajectories by therapist" : "Symptom trajectories by therapist"));
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Adds the share of (keyed) answers in each category of a rendering as bars at x = category value, offset by
    /// <paramref name="offset"/> so two renderings can stand side by side; returns the bar plot (legend: the rendering;
    /// colour: <paramref name="color"/>, else the palette's next colour).
    /// </summary>
    public static BarPlot CategoryShares(this PlottableAdder add, SimulatedResponses responses, double offset = 0, string? label = null, Color? color = null)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(responses);
        var model = responses.Model;
        var reverse = new bool[model.ItemCount];
        foreach (int r in model.ReverseKeyed) reverse[r - 1] = true;
        var counts = new double[model.Points + 1];
        var codes = responses.Codes;
        for (int i = 0; i < codes.Length; i++)
        {
            int c = codes[i];
            if (c == 0) continue;
            counts[reverse[i % model.ItemCount] ? model.Points + 1 - c : c]++;
        }
        double total = counts.Sum();
        var fill = color ?? add.GetNextColor();
        var bars = Enumerable.Range(1, model.Points)
            .Select(c => new Bar { Position = model.Min + c - 1 + offset, Value = total > 0 ? 100 * counts[c] / total : 0, Size = 0.4, FillColor = fill, LineWidth = 0 })
            .ToArray();
        var plot = add.Bars(bars);
        plot.LegendText = label ?? model.ToString();
        return plot;
    }
}
