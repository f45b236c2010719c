using System.Text.Json.Nodes;
using Alliance.Analytics.Numerics;
using Alliance.Analytics.Presentation;

namespace Alliance.Analytics.Outcomes;

/// <summary>JSON pieces shared by the outcome results.</summary>
internal static class OutcomeJson
{
    /// <summary><c>{"converged", "iterations", "evaluations", "final_change", "tolerance", "exit_reason"}</c>.</summary>
    public static JsonObject Convergence(Convergence c, int evaluations) => new()
    {
        ["converged"] = c.Converged,
        ["iterations"] = c.Iterations,
        ["evaluations"] = evaluations,
        ["final_change"] = JsonOutput.Number(c.FinalChange),
        ["tolerance"] = JsonOutput.Number(c.Tolerance),
        ["exit_reason"] = c.ExitReason,
    };
}
