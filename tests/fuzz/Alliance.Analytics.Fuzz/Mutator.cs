namespace Alliance.Analytics.Fuzz;

/// <summary>
/// A seeded random mutation loop for machines without afl-fuzz: takes the seeds, applies bit flips, byte
/// insertion/deletion/overwrite with interesting values, block duplication and splicing of two seeds, runs the
/// target in-process and writes each new finding (distinct by exception type and top frame) to the output folder.
/// Inputs that ran without error are added to the pool, so mutations stack.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)',', (byte)'\t', (byte)'"', (byte)'\n', (byte)'\r', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)'-', (byte)'9', (byte)'e', 0xC3, 0xEF, 0xBB, 0xBF, 0xFE];

    public static int Run(string name, TimeSpan duration, string seedDirectory, string outDirectory, int seed)
    {
        if (!Program.Targets.TryGetValue(name, out var target)) { Console.Error.WriteLine($"unknown target {name}"); return 2; }
        var pool = Directory.GetFiles(seedDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        if (pool.Count == 0) { Console.Error.WriteLine($"no seeds in {seedDirectory}"); return 2; }
        Directory.CreateDirectory(outDirectory);
        var random = new Random(seed);
        var seen = new HashSet<string>();
        long executions = 0;
        int findings = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var input = Mutate(random, pool[random.Next(pool.Count)], pool[random.Next(pool.Count)]);
            var outcome = Program.RunOne(target, input);
            executions++;
            if (outcome.IsFinding)
            {
                string key = outcome.IsHang ? "hang" : outcome.Error!.GetType().Name + "@" + (outcome.Error.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "");
                if (seen.Add(key))
                {
                    findings++;
                    string file = Path.Combine(outDirectory, $"finding-{findings:D3}");
                    File.WriteAllBytes(file, input);
                    Console.WriteLine($"{file}: {outcome.Describe()}");
                }
            }
            else if (outcome.Error is null && pool.Count < 4096 && input.Length < 1 << 16 && random.Next(8) == 0) pool.Add(input);
        }
        Console.WriteLine($"{name}: {executions} executions in {clock.Elapsed.TotalSeconds:F0} s, pool {pool.Count}, {findings} distinct finding(s)");
        return findings == 0 ? 0 : 1;
    }

    private static byte[] Mutate(Random random, byte[] a, byte[] b)
    {
        var data = new List<byte>(a);
        int rounds = 1 << random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: data.Insert(at, Interesting[random.Next(Interesting.Length)]); break;
                case 2 when data.Count > 0: data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16))); break;
                case 3 when data.Count > 0: data[at] = (byte)random.Next(256); break;
                case 4 when data.Count > 0:
                    int len = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
                case 5 when b.Length > 0:
                    int from = random.Next(b.Length);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(b.AsSpan(from).ToArray());
                    break;
                default:
                    if (data.Count > 0) data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
            }
        }
        return [.. data];
    }
}
