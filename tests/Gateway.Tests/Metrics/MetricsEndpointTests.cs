using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Metrics;

/// <summary><c>GET /metrics</c> on the real gateway after real traffic: valid exposition, every family with real values.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests(OpsGateway fixture) : IClassFixture<OpsGateway>
{
    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task After_traffic_every_family_appears_with_real_values_in_valid_exposition_and_per_request_diagnostics_do_not()
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
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var families = PrometheusTextParser.Parse(text);

        var http = Family(families, "http_server_request_duration_seconds", "histogram");
        AtLeast(tasks, http, "http_route", "/api/v1/me/tasks/", "http_request_method", "POST", "http_response_status_code", "201");
        AtLeast(1, http, "http_route", "/api/v1/me/tasks/{id}", "http_request_method", "GET", "http_response_status_code", "404");

        // A missing task is the client's mistake: its grain call is "rejected", not an error.
        var calls = Family(families, "userdata_grain_call_duration_seconds", "histogram");
        AtLeast(tasks, calls, "grain_type", "user", "method", "CreateTaskAsync", "outcome", "ok");
        AtLeast(1, calls, "grain_type", "user", "method", "GetTaskAsync", "outcome", "rejected");
        Assert.Equal(0, Pick(calls, "_count", ["outcome", "error"]));

        Assert.True(Family(families, "orleans_catalog_activations", "gauge").Samples.Where(s => s.Has("grain_type", "user")).Sum(s => s.Value) >= 1);
        Assert.Contains(families.Keys, name => name.StartsWith("orleans_messaging_", StringComparison.Ordinal));

        var storage = Family(families, "userdata_storage_operation_duration_seconds", "histogram");
        AtLeast(tasks, storage, "provider", "sqlite", "store", "journal");
        Assert.True(Family(families, "userdata_journal_appends_total", "counter").Samples.Sum(s => s.Value) >= tasks);

        // Instruments updated several times for every request or message are dropped (TelemetryExtensions).
        string[] dropped =
        [
            "aspnetcore_memory_pool_", "aspnetcore_routing_match_attempts", "aspnetcore_authentication_", "aspnetcore_authorization_",
            "aspnetcore_rate_limiting_request_lease_duration", "aspnetcore_rate_limiting_active_request_leases",
            "orleans_directory_lookups_", "orleans_messaging_processing_",
        ];
        Assert.DoesNotContain(families.Keys, name => dropped.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains("aspnetcore_rate_limiting_requests_total", families.Keys);
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
