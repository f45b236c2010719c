using System.Reflection;
using System.Text.RegularExpressions;

namespace Alliance.Analytics.Tests.Conventions;

/// <summary>
/// docs/cli.md's "Limits on work" table against <see cref="Limits"/>: every ceiling constant of the class is in the
/// table, with the value the code enforces, and the table names no constant the class lacks.
/// </summary>
public sealed partial class LimitsDocumentedTests
{
    [Fact]
    public void EveryCeilingInTheLimitsClassIsDocumentedWithItsValue()
    {
        string doc = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot(), "docs", "cli.md"));
        int start = doc.IndexOf("### Limits on work", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/cli.md has no 'Limits on work' section");
        int end = doc.IndexOf("\n## ", start, StringComparison.Ordinal);
        string section = doc[start..end];

        var constants = typeof(Limits).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEmpty(constants);

        // A row documents a constant as "VALUE (`Name`)" or "LOW to VALUE (`Name`)".
        var documented = new Dictionary<string, long>();
        foreach (Match m in DocumentedCeiling().Matches(section))
            documented[m.Groups["name"].Value] = long.Parse(m.Groups["value"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (name, value) in constants)
        {
            Assert.True(documented.ContainsKey(name), $"Limits.{name} is not in docs/cli.md's Limits table");
            Assert.Equal(value, documented[name]);
        }
        Assert.Empty(documented.Keys.Except(constants.Keys));
    }

    [Fact]
    public void WorkThatWouldNotFitInMemoryIsRefusedWithTheEstimate()
    {
        var e = Assert.Throws<AllianceInputException>(() => Limits.CheckMemory(long.MaxValue / 2, "fitting the moon", "lower the moon"));
        Assert.StartsWith("fitting the moon needs about ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("GB are available: lower the moon", e.Message, StringComparison.Ordinal);
        Limits.CheckMemory(1024, "a small job", "nothing");
    }

    [GeneratedRegex(@"(?<value>\d[\d,]*) \(`(?<name>Max\w+)`")]
    private static partial Regex DocumentedCeiling();
}
