using System.CommandLine;
using System.Globalization;
using System.Text;
using Alliance.Analytics.Data;
using Alliance.Analytics.Irt;

namespace Alliance.Analytics.Cli.Verbs;

/// <summary>
/// <c>alliance irt &lt;file&gt; --model rsm|pcm|gpcm|grm [--estimation cml|mml]</c>: fits an item response model and
/// prints parameters, fit, reliability and the category table (docs/cli/irt.md).
/// </summary>
public static class IrtVerb
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliContext context)
    {
        var data = new DataOptions();
        var output = new OutputOptions(OutputFormat.Table, OutputFormat.Json, OutputFormat.Markdown);
        var model = new Option<string>("--model") { Description = "Model: rsm (rating scale), pcm (partial credit), gpcm (generalized partial credit), grm (graded response). Default rsm.", HelpName = "MODEL", DefaultValueFactory = _ => "rsm" };
        model.AcceptOnlyFromAmong("rsm", "pcm", "gpcm", "grm");
        var estimation = new Option<string?>("--estimation") { Description = "cml (conditional ML; Rasch models only, their default) or mml (marginal ML by EM; default for gpcm and grm).", HelpName = "cml|mml" };
        estimation.AcceptOnlyFromAmong("cml", "mml");
        var quadrature = new Option<int>("--quadrature") { Description = "Quadrature points on ±6 for marginal ML and EAP (default 61, as mirt).", HelpName = "Q", DefaultValueFactory = _ => 61 };
        var persons = new Option<string?>("--persons") { Description = "Write one row per person (measure, SE, raw score, fit) to this CSV file.", HelpName = "FILE" };
        var estimator = new Option<string?>("--person-estimator") { Description = "Person measures: eap, map, ml or wle (default wle for CML, eap for MML).", HelpName = "E" };
        estimator.AcceptOnlyFromAmong("eap", "map", "ml", "wle");
        var normalization = new Option<string>("--normalization") { Description = "Origin of CML fits: locations (item locations sum to 0; default) or erm (eRm's sum-0).", HelpName = "N", DefaultValueFactory = _ => "locations" };
        normalization.AcceptOnlyFromAmong("locations", "erm");
        var downcode = new Option<bool>("--downcode") { Description = "Renumber the categories an item's respondents used (default: keep unused categories as structural zeros)." };
        var noSe = new Option<bool>("--no-se") { Description = "Skip standard errors of marginal fits (saves 2 E-steps per parameter)." };
        var seMethod = new Option<string>("--se-method") { Description = "Standard errors of marginal fits: oakes (observed information by Oakes' identity, as mirt SE.type = \"Oakes\"; default), xpd (cross-product of the person scores) or sandwich (robust).", HelpName = "oakes|xpd|sandwich", DefaultValueFactory = _ => "oakes" };
        seMethod.AcceptOnlyFromAmong("oakes", "xpd", "sandwich");
        var andersen = new Option<string?>("--andersen") { Description = "Andersen's LR test (CML): 'median' (raw-score split) or a grouping column.", HelpName = "median|COLUMN" };
        var dif = new Option<string?>("--dif") { Description = "DIF of each item by conditional likelihood ratio between the groups of COLUMN (e.g. rater).", HelpName = "COLUMN" };
        var command = new Command("irt", "Item response theory: rating scale, partial credit, generalized partial credit or graded response model by " +
            "conditional or marginal ML; item parameters with SEs, thresholds and their order, infit/outfit, person and item separation, " +
            "marginal reliability, a Winsteps-style category table with Linacre's guidelines; optionally Andersen's LR test and DIF.");
        data.AddTo(command);
        foreach (var o in new Option[] { model, estimation, quadrature, estimator, normalization, downcode, noSe, seMethod, persons, andersen, dif }) command.Options.Add(o);
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var prepared = data.Prepare(parse, context);
            var options = new IrtOptions
            {
                Model = parse.GetValue(model) switch { "pcm" => IrtModelType.PartialCredit, "gpcm" => IrtModelType.GeneralizedPartialCredit, "grm" => IrtModelType.GradedResponse, _ => IrtModelType.RatingScale },
                Estimation = parse.GetValue(estimation) switch { "cml" => IrtEstimation.Conditional, "mml" => IrtEstimation.Marginal, _ => null },
                QuadraturePoints = parse.GetValue(quadrature),
                PersonEstimator = parse.GetValue(estimator) switch { "eap" => PersonEstimator.Eap, "map" => PersonEstimator.Map, "ml" => PersonEstimator.MaximumLikelihood, "wle" => PersonEstimator.Wle, _ => null },
                Normalization = parse.GetValue(normalization) == "erm" ? RaschNormalization.Erm : RaschNormalization.LocationsSumToZero,
                UnusedCategories = parse.GetValue(downcode) ? UnusedCategoryPolicy.Downcode : UnusedCategoryPolicy.Keep,
                StandardErrors = !parse.GetValue(noSe),
                StandardErrorMethod = parse.GetValue(seMethod) switch { "xpd" => IrtStandardErrorMethod.CrossProduct, "sandwich" => IrtStandardErrorMethod.Sandwich, _ => IrtStandardErrorMethod.Oakes },
            };
            bool json = output.IsJson(parse);
            var progress = ConsoleProgress.For(context, json);
            var fit = IrtAnalysis.Fit(prepared, options, progress, context.CancellationToken);
            AndersenTest? andersenTest = null;
            DifResult? difResult = null;
            if (parse.GetValue(andersen) is { } split)
                andersenTest = IrtTests.Andersen(prepared, options, split == "median" ? null : split, context.CancellationToken);
            if (parse.GetValue(dif) is { } column)
                difResult = IrtTests.Dif(prepared, column, options, context.CancellationToken);
            (progress as ConsoleProgress)?.Done();
            if (parse.GetValue(persons) is { } path)
            {
                AtomicFile.WriteAllText(path, PersonsCsv(fit, prepared));
                context.Error.WriteLine($"wrote {path}");
            }
            if (json)
            {
                var doc = fit.ToJson();
                if (andersenTest is not null) doc["andersen"] = andersenTest.ToJson();
                if (difResult is not null) doc["dif"] = difResult.ToJson();
                output.WriteText(parse, context, Presentation.JsonOutput.Serialize(doc) + "\n");
            }
            else
            {
                var md = output.Resolve(parse) == OutputFormat.Markdown;
                var sb = new StringBuilder(md ? fit.Summary().ToMarkdown() : fit.Summary().ToText());
                if (andersenTest is not null) sb.AppendLine().Append(md ? andersenTest.Summary().ToMarkdown() : andersenTest.Summary().ToText());
                if (difResult is not null) sb.AppendLine().Append(md ? difResult.Summary().ToMarkdown() : difResult.Summary().ToText());
                output.WriteText(parse, context, sb.ToString());
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string PersonsCsv(IrtFit fit, AnalysisData dataset)
    {
        var sb = new StringBuilder("line,answered,raw_score,theta,se,extreme,infit,outfit,lz\n");
        foreach (var p in fit.Persons)
            sb.AppendLine(string.Join(',', dataset.SourceLine(p.Row).ToString(CultureInfo.InvariantCulture), p.Answered.ToString(CultureInfo.InvariantCulture),
                p.RawScore.ToString(CultureInfo.InvariantCulture), Num(p.Theta), Num(p.StandardError), p.Extreme.ToString(CultureInfo.InvariantCulture),
                Num(p.Infit), Num(p.Outfit), Num(p.Lz)));
        return sb.ToString();

        static string Num(double x) => double.IsNaN(x) ? "" : double.IsPositiveInfinity(x) ? "Inf" : double.IsNegativeInfinity(x) ? "-Inf" : x.ToString("R", CultureInfo.InvariantCulture);
    }
}
