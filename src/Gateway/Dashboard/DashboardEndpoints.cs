using FluentValidation;
using UserData.Grains.Validation;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Orleans;
using Orleans.Dashboard;
using Orleans.Runtime;
using UserData.Gateway.Api;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Logging;
using UserData.Grains.Requests;
using UserData.Grains.Users;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c> for admins only (its page, assets and every data route), and the
/// browser's way in: a sign-in form that checks the password as <c>POST /api/v1/auth/login</c> does and gives an admin
/// the dashboard cookie, and a sign-out form.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Shown to a user who signed in correctly without the admin role.</summary>
    public const string NotAnAdminMessage =
        "This account does not have the admin role. An admin can give it to you (PUT /api/v1/admin/users/{your user id}/role " +
        "with {\"role\": \"admin\"}; GET /api/v1/me shows your id), or an operator can add your email to Bootstrap__AdminEmails " +
        "(a comma-separated setting of the gateway): the role is then yours at your next sign-in.";

    public static IEndpointRouteBuilder MapUserDataDashboard(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(routePrefix: DashboardAuthentication.Path)
            .RequireAuthorization(AdminApi.AdminPolicy)
            .AddEndpointFilter(RequireCurrentAdminAsync)
            .AddEndpointFilter(RequireKnownSiloAddressAsync)
            .ExcludeFromDescription();

        // CSRF: both forms carry ASP.NET Core's antiforgery token (its cookie scoped to /dashboard, SameSite=Strict);
        // the dashboard's own routes are all GETs, and the sign-in cookie is SameSite=Strict, so no other site's page
        // can make a browser send it.
        var forms = app.MapGroup(DashboardAuthentication.Path).AllowAnonymous().ExcludeFromDescription();
        forms.MapGet("/signin", (HttpContext context, IAntiforgery antiforgery) => SignInPages.SignIn(context, antiforgery));
        forms.MapPost("/signin", SignInAsync);
        forms.MapGet("/signout", ShowSignOutAsync);
        forms.MapPost("/signout", SignOutAsync);
        return app;
    }

    /// <summary>
    /// The role in a token or cookie is what it was when it was issued: every dashboard request checks that the caller
    /// still exists (401 otherwise, as on the admin API) and is still an admin (403).
    /// </summary>
    private static async ValueTask<object?> RequireCurrentAdminAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var profile = await ProfileApi.Me(context, context.RequestServices.GetRequiredService<IGrainFactory>()).GetProfileAsync();
        if (profile.Role != Roles.Admin)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The admin role is required");
        }

        return await next(invocation);
    }

    /// <summary>
    /// The dashboard's per-silo routes take the silo address from the path and fail on one that does not parse: a request
    /// naming no silo is the caller's mistake (404), not a server error.
    /// </summary>
    private static ValueTask<object?> RequireKnownSiloAddressAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var route = invocation.HttpContext.Request.RouteValues;
        var named = route.TryGetValue("address", out var address) ? address : route.TryGetValue("path", out var path) ? path : null;
        if (named is string silo && invocation.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern }
            && !pattern.Contains("/fonts/", StringComparison.Ordinal) && !pattern.Contains("/img/", StringComparison.Ordinal) && !IsSiloAddress(silo))
        {
            throw new ApiException(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No silo has this address");
        }

        return next(invocation);
    }

    private static bool IsSiloAddress(string text)
    {
        try
        {
            return SiloAddress.FromParsableString(text) is not null;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, PasswordLogin passwordLogin, ILogger<DashboardSignInOptions> logger)
    {
        if (!context.Request.HasFormContentType)
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "The sign-in form is posted as application/x-www-form-urlencoded");
        }

        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return SignInPages.SignIn(context, antiforgery, StatusCodes.Status400BadRequest, "The form had expired: please sign in again.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var request = new LoginRequest(form["email"].ToString(), form["password"].ToString());
        if (context.RequestServices.GetRequiredService<IValidator<LoginRequest>>().Check(request).Count > 0)
        {
            return SignInPages.SignIn(context, antiforgery, StatusCodes.Status400BadRequest, "Enter your email and password.", request.Email);
        }

        UserCredentials credentials;
        try
        {
            credentials = await passwordLogin.VerifyAsync(context, request.Email!, request.Password!);
        }
        catch (RateLimitedException limited)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return SignInPages.SignIn(context, antiforgery, StatusCodes.Status429TooManyRequests, "Too many attempts: wait a minute and try again.", request.Email);
        }
        catch (ApiException refused) when (refused.Code == ErrorCodes.InvalidCredentials)
        {
            return SignInPages.SignIn(context, antiforgery, StatusCodes.Status401Unauthorized, "Invalid email or password.", request.Email);
        }

        if (credentials.Role != Roles.Admin)
        {
            GatewayLog.DashboardSignInRefused(logger, credentials.UserId);
            return SignInPages.SignIn(context, antiforgery, StatusCodes.Status403Forbidden, NotAnAdminMessage, request.Email);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, credentials.UserId),
                new Claim(JwtRegisteredClaimNames.Email, credentials.Email),
                new Claim("role", credentials.Role),
            ],
            DashboardAuthentication.CookieScheme,
            JwtRegisteredClaimNames.Sub,
            "role");
        await context.SignInAsync(DashboardAuthentication.CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        GatewayLog.DashboardSignedIn(logger, credentials.UserId);
        return Results.Redirect(context.Request.PathBase + DashboardAuthentication.Path + "/");
    }

    private static async Task<IResult> ShowSignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var signedIn = await context.AuthenticateAsync(DashboardAuthentication.CookieScheme);
        return signedIn.Principal?.FindFirstValue(JwtRegisteredClaimNames.Email) is { } email
            ? SignInPages.SignOut(context, antiforgery, email)
            : Results.Redirect(context.Request.PathBase + DashboardAuthentication.SignInPath);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, ILogger<DashboardSignInOptions> logger)
    {
        if (!context.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(context))
        {
            return await ShowSignOutAsync(context, antiforgery);
        }

        var signedIn = await context.AuthenticateAsync(DashboardAuthentication.CookieScheme);
        await context.SignOutAsync(DashboardAuthentication.CookieScheme);
        if (signedIn.Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub) is { } userId)
        {
            GatewayLog.DashboardSignedOut(logger, userId);
        }

        return SignInPages.SignIn(context, antiforgery, message: "Signed out.");
    }
}
