using Alliance.Analytics.Plotting;
using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

public sealed class SimulationPlotTests
{
    private static readonly SimulatedCohort Cohort = CohortSimulator.Simulate(new CohortOptions { Clients = 240, Therapists = 12 }, 4);

    [Fact]
    public void TrajectoryChartDrawsOneLinePerTherapistWithTheTherapistMeans()
    {
        var plot = SimulationPlots.TrajectoryChart(Cohort);
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(6, lines.Length);
        // The largest caseload first; its session-1 point is the mean θ of its clients at session 1.
        int t = Enumerable.Range(0, Cohort.TherapistCount).OrderByDescending(i => Cohort.Caseloads[i]).ThenBy(i => i).First();
        Assert.StartsWith(Cohort.TherapistId(t), lines[0].LegendText);
        var first = lines[0].Data.GetScatterPoints()[0];
        double expected = Enumerable.Range(0, Cohort.RowCount)
            .Where(r => Cohort.RowSession[r] == 1 && Cohort.ClientTherapist[Cohort.RowClient[r]] == t).Average(r => Cohort.Theta[r]);
        Assert.Equal(1, first.X);
        Assert.Equal(expected, first.Y, 1e-12);
        Assert.Contains("session", PlotExport.ToSvg(plot, 400, 300));
        Assert.Equal(6, SimulationPlots.TrajectoryChart(Cohort, TrajectoryMeasure.Symptoms, [0, 1, 2, 3, 4, 5]).GetPlottables().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => SimulationPlots.TrajectoryChart(Cohort, therapists: [99]));
    }

    [Fact]
    public void CategorySharesAddUpToOneHundredPercent()
    {
        var responses = Cohort.Render(SimulationInstruments.Wai36SevenPoint(Cohort.Options), 0, [3]);
        var plot = PlotExport.NewPlot();
        var bars = plot.Add.CategoryShares(responses, offset: -0.2, label: "7 points");
        Assert.Equal(7, bars.Bars.Count);
        Assert.Equal(100, bars.Bars.Sum(b => b.Value), 1e-9);
        Assert.Equal(0.8, bars.Bars[0].Position, 12);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, PlotExport.ToPng(plot, 300, 200)[..4]);
    }
}
