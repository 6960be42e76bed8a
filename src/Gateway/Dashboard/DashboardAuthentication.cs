using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// How a browser reaches the Orleans Dashboard: a cookie scheme next to the bearer scheme, its cookie scoped to
/// <see cref="Path"/>, and a policy scheme that the admin policy uses, which asks the bearer scheme when the request
/// carries an <c>Authorization</c> header (an API client, a JWT admin) or does not go to the dashboard, and the cookie
/// scheme otherwise (a browser).
/// </summary>
public static class DashboardAuthentication
{
    public const string Path = "/dashboard";
    public const string SignInPath = Path + "/signin";
    public const string SignOutPath = Path + "/signout";
    public const string CookieScheme = "DashboardCookie";
    public const string AdminScheme = "BearerOrDashboardCookie";
    public const string CookieName = "userdata-dashboard";
    public const string AntiforgeryCookieName = "userdata-dashboard-antiforgery";

    public static AuthenticationBuilder AddDashboardCookie(this AuthenticationBuilder authentication, string bearerScheme, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        var services = authentication.Services;
        services.AddOptions<DashboardSignInOptions>().Bind(configuration.GetSection(DashboardSignInOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<IOptions<DashboardSignInOptions>>((cookie, settings) =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.Path = Path;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // An absolute lifetime: the page polls every second, so a sliding one would never end while it is open.
            cookie.ExpireTimeSpan = settings.Value.SignInLifetime;
            cookie.SlidingExpiration = false;
            cookie.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized),
                OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden),
            };
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = AntiforgeryCookieName;
            antiforgery.Cookie.Path = Path;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return authentication
            .AddCookie(CookieScheme)
            .AddPolicyScheme(AdminScheme, null, policy => policy.ForwardDefaultSelector = context => SelectScheme(context, bearerScheme));
    }

    /// <summary>The cookie scheme for a dashboard request without an <c>Authorization</c> header, the bearer scheme otherwise.</summary>
    public static string SelectScheme(HttpContext context, string bearerScheme)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Headers.Authorization.Count == 0 && context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase)
            ? CookieScheme
            : bearerScheme;
    }

    /// <summary>The page itself sends a browser to the sign-in form; everything else behind it (its data, scripts) gets the error envelope.</summary>
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (status == StatusCodes.Status401Unauthorized && IsPage(context.Request))
        {
            context.Response.Redirect(context.Request.PathBase + SignInPath);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }

    private static bool IsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.Value?.TrimEnd('/') is { } path
        && (path.Equals(Path, StringComparison.OrdinalIgnoreCase) || path.Equals(Path + "/index.html", StringComparison.OrdinalIgnoreCase));
}
