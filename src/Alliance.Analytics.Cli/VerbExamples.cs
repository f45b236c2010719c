namespace Alliance.Analytics.Cli;

/// <summary>
/// Examples shown at the end of every verb's <c>--help</c>, on the bundled synthetic data so that each runs as
/// written from the repository root. A test parses every example, so they stay valid as options change.
/// </summary>
public static class VerbExamples
{
    private const string Clinic = "data/synthetic/clinic/clinic.csv";
    private const string Seven = "data/synthetic/formats/wai36_7point.csv";
    private const string Five = "data/synthetic/formats/wai_revised_5point.csv";
    private const string Studies = "data/synthetic/studies/studies.csv";

    /// <summary>Per verb, the example command lines (without the leading <c>alliance</c>) and what each shows.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Command, string What)>> All { get; } = new Dictionary<string, IReadOnlyList<(string, string)>>
    {
        ["analyze"] = [($"analyze {Clinic}", "every analysis that applies, one report"), ($"analyze {Seven} --skip formats --format json --out report.json", "the report as JSON, without the formats section")],
        ["instruments"] = [("instruments", "the registry"), ("instruments WAI-SR", "one instrument: items, scale, subscales, keys"), ("instruments WAI --format json --out my-key.json", "a key file to edit and pass back with --key")],
        ["validate"] = [($"validate {Clinic}", "every problem, with line, column and value"), ("validate my-wai.csv --instrument WAI-SR --items w1,w2,w3,w4,w5,w6,w7,w8,w9,w10,w11,w12 --missing-codes -99", "a file without a sidecar"), ("validate survey.xlsx --sheet Baseline --instrument WAI-SR", "one sheet of an Excel workbook"),
            ("validate --sql \"SELECT * FROM wai\" --provider sqlite --connection-env ALLIANCE_DB --instrument WAI-SR", "rows of a SQL query (connection string in $ALLIANCE_DB)")],
        ["score"] = [($"score {Clinic} --format csv --out scores.csv", "one row of scores per administration"), ($"score {Seven} --no-reverse", "a file whose reverse-keyed items are already recoded"), ($"score {Clinic} --out scores.sav", "scores as an SPSS file to merge back"), ($"score {Clinic} --out scores.xlsx", "scores as an Excel sheet")],
        ["outcome"] = [($"outcome {Clinic} --alliance total --outcome symptoms --baseline baseline", "alliance–outcome r, therapist vs patient effects"), ($"outcome {Clinic} --alliance total --outcome symptoms --lagged", "with the lagged within-patient model")],
        ["describe"] = [($"describe {Clinic}", "item and score descriptives"), ($"describe {Seven} --as-answered", "the items as answered instead of keyed")],
        ["irt"] = [($"irt {Seven} --model rsm", "rating scale model by CML, reverse keys applied"), ($"irt {Five} --model grm --se-method oakes --persons persons.csv", "graded model by MML with exact SEs, person measures to a file")],
        ["formats"] = [($"formats {Seven} --collapse 1,2,2,2,3,4,5", "the 7-point scoring against categories 2–4 merged"), ($"formats {Seven} --explore", "every collapse, ranked"), ($"formats {Seven} --link {Five}", "a crosswalk between the two formats")],
        ["simulate"] = [("simulate --preset clinic --seed 20261126 --out my-clinic", "a synthetic clinic with its truth.json"), ("simulate --preset studies --set studies=40 --out my-studies", "a study set")],
        ["meta"] = [($"meta {Studies} --r r --n n", "random-effects meta-analysis of correlations"), ($"meta {Studies} --r r --n n --subgroup rater", "per-rater pooled effects and the test between them")],
        ["reliability"] = [($"reliability {Clinic}", "alpha, omega, lambda, split-half per subscale and total"), ($"reliability {Clinic} --ordinal --bootstrap 1000 --seed 7", "with ordinal alpha and a bootstrap interval"), ($"reliability {Clinic} --administration first", "each client's first administration only")],
    };

    /// <summary>The examples of <paramref name="verb"/> as help text ("Examples:" and one indented line each), or empty.</summary>
    public static string For(string verb) => All.TryGetValue(verb, out var examples)
        ? "\n\nExamples:\n" + string.Join("\n", examples.Select(e => $"  alliance {e.Command}\n      {e.What}"))
        : "";
}
