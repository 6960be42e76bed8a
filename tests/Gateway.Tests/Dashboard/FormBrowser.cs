using System.Net;
using System.Text.RegularExpressions;

namespace UserData.Gateway.Tests.Dashboard;

/// <summary>
/// What a browser does with the dashboard's forms, over real HTTP: keeps the cookies it is given (by name; each
/// response's raw <c>Set-Cookie</c> headers stay readable), follows no redirect, and posts a form with the
/// antiforgery token of the page it last read.
/// </summary>
public sealed partial class FormBrowser(Uri address) : IDisposable
{
    private readonly HttpClient _client = new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = address };

    public Dictionary<string, string> Cookies { get; } = [];

    public async Task<FormReply> GetAsync(string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return await SendAsync(request);
    }

    /// <summary>Reads the form at <paramref name="formPage"/> and posts it to <paramref name="action"/> with <paramref name="fields"/>.</summary>
    public async Task<FormReply> SubmitAsync(string formPage, string action, params (string Name, string Value)[] fields)
    {
        var page = await GetAsync(formPage);
        var token = TokenField().Match(page.Body);
        Assert.True(token.Success, $"No antiforgery token in {formPage}: {page.Body}");
        return await PostAsync(action, [.. fields, (token.Groups["name"].Value, WebUtility.HtmlDecode(token.Groups["value"].Value))]);
    }

    public async Task<FormReply> PostAsync(string action, IEnumerable<(string Name, string Value)> fields, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(fields.Select(field => KeyValuePair.Create(field.Name, field.Value))),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }

    public async Task<FormReply> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(cookie => $"{cookie.Key}={cookie.Value}")));
        }

        using var response = await _client.SendAsync(request);
        var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        foreach (var header in setCookies)
        {
            var pair = header.Split(';')[0].Split('=', 2);
            if (pair[1].Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                Cookies.Remove(pair[0]);
            }
            else
            {
                Cookies[pair[0]] = pair[1];
            }
        }

        return new FormReply(response.StatusCode, response.Headers, response.Content.Headers, setCookies, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]+)\">")]
    private static partial Regex TokenField();
}

public sealed record FormReply(
    HttpStatusCode Status,
    System.Net.Http.Headers.HttpResponseHeaders Headers,
    System.Net.Http.Headers.HttpContentHeaders ContentHeaders,
    IReadOnlyList<string> SetCookies,
    string Body)
{
    /// <summary>The raw <c>Set-Cookie</c> header that sets <paramref name="name"/>.</summary>
    public string SetCookie(string name) =>
        SetCookies.SingleOrDefault(header => header.StartsWith(name + "=", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No Set-Cookie for {name} in: {string.Join(" | ", SetCookies)}");
}
