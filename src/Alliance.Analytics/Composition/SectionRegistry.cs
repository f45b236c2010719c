using System.Collections.Immutable;
using System.Reflection;

namespace Alliance.Analytics.Composition;

/// <summary>
/// The sections of the main job, found rather than listed: every non-abstract class of this assembly that implements
/// <see cref="IMainJobSection"/> and has a public parameterless constructor, in the order of
/// <see cref="IMainJobSection.Order"/> (then key). A caller may build a registry of its own sections (e.g. a notebook
/// that adds one) with <see cref="With"/>.
/// </summary>
public sealed class SectionRegistry
{
    private SectionRegistry(ImmutableArray<IMainJobSection> sections) => Sections = sections;

    /// <summary>The library's own sections.</summary>
    public static SectionRegistry Default { get; } = Discover(typeof(SectionRegistry).Assembly);

    /// <summary>The sections in report order.</summary>
    public ImmutableArray<IMainJobSection> Sections { get; }

    /// <summary>The sections an assembly defines (see the class remarks).</summary>
    /// <exception cref="InvalidOperationException">When two sections share a key.</exception>
    public static SectionRegistry Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var sections = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMainJobSection).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is { IsPublic: true })
            .Select(t => (IMainJobSection)Activator.CreateInstance(t)!);
        return From(sections);
    }

    /// <summary>This registry with <paramref name="section"/> added (at its order).</summary>
    /// <exception cref="InvalidOperationException">When a section with the same key is present.</exception>
    public SectionRegistry With(IMainJobSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return From(Sections.Append(section));
    }

    private static SectionRegistry From(IEnumerable<IMainJobSection> sections)
    {
        var ordered = sections.OrderBy(s => s.Order).ThenBy(s => s.Key, StringComparer.Ordinal).ToImmutableArray();
        var duplicate = ordered.GroupBy(s => s.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two main-job sections have the key '{duplicate.Key}'");
        return new SectionRegistry(ordered);
    }
}
