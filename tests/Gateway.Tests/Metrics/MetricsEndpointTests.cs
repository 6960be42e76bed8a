using System.Net;
using System.Text.Json.Nodes;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Metrics;

/// <summary><c>GET /metrics</c> on the real gateway after real traffic: valid exposition, every family with real values.</summary>
public sealed class MetricsEndpointTests(OpsGateway fixture) : IClassFixture<OpsGateway>
{
    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task After_traffic_every_family_appears_with_real_values_in_valid_exposition()
    {
        const int tasks = 4;
        var session = await Api.RegisterAsync();
        for (var i = 0; i < tasks; i++)
        {
            Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = $"task {i}" }, session.AccessToken), HttpStatusCode.Created);
        }

        Expect.Status(await Api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await Api.GetAsync("/api/v1/me/tasks/missing", session.AccessToken), HttpStatusCode.NotFound);

        using var response = await fixture.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PrometheusTextWriter.ContentType, response.Content.Headers.ContentType!.ToString());
        var families = PrometheusTextParser.Parse(text);

        var http = Family(families, "http_server_request_duration_seconds", "histogram");
        AtLeast(tasks, http, "http_route", "/api/v1/me/tasks/", "http_request_method", "POST", "http_response_status_code", "201");
        AtLeast(1, http, "http_route", "/api/v1/me/tasks/{id}", "http_request_method", "GET", "http_response_status_code", "404");

        var calls = Family(families, "grain_call_duration_seconds", "histogram");
        AtLeast(tasks, calls, "grain_type", "user", "method", "CreateTaskAsync", "outcome", "ok");
        AtLeast(1, calls, "grain_type", "user", "method", "GetTaskAsync", "outcome", "error");
        Assert.True(Sum(calls, "grain_type", "user", "method", "CreateTaskAsync", "outcome", "ok") > 0);

        Assert.True(Family(families, "grain_activations", "gauge").Samples.Single(s => s.Has("grain_type", "user")).Value >= 1);
        Assert.Contains(Family(families, "grain_queue_length", "gauge").Samples, s => s.Has("grain_type", "user") && s.Value >= 0);

        var storage = Family(families, "storage_operation_duration_seconds", "histogram");
        AtLeast(tasks, storage, "provider", "sqlite", "operation", "append", "outcome", "ok");

        Assert.Equal(1, Family(families, "cluster_silos", "gauge").Samples.Single(s => s.Has("status", "Active")).Value);
        Assert.True(Family(families, "dotnet_process_cpu_time_seconds_total", "counter").Samples.Sum(s => s.Value) > 0);
    }

    private static ParsedFamily Family(IReadOnlyDictionary<string, ParsedFamily> families, string name, string type)
    {
        Assert.True(families.TryGetValue(name, out var family), $"No family {name}; families: {string.Join(", ", families.Keys)}");
        Assert.Equal(type, family.Type);
        Assert.NotEmpty(family.Samples);
        return family;
    }

    private static void AtLeast(double minimum, ParsedFamily histogram, params string[] labels)
    {
        var count = Pick(histogram, "_count", labels);
        Assert.True(count >= minimum, $"{histogram.Name} {string.Join(",", labels)}: {count} < {minimum}; series: " +
            string.Join(" | ", histogram.Samples.Where(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Select(s => string.Join(",", s.Labels) + "=" + s.Value)));
    }

    private static double Sum(ParsedFamily histogram, params string[] labels) => Pick(histogram, "_sum", labels);

    private static double Pick(ParsedFamily histogram, string suffix, string[] labels) =>
        histogram.Samples
            .Where(sample => sample.Name == histogram.Name + suffix)
            .Where(sample => labels.Chunk(2).All(pair => sample.Has(pair[0], pair[1])))
            .Sum(sample => sample.Value);
}
