using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Diagnostics.Prometheus;

namespace UserData.Gateway.Tests.Metrics;

public sealed class PrometheusTextWriterTests : IDisposable
{
    private const string MeterName = "Test.Meter";
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Meter _meter;
    private readonly MetricsCollector _collector;

    public PrometheusTextWriterTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _meter = factory.Create(MeterName);
        _collector = new MetricsCollector(factory, [MeterName]);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _services.Dispose();
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", MetricKind.Histogram, "http_server_request_duration_seconds")]
    [InlineData("grain.activations", "{activation}", MetricKind.Gauge, "grain_activations")]
    [InlineData("requests", "{request}", MetricKind.Counter, "requests_total")]
    [InlineData("jobs_total", null, MetricKind.Counter, "jobs_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", MetricKind.Counter, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("process-cpu.time", "s", MetricKind.Counter, "process_cpu_time_seconds_total")]
    [InlineData("9lives", "ms", MetricKind.Gauge, "_9lives_milliseconds")]
    public void Instrument_names_follow_prometheus_naming(string name, string? unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, kind));

    [Theory]
    [InlineData("http.request.method", "http_request_method")]
    [InlineData("grain_type", "grain_type")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("a-b c", "a_b_c")]
    public void Tag_keys_become_valid_label_names(string key, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key));

    [Fact]
    public void Counters_gauges_and_histograms_are_aggregated_and_written_as_valid_exposition()
    {
        var counter = _meter.CreateCounter<long>("jobs", "{job}", "Jobs done.");
        var upDown = _meter.CreateUpDownCounter<int>("jobs.running", "{job}", "Jobs running.");
        var histogram = _meter.CreateHistogram("job.duration", "s", "Job time.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        var level = 7;
        _meter.CreateObservableGauge("level", () => level, null, "A level.");
        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b"));
        upDown.Add(5);
        upDown.Add(-2);
        histogram.Record(0.05, new KeyValuePair<string, object?>("code", 200));
        histogram.Record(0.1, new KeyValuePair<string, object?>("code", 200));
        histogram.Record(0.5, new KeyValuePair<string, object?>("code", 200));
        histogram.Record(3, new KeyValuePair<string, object?>("code", 200));

        var families = PrometheusTextParser.Parse(Scrape());

        Assert.Equal("counter", families["jobs_total"].Type);
        Assert.Equal("Jobs done.", families["jobs_total"].Help);
        Assert.Equal(5, families["jobs_total"].Samples.Single(s => s.Has("kind", "a")).Value);
        Assert.Equal(1, families["jobs_total"].Samples.Single(s => s.Has("kind", "b")).Value);
        Assert.Equal("gauge", families["jobs_running"].Type);
        Assert.Equal(3, families["jobs_running"].Samples.Single().Value);
        Assert.Equal(7, families["level"].Samples.Single().Value);
        var duration = families["job_duration_seconds"];
        Assert.Equal("histogram", duration.Type);
        Assert.Equal(2, duration.Samples.Single(s => s.Name == "job_duration_seconds_bucket" && s.Has("le", "0.1") && s.Has("code", "200")).Value);
        Assert.Equal(3, duration.Samples.Single(s => s.Has("le", "1")).Value);
        Assert.Equal(4, duration.Samples.Single(s => s.Has("le", "+Inf")).Value);
        Assert.Equal(4, duration.Samples.Single(s => s.Name == "job_duration_seconds_count").Value);
        Assert.Equal(3.65, duration.Samples.Single(s => s.Name == "job_duration_seconds_sum").Value, 9);

        level = 9;
        Assert.Equal(9, PrometheusTextParser.Parse(Scrape())["level"].Samples.Single().Value);
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var counter = _meter.CreateCounter<int>("escapes", null, "Back\\slash and\nnew line.");
        const string hostile = "a\"quote\\back\nline} ,x=\"y";
        counter.Add(1, new KeyValuePair<string, object?>("path", hostile));

        var text = Scrape();
        var family = PrometheusTextParser.Parse(text)["escapes_total"];

        Assert.Contains("# HELP escapes_total Back\\\\slash and\\nnew line.\n", text, StringComparison.Ordinal);
        Assert.Equal("Back\\slash and\nnew line.", family.Help);
        Assert.Equal(hostile, family.Samples.Single().Labels["path"]);
    }

    [Fact]
    public void Observed_series_that_are_no_longer_reported_disappear()
    {
        var types = new List<string> { "user", "email" };
        _meter.CreateObservableGauge("things", () => types.Select(type => new Measurement<int>(1, new KeyValuePair<string, object?>("type", type))));
        Assert.Equal(2, PrometheusTextParser.Parse(Scrape())["things"].Samples.Count);

        types.Remove("email");

        Assert.Equal("user", PrometheusTextParser.Parse(Scrape())["things"].Samples.Single().Labels["type"]);
    }

    [Fact]
    public void Meters_of_another_host_are_not_collected()
    {
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var otherMeter = otherServices.GetRequiredService<IMeterFactory>().Create(MeterName);
        otherMeter.CreateCounter<int>("foreign").Add(1);
        _meter.CreateCounter<int>("own").Add(1);

        var families = PrometheusTextParser.Parse(Scrape());

        Assert.Contains("own_total", families.Keys);
        Assert.DoesNotContain("foreign_total", families.Keys);
    }

    [Theory]
    [InlineData("m 1\n")]
    [InlineData("# TYPE m counter\nm{a=\"x\"} 1\nm{a=\"x\"} 2\n")]
    [InlineData("# TYPE m gauge\nm{a=\"\\t\"} 1\n")]
    [InlineData("# TYPE m gauge\nm{1a=\"x\"} 1\n")]
    [InlineData("# TYPE m gauge\nm one\n")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")]
    [InlineData("# TYPE m gauge\nm 1")]
    public void The_test_parser_rejects_invalid_exposition(string text) =>
        Assert.ThrowsAny<Exception>(() => PrometheusTextParser.Parse(text));

    private string Scrape()
    {
        var text = new StringBuilder();
        PrometheusTextWriter.Write(text, _collector.Collect());
        return text.ToString();
    }
}
