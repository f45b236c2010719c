using System.Text.Json.Nodes;
using Alliance.Analytics.Data;

namespace Alliance.Analytics.Presentation;

/// <summary>
/// What every result record offers: the n it used and why rows were left out, its warnings, a
/// <see cref="ResultSummary"/> that renders as text, Markdown, HTML or DataFrames, and a JSON document with
/// snake_case keys (documented per verb in docs/cli). Result records are immutable.
/// </summary>
public interface IAnalysisResult
{
    /// <summary>The rows behind the result and every reason rows were left out.</summary>
    DataUsage Usage { get; }

    /// <summary>Warnings a reader must see (non-convergence, degenerate input, dropped data …); empty when none.</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>Tables and notes for display.</summary>
    ResultSummary Summary();

    /// <summary>
    /// The result as JSON: snake_case keys, <c>null</c> for a missing or undefined figure (never NaN), and always
    /// <c>n</c>, <c>data</c> (see <see cref="JsonOutput.Usage"/>) and <c>warnings</c>.
    /// </summary>
    JsonObject ToJson();
}
