using Alliance.Analytics.Cli;

namespace Alliance.Analytics.Tests.Cli;

/// <summary>Every verb's --help ends with examples, and every example parses (its options exist and take those values) on files that exist.</summary>
public sealed class VerbExampleTests
{
    [Fact]
    public void EveryVerbHasExamplesInItsHelp()
    {
        var root = AllianceCli.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, false, default));
        foreach (var verb in root.Subcommands)
        {
            Assert.True(VerbExamples.All.ContainsKey(verb.Name), $"{verb.Name} has no examples");
            var (exit, output, _) = CliRunner.Run(verb.Name, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("Examples:", output, StringComparison.Ordinal);
            Assert.Contains("alliance " + VerbExamples.All[verb.Name][0].Command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryExampleParsesAndNamesBundledFilesThatExist()
    {
        var root = AllianceCli.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, false, default));
        foreach (var (verb, examples) in VerbExamples.All)
            foreach (var (command, _) in examples)
            {
                // Split as a shell would for these examples: on spaces, a "double-quoted" argument kept whole (--sql "SELECT …").
                var args = System.Text.RegularExpressions.Regex.Matches(command, "\"([^\"]*)\"|(\\S+)")
                    .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToArray();
                Assert.Equal(verb, args[0]);
                var parse = root.Parse(args);
                Assert.True(parse.Errors.Count == 0, $"alliance {command}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
                Assert.Empty(parse.UnmatchedTokens);
                foreach (string file in args.Where(a => a.StartsWith("data/synthetic/", StringComparison.Ordinal)))
                    Assert.True(File.Exists(Path.Combine(Fixtures.RepositoryRoot(), file)), $"alliance {command}: {file} does not exist");
            }
    }
}
