using System.Reflection;
using System.Runtime.CompilerServices;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Conventions;

/// <summary>Tests of the project's rules themselves (design.md, pattern 12).</summary>
public sealed class ConventionTests
{
    private static readonly Assembly Library = typeof(IAnalysisResult).Assembly;

    [Fact]
    public void EveryPublicResultTypeIsImmutable()
    {
        var results = Library.GetExportedTypes().Where(t => typeof(IAnalysisResult).IsAssignableFrom(t) && !t.IsInterface).ToArray();
        Assert.NotEmpty(results);
        foreach (var type in results)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var setter = property.SetMethod;
                if (setter is null || !setter.IsPublic) continue;
                bool initOnly = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                Assert.True(initOnly, $"{type.Name}.{property.Name} has a public setter; result records must be immutable");
            }
    }

    [Fact]
    public void OptionsRecordsAreImmutable()
    {
        foreach (var type in Library.GetExportedTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal)))
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var setter = property.SetMethod;
                if (setter is null || !setter.IsPublic) continue;
                Assert.True(setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)),
                    $"{type.Name}.{property.Name} has a public setter; options must be immutable records");
            }
    }

    [Fact]
    public void NoStaticMutableState()
    {
        foreach (var type in Library.GetTypes().Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute))))
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsLiteral || field.IsDefined(typeof(CompilerGeneratedAttribute)) || field.Name.Contains('<')) continue;
                Assert.True(field.IsInitOnly, $"{type.FullName}.{field.Name} is a static field that can be reassigned");
            }
    }

    [Fact]
    public void NoSystemRandomInTheLibrary()
    {
        // Seeded randomness only through Numerics.RandomStream (same bytes on every machine and thread count).
        string src = Path.Combine(Fixtures.RepositoryRoot(), "src");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains("new Random(", StringComparison.Ordinal) || File.ReadAllText(f).Contains("Random.Shared", StringComparison.Ordinal))
            .ToArray();
        Assert.Empty(offenders);
    }
}
