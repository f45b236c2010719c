using System.Diagnostics;
using Alliance.Analytics.Data;
using Alliance.Analytics.Instruments;

namespace Alliance.Analytics.Tests.Data;

/// <summary>
/// Inputs found by fuzzing the readers (tests/fuzz/, tests/fuzz/RESULTS.md), minimised and committed under
/// tests/fuzz/regressions/: each gave a raw .NET exception, a hang or a silently wrong value before its fix, and
/// must now give our own error naming the file and the place.
/// </summary>
public class FuzzRegressionTests
{
    private static string Regression(string name) => Path.Combine(Fixtures.RepositoryRoot(), "tests", "fuzz", "regressions", name);

    private static string Text(string name) => File.ReadAllText(Regression(name));

    [Theory]
    [InlineData("keys-lone-surrogate-name.json", "\\ud800")]
    [InlineData("keys-lone-surrogate-value.json", "id")]
    public void A_key_file_with_half_a_surrogate_pair_is_refused_naming_the_field_and_line(string file, string field)
    {
        var e = Assert.Throws<InstrumentKeyException>(() => InstrumentRegistry.Parse(Text(file), file));
        Assert.Contains(file, e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("surrogate", e.Message);
    }

    [Fact]
    public void A_sidecar_with_half_a_surrogate_pair_is_refused_naming_the_field_and_line()
    {
        const string file = "sidecar-lone-surrogate-value.json";
        var e = Assert.Throws<DataSpecException>(() => DataSpec.Parse(Text(file), file));
        Assert.Contains(file, e.Message);
        Assert.Contains("description", e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("surrogate", e.Message);
    }

    [Fact]
    public void A_key_file_scale_past_the_largest_whole_number_is_refused_not_wrapped_round()
    {
        // min 2147483647 with 5 points made the scale 2147483647 … −2147483644 (int overflow), which read back as
        // "points must be at least 2, not −2147483647".
        const string file = "keys-scale-overflow.json";
        var e = Assert.Throws<InstrumentKeyException>(() => InstrumentRegistry.Parse(Text(file), file));
        Assert.Contains(file, e.Message);
        Assert.Contains("'min'", e.Message);
        Assert.Contains("'points'", e.Message);
        Assert.Contains("2147483647", e.Message);
    }

    [Fact]
    public void A_likert_scale_past_the_largest_whole_number_is_refused_by_item_scale()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ItemScale.Likert(5, int.MaxValue));
        Assert.Equal(int.MaxValue, ItemScale.Likert(2, int.MaxValue - 1).Max);
    }

    [Fact]
    public void A_data_spec_minimum_past_the_largest_whole_number_is_a_scale_error_not_a_wrapped_scale()
    {
        using var dir = new TempDir();
        string csv = dir.File("data.csv", "q1,q2\n1,2\n2,1\n");
        var result = AllianceDataset.Read(csv, new DataSpec { Points = 5, Min = 1e12 });
        Assert.Null(result.Dataset);
        var error = Assert.Single(result.Report.Errors);
        Assert.Equal("scale", error.Code);
        Assert.Contains("DataSpec.Min", error.Message);
    }

    private static LoadResult ReadSav(string file) =>
        AllianceDataset.Read(new SavReader(new MemoryStream(File.ReadAllBytes(Regression(file))), file), spec: null);

    [Fact]
    public void A_sav_file_with_two_variables_of_one_name_reports_a_duplicate_column_not_a_dotnet_error()
    {
        // Was ArgumentException "An item with the same key has already been added. Key: 00000000" from the builder.
        const string file = "sav-duplicate-variable-name.sav";
        var result = ReadSav(file);
        Assert.Null(result.Dataset);
        var duplicates = result.Report.Errors.Where(e => e.Code == "duplicate_column").ToList();
        Assert.NotEmpty(duplicates);
        Assert.All(duplicates, error =>
        {
            Assert.Equal(file, error.File);
            Assert.Equal("00000000", error.Column);
            Assert.Contains("appears more than once", error.Message);
        });
    }

    [Fact]
    public void A_sav_file_without_variables_is_refused_naming_the_byte_offset_instead_of_yielding_cases_forever()
    {
        const string file = "sav-no-variables.sav";
        // Before the fix the constructor succeeded and Read() returned an empty case forever.
        var e = Assert.Throws<DataSpecException>(() => new SavReader(new MemoryStream(File.ReadAllBytes(Regression(file))), file));
        Assert.Contains(file, e.Message);
        Assert.Contains("before any variable record", e.Message);
        Assert.Contains("byte offset 176", e.Message);
    }

    [Fact]
    public void A_sav_header_claiming_a_billion_cases_does_not_size_the_buffers()
    {
        // The header of a 944-byte file claims 1,000,000,000 cases; the builder sized its buffers by that hint and
        // allocated 11 GB (seconds of work, and an OutOfMemory on a smaller machine) before reading the 4 real cases.
        const string file = "sav-case-count-lie.sav";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = ReadSav(file);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(4, result.Report.RowsRead);
        Assert.True(allocated < 256L << 20, $"{allocated >> 20} MB allocated for a 944-byte file");
    }
}
