using Alliance.Analytics.Instruments;
using Alliance.Analytics.Plotting;
using Alliance.Analytics.Presentation;
using Microsoft.DotNet.Interactive.Formatting;

namespace Alliance.Analytics.Interactive;

/// <summary>
/// Registers HTML formatters so results display themselves in a Polyglot notebook cell: every
/// <see cref="IAnalysisResult"/> as its summary tables, an <see cref="Instrument"/> as its description, and a
/// ScottPlot <see cref="ScottPlot.Plot"/> as a PNG image. Call <see cref="Register"/> once at the top of a notebook.
/// </summary>
public static class AllianceFormatters
{
    /// <summary>Width and height (pixels) at which plots are displayed.</summary>
    public const int PlotWidth = 800, PlotHeight = 450;

    /// <summary>Registers the formatters (idempotent: registering again replaces them).</summary>
    public static void Register()
    {
        Formatter.Register<IAnalysisResult>((result, writer) => writer.Write(result.Summary().ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<ResultSummary>((summary, writer) => writer.Write(summary.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<ResultTable>((table, writer) => writer.Write(table.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<Instrument>((instrument, writer) => writer.Write(instrument.Summary().ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<ScottPlot.Plot>((plot, writer) => writer.Write(ToHtml(plot)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(IAnalysisResult), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(ScottPlot.Plot), HtmlFormatter.MimeType);
    }

    /// <summary>An <c>&lt;img&gt;</c> tag with the plot as an embedded PNG.</summary>
    public static string ToHtml(ScottPlot.Plot plot, int width = PlotWidth, int height = PlotHeight) =>
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(PlotExport.ToPng(plot, width, height))}\" width=\"{width}\" height=\"{height}\"/>";
}
