using System.Net;
using System.Text;
using Microsoft.Data.Analysis;

namespace Alliance.Analytics.Presentation;

/// <summary>
/// How a result presents itself: a title, tables, notes and warnings, rendered as terminal text, Markdown, HTML or
/// DataFrames (as statsmodels' Summary and metafor's print do). Built by <see cref="IAnalysisResult.Summary"/>.
/// </summary>
/// <param name="Title">Title of the result (e.g. "Cronbach's alpha: WAI-SR total").</param>
/// <param name="Lines">Key figures or settings printed under the title, one per line ("n = 1,180 of 1,200 rows").</param>
/// <param name="Tables">The result's tables, in reading order.</param>
/// <param name="Notes">Notes printed after the tables (method, settings, citations).</param>
/// <param name="Warnings">Warnings printed prominently (non-convergence, negative alpha, dropped rows …).</param>
public sealed record ResultSummary(
    string Title,
    IReadOnlyList<string> Lines,
    IReadOnlyList<ResultTable> Tables,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A summary with only a title and tables.</summary>
    public ResultSummary(string title, params ResultTable[] tables) : this(title, [], tables, [], []) { }

    /// <summary>Renders as plain text for a terminal.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Title);
        sb.AppendLine(new string('=', Math.Min(Math.Max(Title.Length, 3), 100)));
        foreach (var w in Warnings) sb.Append("WARNING: ").AppendLine(w);
        foreach (var l in Lines) sb.AppendLine(l);
        foreach (var t in Tables)
        {
            sb.AppendLine();
            sb.Append(t.ToText());
        }
        if (Notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in Notes) sb.Append("Note: ").AppendLine(n);
        }
        return sb.ToString();
    }

    /// <summary>Renders as Markdown.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("### ").AppendLine(Title).AppendLine();
        foreach (var w in Warnings) sb.Append("> **Warning:** ").AppendLine(w).AppendLine();
        foreach (var l in Lines) sb.Append("- ").AppendLine(l);
        if (Lines.Count > 0) sb.AppendLine();
        foreach (var t in Tables) sb.AppendLine(t.ToMarkdown());
        foreach (var n in Notes) sb.Append("*Note:* ").AppendLine(n).AppendLine();
        return sb.ToString();
    }

    /// <summary>Renders as an HTML fragment (what the notebook formatters display).</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"alliance-result\">");
        sb.Append("<h4>").Append(WebUtility.HtmlEncode(Title)).Append("</h4>");
        foreach (var w in Warnings) sb.Append("<p style=\"color:#b00\"><b>Warning:</b> ").Append(WebUtility.HtmlEncode(w)).Append("</p>");
        if (Lines.Count > 0)
        {
            sb.Append("<ul>");
            foreach (var l in Lines) sb.Append("<li>").Append(WebUtility.HtmlEncode(l)).Append("</li>");
            sb.Append("</ul>");
        }
        foreach (var t in Tables) sb.Append(t.ToHtml());
        foreach (var n in Notes) sb.Append("<p><i>Note:</i> ").Append(WebUtility.HtmlEncode(n)).Append("</p>");
        sb.Append("</div>");
        return sb.ToString();
    }

    /// <summary>Each table as a <see cref="DataFrame"/>, in order.</summary>
    public IReadOnlyList<DataFrame> ToDataFrames() => Tables.Select(t => t.ToDataFrame()).ToArray();

    /// <summary>The text rendering.</summary>
    public override string ToString() => ToText();
}
