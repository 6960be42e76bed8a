using System.Text;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Turns OpenTelemetry-style instrument names, units and tag keys into Prometheus names, as the OpenTelemetry
/// Prometheus exporter does: invalid characters become <c>_</c>, the unit becomes a suffix (<c>s</c> to
/// <c>_seconds</c>, <c>By</c> to <c>_bytes</c>, annotations such as <c>{call}</c> are dropped) and counters end in <c>_total</c>.
/// </summary>
public static class PrometheusNaming
{
    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        var name = Sanitize(instrumentName, allowColon: true);
        var unitSuffix = UnitSuffix(unit);
        if (unitSuffix.Length > 0 && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal))
        {
            name += "_" + unitSuffix;
        }

        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    public static string LabelName(string tagKey)
    {
        ArgumentNullException.ThrowIfNull(tagKey);
        var name = Sanitize(tagKey, allowColon: false);

        // Names starting with __ are reserved for Prometheus' own use.
        return name.StartsWith("__", StringComparison.Ordinal) ? "_" + name.TrimStart('_') : name;
    }

    private static string UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => "",
        "s" => "seconds",
        "ms" => "milliseconds",
        "By" => "bytes",
        _ when unit.StartsWith('{') => "",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var character in name)
        {
            var valid = char.IsAsciiLetterOrDigit(character) || character == '_' || (allowColon && character == ':');
            builder.Append(valid ? character : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
