using System.Globalization;
using System.Text;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>Writes metric families in the Prometheus text exposition format, version 0.0.4.</summary>
public static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Write(StringBuilder output, IEnumerable<MetricFamily> families)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(families);
        foreach (var family in families)
        {
            if (family.Help.Length > 0)
            {
                output.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            }

            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Kind)).Append('\n');
            foreach (var series in family.Series)
            {
                if (family.Kind == MetricKind.Histogram)
                {
                    WriteHistogram(output, family, series);
                }
                else
                {
                    WriteSample(output, family.Name, series.Labels, extraLabel: null, series.Value);
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, MetricFamily family, MetricSeries series)
    {
        long cumulative = 0;
        for (var index = 0; index < family.Bounds.Count; index++)
        {
            cumulative += series.BucketCounts[index];
            WriteSample(output, family.Name + "_bucket", series.Labels, new("le", FormatValue(family.Bounds[index])), cumulative);
        }

        WriteSample(output, family.Name + "_bucket", series.Labels, new("le", "+Inf"), series.Count);
        WriteSample(output, family.Name + "_sum", series.Labels, extraLabel: null, series.Sum);
        WriteSample(output, family.Name + "_count", series.Labels, extraLabel: null, series.Count);
    }

    private static void WriteSample(
        StringBuilder output, string name, IReadOnlyList<KeyValuePair<string, string>> labels, KeyValuePair<string, string>? extraLabel, double value)
    {
        output.Append(name);
        if (labels.Count > 0 || extraLabel is not null)
        {
            output.Append('{');
            var first = true;
            foreach (var label in extraLabel is { } extra ? labels.Append(extra) : labels)
            {
                output.Append(first ? "" : ",").Append(label.Key).Append("=\"").Append(EscapeLabelValue(label.Value)).Append('"');
                first = false;
            }

            output.Append('}');
        }

        output.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    private static string TypeName(MetricKind kind) => kind switch
    {
        MetricKind.Counter => "counter",
        MetricKind.Gauge => "gauge",
        _ => "histogram",
    };

    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    // Label values escape backslash, double quote and line feed; help text escapes backslash and line feed.
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
