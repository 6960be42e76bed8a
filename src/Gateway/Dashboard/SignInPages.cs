using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The dashboard's sign-in and sign-out forms: plain HTML with no script and no external asset, under a
/// Content-Security-Policy that allows only their own inline style (by nonce) and posting to this origin.
/// </summary>
public static class SignInPages
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;background:#1e1e2e;color:#e5e7eb;display:flex;justify-content:center;margin:0;padding-top:12vh}" +
        "main{background:#11111b;padding:2rem;border-radius:8px;width:22rem}h1{font-size:1.3rem;margin-top:0}" +
        "label{display:block;margin-top:1rem}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.3rem}" +
        "button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem}#message{color:#fca5a5}p{line-height:1.4}";

    public static IResult SignIn(HttpContext context, IAntiforgery antiforgery, int status = StatusCodes.Status200OK, string? message = null, string? email = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var action = Encode(context.Request.PathBase + DashboardAuthentication.SignInPath);
        return Page(context, status, "Sign in", $"""
            <h1>UserData: Orleans Dashboard</h1>
            {Message(message)}<form id="sign-in" method="post" action="{action}">
            {TokenField(context, antiforgery)}<label>Email<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="{Encode(email)}"></label>
            <label>Password<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128"></label>
            <button type="submit">Sign in</button>
            </form>
            """);
    }

    public static IResult SignOut(HttpContext context, IAntiforgery antiforgery, string email)
    {
        ArgumentNullException.ThrowIfNull(context);
        var action = Encode(context.Request.PathBase + DashboardAuthentication.SignOutPath);
        var dashboard = Encode(context.Request.PathBase + DashboardAuthentication.Path + "/");
        return Page(context, StatusCodes.Status200OK, "Sign out", $"""
            <h1>UserData: Orleans Dashboard</h1>
            <p>Signed in as {Encode(email)}. <a href="{dashboard}">Back to the dashboard</a></p>
            <form id="sign-out" method="post" action="{action}">
            {TokenField(context, antiforgery)}<button type="submit">Sign out</button>
            </form>
            """);
    }

    private static IResult Page(HttpContext context, int status, string title, string body)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title}: UserData dashboard</title><style nonce="{nonce}">{Style}</style></head>
            <body><main>
            {body}
            </main></body></html>
            """, "text/html; charset=utf-8", statusCode: status);
    }

    private static string Message(string? message) => message is null ? string.Empty : $"<p id=\"message\" role=\"alert\">{Encode(message)}</p>\n";

    private static string TokenField(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">\n";
    }

    private static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);
}
