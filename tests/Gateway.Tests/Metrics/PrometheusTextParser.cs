using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace UserData.Gateway.Tests.Metrics;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, written independently of the writer: it
/// rejects anything the format does not allow (bad names, bad escapes, samples outside their family, a family
/// declared twice, duplicate series, non-cumulative or incomplete histograms).
/// </summary>
internal static partial class PrometheusTextParser
{
    public static IReadOnlyDictionary<string, ParsedFamily> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("The exposition must end with a line feed.");
        }

        var families = new Dictionary<string, ParsedFamily>(StringComparer.Ordinal);
        var seenSeries = new HashSet<string>(StringComparer.Ordinal);
        ParsedFamily? current = null;
        var lineNumber = 0;
        foreach (var line in text.Split('\n')[..^1])
        {
            lineNumber++;
            try
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line[7..].Split(' ', 2);
                    var name = parts[0];
                    RequireMetricName(name);
                    if (current?.Name != name)
                    {
                        if (families.ContainsKey(name))
                        {
                            throw new FormatException($"Family {name} appears twice.");
                        }

                        current = new ParsedFamily(name);
                        families.Add(name, current);
                    }

                    if (line[2] == 'H')
                    {
                        current.Help = Unescape(parts.Length > 1 ? parts[1] : "", allowQuote: false);
                    }
                    else
                    {
                        if (current.Type is not null || current.Samples.Count > 0)
                        {
                            throw new FormatException($"TYPE of {name} must come once, before its samples.");
                        }

                        current.Type = parts.Length > 1 && parts[1] is "counter" or "gauge" or "histogram" or "summary" or "untyped"
                            ? parts[1]
                            : throw new FormatException($"Unknown type in '{line}'.");
                    }

                    continue;
                }

                if (line.StartsWith('#'))
                {
                    continue;
                }

                var sample = ParseSample(line);
                if (current is null || !BelongsTo(sample.Name, current))
                {
                    throw new FormatException($"Sample {sample.Name} is outside a family declared for it.");
                }

                var identity = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => label.Key + "=" + label.Value)) + "}";
                if (!seenSeries.Add(identity))
                {
                    throw new FormatException($"Series {identity} appears twice.");
                }

                current.Samples.Add(sample);
            }
            catch (FormatException exception)
            {
                throw new FormatException($"Line {lineNumber}: {exception.Message} ('{line}')", exception);
            }
        }

        foreach (var family in families.Values.Where(family => family.Type == "histogram"))
        {
            CheckHistogram(family);
        }

        return families;
    }

    private static bool BelongsTo(string sampleName, ParsedFamily family) => family.Type switch
    {
        "histogram" => sampleName == family.Name + "_bucket" || sampleName == family.Name + "_sum" || sampleName == family.Name + "_count",
        "summary" => sampleName == family.Name || sampleName == family.Name + "_sum" || sampleName == family.Name + "_count",
        _ => sampleName == family.Name,
    };

    private static void CheckHistogram(ParsedFamily family)
    {
        foreach (var series in family.Samples.GroupBy(sample => string.Join(",", sample.Labels.Where(label => label.Key != "le").OrderBy(label => label.Key).Select(label => label.Key + "=" + label.Value))))
        {
            var buckets = series.Where(sample => sample.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToList();
            var count = series.SingleOrDefault(sample => sample.Name.EndsWith("_count", StringComparison.Ordinal))
                ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _count.");
            _ = series.SingleOrDefault(sample => sample.Name.EndsWith("_sum", StringComparison.Ordinal))
                ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _sum.");
            var previousBound = double.NegativeInfinity;
            var previousCount = 0.0;
            foreach (var bucket in buckets)
            {
                var bound = ParseValue(bucket.Labels.TryGetValue("le", out var le) ? le : throw new FormatException("A bucket has no le label."));
                if (bound <= previousBound || bucket.Value < previousCount)
                {
                    throw new FormatException($"{family.Name}{{{series.Key}}} buckets are not ascending and cumulative.");
                }

                previousBound = bound;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousBound) || previousCount != count.Value)
            {
                throw new FormatException($"{family.Name}{{{series.Key}}} must end with le=\"+Inf\" equal to _count.");
            }
        }
    }

    private static ParsedSample ParseSample(string line)
    {
        var position = 0;
        var name = ReadWhile(line, ref position, c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
        RequireMetricName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var labelName = ReadWhile(line, ref position, c => char.IsAsciiLetterOrDigit(c) || c == '_');
                if (!LabelName().IsMatch(labelName) || labelName.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new FormatException($"Bad label name '{labelName}'.");
                }

                Expect(line, ref position, "=\"");
                var value = new StringBuilder();
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        value.Append(line[position] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"Bad escape \\{line[position]}."),
                        });
                    }
                    else
                    {
                        value.Append(line[position]);
                    }

                    position++;
                }

                position++;
                if (!labels.TryAdd(labelName, value.ToString()))
                {
                    throw new FormatException($"Label {labelName} appears twice.");
                }

                if (line[position] == ',')
                {
                    position++;
                }
                else if (line[position] != '}')
                {
                    throw new FormatException("Expected , or } after a label.");
                }
            }

            position++;
        }

        Expect(line, ref position, " ");
        var fields = line[position..].Split(' ');
        if (fields.Length is < 1 or > 2 || (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException("Expected a value and an optional integer timestamp.");
        }

        return new ParsedSample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when FloatValue().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"Bad value '{text}'."),
    };

    private static string Unescape(string text, bool allowQuote)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                builder.Append(text[i]);
                continue;
            }

            i++;
            builder.Append(i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when allowQuote => '"',
                _ => throw new FormatException($"Bad escape \\{text[i]}."),
            } : throw new FormatException("A trailing backslash."));
        }

        return builder.ToString();
    }

    private static void RequireMetricName(string name)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"Bad metric name '{name}'.");
        }
    }

    private static string ReadWhile(string line, ref int position, Func<char, bool> accept)
    {
        var start = position;
        while (position < line.Length && accept(line[position]))
        {
            position++;
        }

        return line[start..position];
    }

    private static void Expect(string line, ref int position, string expected)
    {
        if (string.CompareOrdinal(line, position, expected, 0, expected.Length) != 0)
        {
            throw new FormatException($"Expected '{expected}' at column {position + 1}.");
        }

        position += expected.Length;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")]
    private static partial Regex FloatValue();
}

internal sealed class ParsedFamily(string name)
{
    public string Name { get; } = name;

    public string? Type { get; set; }

    public string Help { get; set; } = "";

    public List<ParsedSample> Samples { get; } = [];
}

internal sealed record ParsedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(string label, string value) => Labels.TryGetValue(label, out var actual) && actual == value;
}
