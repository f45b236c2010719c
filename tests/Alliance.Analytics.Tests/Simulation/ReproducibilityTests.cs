using Alliance.Analytics.Data;
using Alliance.Analytics.Simulation;

namespace Alliance.Analytics.Tests.Simulation;

/// <summary>
/// Same seed, same bytes, whatever the thread count; every generated item file passes validation; and the files in
/// data/synthetic/ are exactly what the simulator makes now (so the README's commands reproduce them).
/// </summary>
public class ReproducibilityTests
{
    private static Dictionary<string, byte[]> ReadAll(string dir) =>
        Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private static void AssertSameFiles(string expectedDir, string actualDir)
    {
        var expected = ReadAll(expectedDir);
        var actual = ReadAll(actualDir);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected)
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs between {expectedDir} and {actualDir}");
    }

    [Theory]
    [InlineData(SimulationPreset.Clinic)]
    [InlineData(SimulationPreset.Formats)]
    [InlineData(SimulationPreset.Studies)]
    public void SameSeedGivesSameBytesOnOneAndManyThreads(SimulationPreset preset)
    {
        using var temp = new TempDir();
        KeyValuePair<string, string>[] settings = preset == SimulationPreset.Studies ? [] : [new("clients", "900"), new("therapists", "45")];
        Simulator.Run(preset, 99, temp.Sub("one"), settings, maxDegreeOfParallelism: 1);
        Simulator.Run(preset, 99, temp.Sub("many"), settings, maxDegreeOfParallelism: 8);
        AssertSameFiles(temp.Sub("one"), temp.Sub("many"));
        Simulator.Run(preset, 100, temp.Sub("other"), settings, maxDegreeOfParallelism: 4);
        var first = preset == SimulationPreset.Studies ? "studies.csv" : preset == SimulationPreset.Formats ? "wai36_7point.csv" : "clinic.csv";
        Assert.False(File.ReadAllBytes(Path.Combine(temp.Sub("one"), first)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Sub("other"), first))),
            "a different seed must give different data");
    }

    /// <summary>The committed data sets are the simulator's output for the README's commands, byte for byte.</summary>
    [Theory]
    [InlineData(SimulationPreset.Clinic, "clinic")]
    [InlineData(SimulationPreset.Formats, "formats")]
    [InlineData(SimulationPreset.Studies, "studies")]
    public void CommittedDataMatchTheSimulator(SimulationPreset preset, string dir)
    {
        using var temp = new TempDir();
        Simulator.Run(preset, Simulator.CommittedSeed(preset), temp.Path);
        AssertSameFiles(Repository.Synthetic(dir), temp.Path);
    }

    /// <summary>Every item file the presets write (committed ones included) loads with no validation error or warning and declares its instrument.</summary>
    [Theory]
    [InlineData("clinic", "clinic.csv", "WAI-SR", 12, 5)]
    [InlineData("formats", "wai36_7point.csv", "WAI", 36, 7)]
    [InlineData("formats", "wai_revised_5point.csv", "WAI", 36, 5)]
    public void GeneratedItemFilesPassValidation(string dir, string file, string instrument, int items, int points)
    {
        var read = AllianceDataset.Read(Repository.Synthetic(dir, file));
        Assert.True(read.Report.IsValid, string.Join("\n", read.Report.Errors));
        Assert.Equal(0, read.Report.WarningCount);
        var data = read.Dataset!;
        Assert.Equal(instrument, data.Instrument!.Id);
        Assert.Equal(items, data.Items.ItemCount);
        Assert.Equal(points, data.Items.Scale.Points);
        foreach (string column in SimulatedCohort.SessionNumericColumns) Assert.IsType<NumericColumn>(data.Column(column));
        Assert.Equal(new[] { "client" }, data.Rater!.Levels.ToArray());
        // Sessions within a client are increasing and every therapist id is the client's only one.
        var byClient = Enumerable.Range(0, data.RowCount).GroupBy(r => data.ClientId![r]);
        foreach (var g in byClient)
        {
            var sessions = g.Select(r => data.Session![r]).ToArray();
            Assert.True(sessions.Zip(sessions.Skip(1), (a, b) => b > a).All(x => x));
            Assert.Single(g.Select(r => data.TherapistId![r]).Distinct());
        }
    }

    /// <summary>Files written while a culture with a decimal comma and a Unicode minus is current are the same bytes (numbers are invariant).</summary>
    [Fact]
    public void OutputDoesNotDependOnTheCurrentCulture()
    {
        using var temp = new TempDir();
        var culture = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        comma.NumberFormat.NegativeSign = "\u2212";
        try
        {
            KeyValuePair<string, string>[] settings = [new("clients", "120"), new("therapists", "6")];
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Simulator.Run(SimulationPreset.Clinic, 5, temp.Sub("invariant"), settings);
            Simulator.Run(SimulationPreset.Studies, 5, temp.Sub("invariant-studies"), [new("studies", "20")]);
            CultureInfo.CurrentCulture = comma;
            Simulator.Run(SimulationPreset.Clinic, 5, temp.Sub("comma"), settings);
            Simulator.Run(SimulationPreset.Studies, 5, temp.Sub("comma-studies"), [new("studies", "20")]);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        AssertSameFiles(temp.Sub("invariant"), temp.Sub("comma"));
        AssertSameFiles(temp.Sub("invariant-studies"), temp.Sub("comma-studies"));
    }

    /// <summary>Adding a rendering does not change another: rendering r of therapist j has its own stream.</summary>
    [Fact]
    public void RenderingsAreIndependentOfEachOther()
    {
        var options = new CohortOptions { Clients = 300, Therapists = 12 };
        var cohort = CohortSimulator.Simulate(options, 8);
        var a = cohort.Render(SimulationInstruments.WaiSr(options), 0).Codes.ToArray();
        cohort.Render(SimulationInstruments.Wai36SevenPoint(options), 1);
        var again = CohortSimulator.Simulate(options, 8).Render(SimulationInstruments.WaiSr(options), 0).Codes.ToArray();
        Assert.Equal(a, again);
        Assert.NotEqual(a, cohort.Render(SimulationInstruments.WaiSr(options), 2).Codes.ToArray());
    }

    [Fact]
    public void SizeOfCommittedDataStaysModest()
    {
        long bytes = Directory.GetFiles(Repository.Synthetic(), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(bytes, 100_000, 20_000_000);
    }
}
