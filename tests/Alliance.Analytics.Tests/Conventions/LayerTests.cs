using System.Reflection;
using System.Text;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Tests.Conventions;

/// <summary>
/// The library's namespaces form one-way layers (docs/architecture.md): nothing points upward and the namespace
/// graph has no cycle. Dependencies are read from the compiled assembly, signatures and method bodies alike.
/// </summary>
public sealed class LayerTests
{
    private const string Root = "Alliance.Analytics";
    private static readonly Assembly Library = typeof(IAnalysisResult).Assembly;

    /// <summary>
    /// Every namespace of the library and its place, bottom (0) to top (3). <c>Step</c> orders namespaces inside
    /// the foundation and the data layer, where one may use the other but not the reverse. The domains share
    /// one step: they may use each other as long as the graph stays acyclic (checked separately).
    /// A new namespace fails <see cref="EveryNamespaceHasALayer"/> until it is placed here.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (int Layer, int Step)> LayerOf = new Dictionary<string, (int, int)>
    {
        // 0 Foundation: root (exceptions, DataUsage, LibraryInfo) < Numerics < Presentation (tables, summaries, JSON).
        [Root] = (0, 0),
        [$"{Root}.Numerics"] = (0, 1),
        [$"{Root}.Presentation"] = (0, 2),
        // 1 Data: instrument definitions, then datasets (which know instruments).
        [$"{Root}.Instruments"] = (1, 0),
        [$"{Root}.Data"] = (1, 1),
        // 2 Domains: the analyses.
        [$"{Root}.Scoring"] = (2, 0),
        [$"{Root}.Reliability"] = (2, 0),
        [$"{Root}.Irt"] = (2, 0),
        [$"{Root}.Outcomes"] = (2, 0),
        [$"{Root}.Meta"] = (2, 0),
        [$"{Root}.Simulation"] = (2, 0),
        [$"{Root}.Formats"] = (2, 0),
        // 3 Composition (the main job). Plotting is a package of its own (Alliance.Analytics.Plotting), above
        // the whole library: this assembly must not know it (LibraryHasNoNativeDependency).
        [$"{Root}.Composition"] = (3, 0),
    };

    /// <summary>The graph is read once per test run: scanning every method body takes a moment.</summary>
    private static readonly Lazy<NamespaceGraph> Graph = new(() => NamespaceGraph.Read(Library));

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        var unplaced = Graph.Value.Namespaces.Where(n => !LayerOf.ContainsKey(n)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(unplaced.Length == 0,
            $"namespaces without a layer (add them to {nameof(LayerTests)}.{nameof(LayerOf)} and docs/architecture.md): {string.Join(", ", unplaced)}");

        var stale = LayerOf.Keys.Where(n => !Graph.Value.Namespaces.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(stale.Length == 0, $"the layer map names namespaces the library no longer has: {string.Join(", ", stale)}");
    }

    [Fact]
    public void NoDependencyPointsUpward()
    {
        var upward = Graph.Value.Edges
            .Where(e => LayerOf.TryGetValue(e.From, out var from) && LayerOf.TryGetValue(e.To, out var to) && to.CompareTo(from) > 0)
            .Select(e => $"{Short(e.From)} → {Short(e.To)} ({e.Example})")
            .ToArray();
        Assert.True(upward.Length == 0, "dependencies pointing to a higher layer:" + Environment.NewLine + string.Join(Environment.NewLine, upward));
    }

    [Fact]
    public void NamespaceGraphHasNoCycle()
    {
        var graph = Graph.Value;
        var cycles = StronglyConnectedComponents(graph.Namespaces, graph.Targets)
            .Where(component => component.Count > 1)
            .Select(component => DescribeCycle(component, graph.Targets, graph.Example))
            .ToArray();
        Assert.True(cycles.Length == 0, "namespace cycles:" + Environment.NewLine + string.Join(Environment.NewLine, cycles));
    }

    /// <summary>ScottPlot and what it draws with: SkiaSharp and HarfBuzzSharp carry native assets for many platforms.</summary>
    private static readonly string[] NativeDrawing = ["ScottPlot", "SkiaSharp", "HarfBuzzSharp"];

    [Fact]
    public void LibraryHasNoNativeDependency()
    {
        // Plotting lives in Alliance.Analytics.Plotting; the core library must compile and run without it.
        var referenced = Library.GetReferencedAssemblies().Select(a => a.Name ?? "").Where(IsNativeDrawing).ToArray();
        Assert.True(referenced.Length == 0, $"the library references {string.Join(", ", referenced)}");
        Assert.DoesNotContain(Library.GetReferencedAssemblies(), a => a.Name == "Alliance.Analytics.Plotting");

        var users = Graph.Value.ExternalUses.Where(u => IsNativeDrawing(u.Assembly)).Select(u => $"{Short(u.From)} ({u.Example})").ToArray();
        Assert.True(users.Length == 0, "the library uses ScottPlot/SkiaSharp:" + Environment.NewLine + string.Join(Environment.NewLine, users));

        // Transitively: the test project's deps.json holds the library's own package closure. No package in it may
        // bring a native runtime asset (which is how SkiaSharp ships, one per platform under runtimes/).
        var native = PackageClosure(Root).Where(p => p.Native || IsNativeDrawing(p.Name)).Select(p => p.Name).ToArray();
        Assert.True(native.Length == 0, "the library's dependencies carry native assets: " + string.Join(", ", native));

        // The check can fail: the Plotting package's closure does bring SkiaSharp's native assets.
        Assert.Contains(PackageClosure("Alliance.Analytics.Plotting"), p => p.Native);
    }

    private static bool IsNativeDrawing(string assembly) => NativeDrawing.Any(p => assembly.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Every library (package or project) <paramref name="root"/> depends on, directly or not, as the test's deps.json lists them.</summary>
    private static List<(string Name, bool Native)> PackageClosure(string root)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Alliance.Analytics.Tests.deps.json");
        using var deps = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var target = deps.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var byName = target.EnumerateObject().ToDictionary(p => p.Name[..p.Name.IndexOf('/')], p => p.Value, StringComparer.OrdinalIgnoreCase);
        Assert.True(byName.ContainsKey(root), $"{path} does not list {root}");

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var closure = new List<(string, bool)>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (!seen.Add(name) || !byName.TryGetValue(name, out var entry)) continue;
            bool native = entry.TryGetProperty("native", out _) ||
                          (entry.TryGetProperty("runtimeTargets", out var targets) &&
                           targets.EnumerateObject().Any(t => t.Value.TryGetProperty("assetType", out var type) && type.GetString() == "native"));
            if (name != root) closure.Add((name, native));
            if (entry.TryGetProperty("dependencies", out var dependencies))
                foreach (var dependency in dependencies.EnumerateObject()) pending.Push(dependency.Name);
        }
        return closure;
    }

    [Fact]
    public void EveryTokenOfTheLibraryResolves()
    {
        // An unresolved token could hide a dependency, so the scan must see every one of them.
        Assert.True(Graph.Value.Unresolved.Count == 0, string.Join(Environment.NewLine, Graph.Value.Unresolved));
    }

    // ---- Self-tests of the scanner, on helper types below whose uses are known ----

    [Fact]
    public void ScannerFindsAUseThatOnlyAMethodBodyHas()
    {
        var used = UsedBy(typeof(BodyOnlyUses));
        Assert.Contains(typeof(StringBuilder), used);  // new StringBuilder() in a body returning int
        Assert.Contains(typeof(LibraryInfo), used);    // a static property read, nothing in any signature
        Assert.Contains(typeof(UriFormatException), used); // a catch clause
        Assert.Contains(typeof(Version), used);        // typeof(Version): ldtoken
        Assert.Contains(typeof(Rune), used);           // a static field's initialiser, which runs in the static constructor
    }

    [Fact]
    public void ScannerFoldsLambdasStateMachinesAndGenericBodiesIntoTheirType()
    {
        var used = UsedBy(typeof(NestedBodyUses));
        Assert.Contains(typeof(Queue<>), used);        // in a lambda: the body lives in a compiler-written closure class
        Assert.Contains(typeof(Stack<>), used);        // in an iterator: the body lives in a state machine class
        Assert.Contains(typeof(DateOnly), used);       // in a generic method, via Dictionary<T, DateOnly>
        Assert.Contains(typeof(TimeOnly), used);       // in a lambda capturing a local of a generic method
        var scanner = new TypeUseScanner();
        scanner.Scan(typeof(NestedBodyUses));
        Assert.Empty(scanner.Unresolved);
        Assert.All(scanner.Uses, u => Assert.Equal(typeof(NestedBodyUses), u.User));
    }

    [Fact]
    public void ScannerFindsABodyOnlyUseOfTheLibrary()
    {
        // PlotExport.Save (in the Plotting package, which uses the library) writes through Data.AtomicFile; no
        // signature of PlotExport names AtomicFile, so the use is seen only because method bodies are decoded.
        var scanner = new TypeUseScanner();
        scanner.Scan(typeof(Alliance.Analytics.Plotting.PlotExport));
        var uses = scanner.Uses.Where(u => u.Used == typeof(Alliance.Analytics.Data.AtomicFile)).ToArray();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.True(u.InBody, $"{u.Member} names AtomicFile in a signature"));
    }

    [Fact]
    public void CycleSearchFindsAndNamesACycle()
    {
        // A → B → C → A is a cycle; D only points into it, E stands alone.
        var edges = new Dictionary<string, string[]> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"], ["E"] = [] };
        var components = StronglyConnectedComponents(edges.Keys, n => edges[n]);
        var cycle = Assert.Single(components, c => c.Count > 1);
        Assert.Equal(["A", "B", "C"], cycle.Order(StringComparer.Ordinal));
        Assert.Equal(5, components.Sum(c => c.Count));
        Assert.Equal("A → B → C → A (A uses B; B uses C; C uses A)", DescribeCycle(cycle, n => edges[n], (from, to) => $"{from} uses {to}"));
    }

    private static HashSet<Type> UsedBy(Type type)
    {
        var scanner = new TypeUseScanner();
        scanner.Scan(type);
        return scanner.Uses.Select(u => u.Used).ToHashSet();
    }

    // ---- Graph algorithms ----

    /// <summary>Tarjan's algorithm: the strongly connected components of the graph, each a list of nodes.</summary>
    private static List<List<string>> StronglyConnectedComponents(IReadOnlyCollection<string> nodes, Func<string, IEnumerable<string>> targets)
    {
        var index = new Dictionary<string, int>();
        var lowLink = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            int order = index.Count; // nodes are numbered in the order the depth-first search reaches them
            index[node] = order;
            lowLink[node] = order;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in targets(node))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    lowLink[node] = Math.Min(lowLink[node], lowLink[next]);
                }
                else if (onStack.Contains(next))
                    lowLink[node] = Math.Min(lowLink[node], index[next]);
            }
            if (lowLink[node] != index[node]) return;
            // node is the root of a component: everything above it on the stack belongs to it.
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            } while (member != node);
            components.Add(component);
        }

        foreach (var node in nodes.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(node)) Visit(node);
        return components;
    }

    /// <summary>One concrete cycle through a component (shortest way back to its first node), with an example per edge.</summary>
    private static string DescribeCycle(List<string> component, Func<string, IEnumerable<string>> targets, Func<string, string, string> example)
    {
        var inside = component.ToHashSet();
        string start = component.Order(StringComparer.Ordinal).First();
        // Breadth-first search from start's successors back to start, staying inside the component.
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>();
        foreach (var next in targets(start).Where(inside.Contains))
            if (previous.TryAdd(next, start)) queue.Enqueue(next);
        while (queue.Count > 0 && !previous.ContainsKey(start))
        {
            var node = queue.Dequeue();
            foreach (var next in targets(node).Where(inside.Contains))
                if (previous.TryAdd(next, node)) queue.Enqueue(next);
        }
        var path = new List<string> { start };
        for (string node = previous[start]; node != start; node = previous[node]) path.Add(node);
        path.Add(start);
        path.Reverse();

        var edges = path.Zip(path.Skip(1), example);
        return $"{string.Join(" → ", path.Select(Short))} ({string.Join("; ", edges)})" +
               (component.Count > path.Count - 1 ? $"; the cycle's component also holds {string.Join(", ", component.Except(path).Order(StringComparer.Ordinal).Select(Short))}" : "");
    }

    /// <summary>"Data" for Alliance.Analytics.Data; "(root)" for Alliance.Analytics.</summary>
    private static string Short(string ns) => ns == Root ? "(root)" : ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..] : ns;

    /// <summary>A type's name as the messages show it: "Data.AllianceDataset", "LibraryInfo" for the root.</summary>
    private static string ShortName(Type type)
    {
        string name = TypeUseScanner.Outermost(type).Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        string ns = TypeUseScanner.Outermost(type).Namespace ?? "";
        return ns == Root ? name : $"{Short(ns)}.{name}";
    }

    /// <summary>
    /// A member name as a reader wrote it: "&lt;Scale&gt;k__BackingField" is the property Scale; "&lt;&gt;c/&lt;Run&gt;b__3_0"
    /// (a lambda) and "&lt;Read&gt;d__5/MoveNext" (a state machine) are compiler-written code of Run and Read.
    /// </summary>
    private static string Readable(string member)
    {
        foreach (string part in member.Split('/'))
        {
            int close = part.IndexOf('>');
            if (!part.StartsWith('<') || close < 2) continue; // not compiler-written, or "<>c" (the lambdas' class)
            string inner = part[1..close];
            return part[(close + 1)..] == "k__BackingField" ? inner : $"{inner} (compiler-written code)";
        }
        return member;
    }

    // ---- The namespace graph ----

    /// <summary>An edge between two of our namespaces, with the first (by type name) example of it.</summary>
    private sealed record Edge(string From, string To, string Example);

    /// <summary>A namespace of ours that uses a type of another assembly.</summary>
    private sealed record ExternalUse(string From, string Assembly, string Example);

    /// <summary>For every namespace of the library, the namespaces of the library it uses.</summary>
    private sealed class NamespaceGraph
    {
        private readonly Dictionary<(string From, string To), Edge> _edges = [];

        public HashSet<string> Namespaces { get; } = [];
        public IEnumerable<Edge> Edges => _edges.Values.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal);
        public List<ExternalUse> ExternalUses { get; } = [];
        public IReadOnlyList<string> Unresolved { get; private set; } = [];

        public IEnumerable<string> Targets(string from) =>
            _edges.Keys.Where(k => k.From == from).Select(k => k.To).Order(StringComparer.Ordinal);

        public string Example(string from, string to) => _edges[(from, to)].Example;

        public static NamespaceGraph Read(Assembly library)
        {
            var graph = new NamespaceGraph();
            var scanner = new TypeUseScanner();
            var externals = new Dictionary<(string, string), string>();

            // Only outermost types are scanned; the scanner folds nested types (closures, state machines) into them.
            var topLevel = library.GetTypes().Where(t => !t.IsNested).OrderBy(t => t.FullName, StringComparer.Ordinal).ToArray();
            foreach (var type in topLevel)
            {
                // Types the compiler adds outside our namespaces (<PrivateImplementationDetails>, anonymous types,
                // embedded attributes such as System.Runtime.CompilerServices.NullableAttribute) belong to no layer.
                // Anything else, in any namespace, must be placed.
                if (TypeUseScanner.IsCompilerGenerated(type) && !IsOurs(type.Namespace)) continue;
                graph.Namespaces.Add(type.Namespace ?? "(global namespace)");
                scanner.Scan(type);
            }

            foreach (var use in scanner.Uses)
            {
                string from = use.User.Namespace ?? "(global namespace)";
                var usedOuter = TypeUseScanner.Outermost(use.Used);
                if (use.Used.Assembly == library)
                {
                    if (!IsOurs(usedOuter.Namespace) || usedOuter.Namespace == from) continue;
                    string to = usedOuter.Namespace!;
                    // The first use (types in name order) is the example.
                    graph._edges.TryAdd((from, to), new Edge(from, to, $"{ShortName(use.User)} uses {ShortName(use.Used)} in {Readable(use.Member)}"));
                }
                else
                {
                    string assembly = use.Used.Assembly.GetName().Name ?? "";
                    externals.TryAdd((from, assembly), $"{ShortName(use.User)} uses {use.Used.FullName} in {Readable(use.Member)}");
                }
            }
            foreach (var ((from, assembly), example) in externals) graph.ExternalUses.Add(new ExternalUse(from, assembly, example));
            graph.Unresolved = scanner.Unresolved;
            return graph;
        }

        private static bool IsOurs(string? ns) => ns == Root || (ns?.StartsWith(Root + ".", StringComparison.Ordinal) ?? false);
    }
}

// ---- Helpers for the scanner's self-tests: each uses types that only its method bodies name ----

/// <summary>Uses StringBuilder, LibraryInfo, UriFormatException, Version and Rune only inside method bodies.</summary>
internal static class BodyOnlyUses
{
    private static readonly object Boxed = new Rune('a');

    public static string BoxedText() => Boxed.ToString() ?? "";

    public static int Length() => new StringBuilder("abc").Length;

    public static int VersionLength() => LibraryInfo.Version.Length;

    public static bool Parses(string text)
    {
        try { return text.Length > 0; }
        catch (UriFormatException) { return false; }
    }

    public static string VersionName() => typeof(Version).Name;
}

/// <summary>Uses Queue, Stack, DateOnly and TimeOnly only inside a lambda, an iterator and generic bodies.</summary>
internal static class NestedBodyUses
{
    public static Func<int> Lambda() => () => new Queue<int>().Count;

    public static IEnumerable<int> Iterator()
    {
        yield return new Stack<int>().Count;
    }

    public static int Generic<T>() where T : notnull => new Dictionary<T, DateOnly>().Count;

    public static Func<int> GenericClosure<T>(T value) where T : notnull => () => new Dictionary<T, TimeOnly>().Count + value.GetHashCode();
}
