using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Metrics;

/// <summary>
/// The gateway process's stdout. In Production: JSON lines only, request and trace ids on every line of a request, no
/// secrets. In Development (what <c>dotnet run</c> starts, by the launch profile): readable lines with the same ids.
/// </summary>
public sealed class StructuredLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-logs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task In_production_every_line_is_json_and_every_line_of_a_request_carries_its_request_and_trace_ids_and_no_secret()
    {
        var signingKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var password = $"Secret-{Guid.NewGuid():N}";
        var wrongPassword = $"Wrong-{Guid.NewGuid():N}";
        var email = $"log-{Guid.NewGuid():N}@example.com";
        var requestIds = new[] { $"ops-register-{Guid.NewGuid():N}", $"ops-login-{Guid.NewGuid():N}", $"ops-fail-{Guid.NewGuid():N}" };
        var lines = new ConcurrentQueue<string>();
        var port = LoopbackPort.Next();
        using var process = StartGateway(port, signingKey, "Production", lines);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.TrueAsync(async () => await IsReadyAsync(client, process), TimeSpan.FromSeconds(60), "the gateway should start");

            using var registered = await SendAsync(client, "/api/v1/auth/register", new { email, password }, requestIds[0]);
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var token = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("access_token").GetString()!;
            using var login = await SendAsync(client, "/api/v1/auth/login", new { email, password }, requestIds[1]);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            using var refused = await SendAsync(client, "/api/v1/auth/login", new { email, password = wrongPassword }, requestIds[2]);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            // The request line is the last one a request writes.
            await Eventually.TrueAsync(() => requestIds.All(id => lines.Any(line => line.Contains(id, StringComparison.Ordinal) && line.Contains("answered", StringComparison.Ordinal))), TimeSpan.FromSeconds(30));

            var parsed = lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
            Assert.All(parsed, entry =>
            {
                foreach (var field in new[] { "Timestamp", "LogLevel", "Category", "Message" })
                {
                    Assert.True(entry.TryGetProperty(field, out _), $"A line lacks {field}: {entry}");
                }
            });

            var inRequests = parsed.Where(entry => Scopes(entry).Any(scope => scope.TryGetProperty("TraceId", out _) || scope.TryGetProperty("RequestId", out _))).ToList();
            foreach (var id in requestIds)
            {
                var ofRequest = inRequests.Where(entry => RequestIds(entry).Contains(id)).ToList();
                Assert.True(ofRequest.Count >= 2, $"Request {id} logged {ofRequest.Count} lines.");
                Assert.Single(ofRequest.Select(entry => TraceId(entry)).Distinct());
            }

            Assert.All(inRequests, entry =>
            {
                Assert.Single(RequestIds(entry));
                Assert.False(string.IsNullOrEmpty(TraceId(entry)), $"No trace id: {entry}");
            });
            Assert.Contains(inRequests, entry => entry.GetProperty("Message").GetString()!.Contains("registered", StringComparison.Ordinal));
            Assert.Contains(inRequests, entry => entry.GetProperty("Message").GetString() == "Login refused");

            var everything = string.Join('\n', lines);
            foreach (var secret in new[] { password, wrongPassword, token, signingKey, login.Headers.ToString() })
            {
                Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("Bearer ", everything, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task In_development_lines_are_readable_and_a_request_s_lines_carry_its_request_and_trace_ids()
    {
        var requestId = $"dev-{Guid.NewGuid():N}";
        var lines = new ConcurrentQueue<string>();
        var port = LoopbackPort.Next();
        using var process = StartGateway(port, Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray()), "Development", lines);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.TrueAsync(async () => await IsReadyAsync(client, process), TimeSpan.FromSeconds(60), "the gateway should start");

            using var refused = await SendAsync(client, "/api/v1/auth/login", new { email = "nobody@example.com", password = "wrong password" }, requestId);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            await Eventually.TrueAsync(() => lines.Any(line => line.Contains("answered 401", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));

            // The simple formatter: a "level: category" line, then the scopes and the message on indented lines.
            var output = lines.ToList();
            Assert.DoesNotContain(output, line => line.TrimStart().StartsWith('{'));
            Assert.Contains(output, line => Regex.IsMatch(line, @"^(\d\d:\d\d:\d\d\.\d{3} )?info: UserData\.Gateway\.Logging\.RequestLogMiddleware\["));
            var scopes = output.Where(line => line.Contains($"RequestId:{requestId}", StringComparison.Ordinal)).ToList();
            Assert.True(scopes.Count >= 2, $"The request's lines: {string.Join('\n', output)}");
            Assert.All(scopes, line => Assert.Matches("TraceId:[0-9a-f]{32}", line));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("Gateway")]
    [InlineData("Silo")]
    public void Dotnet_run_starts_the_program_in_the_development_environment(string project)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", project, "Properties", "launchSettings.json")));

        var profile = settings.RootElement.GetProperty("profiles").EnumerateObject().First().Value;
        Assert.Equal("Project", profile.GetProperty("commandName").GetString());
        Assert.Equal("Development", profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString());
        Assert.False(profile.TryGetProperty("applicationUrl", out _), "The URL is the program's default (http://127.0.0.1:8080), not the profile's.");
    }

    private static IEnumerable<JsonElement> Scopes(JsonElement entry) =>
        entry.TryGetProperty("Scopes", out var scopes) ? scopes.EnumerateArray().Where(scope => scope.ValueKind == JsonValueKind.Object) : [];

    private static List<string> RequestIds(JsonElement entry) =>
        [.. Scopes(entry).Where(scope => scope.TryGetProperty("RequestId", out _)).Select(scope => scope.GetProperty("RequestId").GetString()!)];

    private static string? TraceId(JsonElement entry) =>
        Scopes(entry).Where(scope => scope.TryGetProperty("TraceId", out _)).Select(scope => scope.GetProperty("TraceId").GetString()).FirstOrDefault();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, object body, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Request-Id", requestId);
        return await client.SendAsync(request);
    }

    private static async Task<bool> IsReadyAsync(HttpClient client, Process process)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The gateway exited with {process.ExitCode}.");
        }

        try
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return ready.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private Process StartGateway(int port, string signingKey, string environment, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UserData.Gateway.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Storage__Sqlite__Path"] = Path.Combine(_folder, "userdata.db");
        start.Environment["Auth__SigningKey"] = signingKey;
        start.Environment["Auth__PasswordHasher__IterationCount"] = "1000";
        start.Environment["Logging__LogLevel__Default"] = "Debug";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start.");
        process.OutputDataReceived += (_, line) =>
        {
            if (!string.IsNullOrEmpty(line.Data))
            {
                lines.Enqueue(line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (!string.IsNullOrEmpty(line.Data))
            {
                lines.Enqueue(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
