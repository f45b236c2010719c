namespace Alliance.Analytics.Tests.Simulation;

/// <summary>Paths of the committed synthetic data (data/synthetic under the repository root).</summary>
internal static class Repository
{
    /// <summary>A path under data/synthetic.</summary>
    public static string Synthetic(params string[] parts) => Path.Combine([Fixtures.RepositoryRoot(), "data", "synthetic", .. parts]);

    /// <summary>A subdirectory path of a temporary directory (created by whoever writes into it).</summary>
    public static string Sub(this TempDir temp, string name) => Path.Combine(temp.Path, name);
}
