namespace Alliance.Analytics.Tests.Simulation;

/// <summary>Paths in the repository the tests run from (found by walking up to Alliance.Analytics.sln).</summary>
internal static class Repository
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under data/synthetic.</summary>
    public static string Synthetic(params string[] parts) => Path.Combine([Root, "data", "synthetic", .. parts]);

    /// <summary>A fresh temporary directory, deleted when disposed.</summary>
    public static TemporaryDirectory TempDirectory() => new();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Alliance.Analytics.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Alliance.Analytics.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    /// <summary>Its path.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alliance-sim-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Creates it.</summary>
    public TemporaryDirectory() => Directory.CreateDirectory(Path);

    /// <summary>A path inside it.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
