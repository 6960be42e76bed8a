using System.Globalization;
using System.Net;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.Runtime.Cluster.Addressing;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Cluster.Transport;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Hosting;
using UserData.Runtime.Storage.DynamoDB;

namespace UserData.Runtime.Cluster;

/// <summary>Wires clustering (section <c>Cluster</c>) into a web host that runs a silo or only routes to silos.</summary>
public static class ClusterHostingExtensions
{
    /// <summary>The HTTP address when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> is given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>
    /// A silo: with <c>Cluster:Provider=DynamoDB</c>, joins the membership table, listens for HTTP/2 calls on
    /// <c>Cluster:SiloPort</c> next to the HTTP addresses, and routes calls to owners; with <c>Localhost</c>, nothing
    /// changes (every grain is local). Call <see cref="UseSiloPort"/> on the built application.
    /// </summary>
    public static async Task AddClusterSiloAsync(this WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = BindOptions(builder);
        if (options.Provider == ClusterProvider.Localhost)
        {
            return;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging.AddConsole());
        var address = await AdvertisedAddressResolver.ResolveAsync(
            options.AdvertisedAddress,
            Environment.GetEnvironmentVariable(EcsTaskMetadata.EnvironmentVariable),
            options.MetadataTimeout,
            loggerFactory.CreateLogger(typeof(AdvertisedAddressResolver)),
            cancellationToken).ConfigureAwait(false);
        var endpoint = address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[') ? $"[{address}]" : address;
        builder.Services.AddSingleton(new SiloIdentity(string.Create(CultureInfo.InvariantCulture, $"{endpoint}:{options.SiloPort}")));
        AddClusterServices(builder.Services, builder.Configuration);
        builder.Services.AddSingleton<SiloCallHandler>();
        builder.Services.AddSingleton<SiloMetricsRoute>();

        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Listening in code replaces --urls (Kestrel logs "Overriding address(es)"), so the HTTP addresses are listened on here too.
            foreach (var url in (string.IsNullOrWhiteSpace(urls) ? DefaultUrls : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Listen(kestrel, url);
            }

            kestrel.ListenAnyIP(options.SiloPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
    }

    /// <summary>A process that runs no silo (a pure gateway): reads membership and sends every call to its owner.</summary>
    public static void AddClusterClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = BindOptions(builder);
        if (options.Provider == ClusterProvider.Localhost)
        {
            throw new InvalidOperationException("A process without a silo needs Cluster:Provider=DynamoDB to find the silos.");
        }

        AddClusterServices(builder.Services, builder.Configuration);
    }

    /// <summary>Serves the silo port's calls ahead of every other middleware; other ports are untouched.</summary>
    public static void UseSiloPort(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<SiloCallHandler>() is not { } handler)
        {
            return;
        }

        var siloPort = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.SiloPort;
        app.MapWhen(context => context.Connection.LocalPort == siloPort, branch => branch.Run(context =>
        {
            // A host's own limit (a co-hosting gateway's 64 KiB for API bodies) must not cap silo calls; the handler enforces its own.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = SiloCallHandler.MaxBodyBytes;
            }

            return handler.HandleAsync(context);
        }));
    }

    private static ClusterOptions BindOptions(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterOptions>()
            .Bind(builder.Configuration.GetSection(ClusterOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = new ClusterOptions();
        builder.Configuration.GetSection(ClusterOptions.SectionName).Bind(options);
        return options;
    }

    private static void AddClusterServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DynamoDbJournalOptions>()
            .Bind(configuration.GetSection(DynamoDbJournalOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IMembershipTable>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<DynamoDbJournalOptions>>().Value;
            var cluster = provider.GetRequiredService<IOptions<ClusterOptions>>().Value;
            return new DynamoDbMembershipTable(
                CreateDynamoDbClient(storage),
                storage.TablePrefix + "membership",
                cluster.ClusterId,
                storage.CreateTables,
                provider.GetService<ILogger<DynamoDbMembershipTable>>() ?? NullLogger<DynamoDbMembershipTable>.Instance);
        });
        services.AddSingleton<MembershipService>();
        services.AddSingleton<IClusterMembership>(provider => provider.GetRequiredService<MembershipService>());
        services.AddHostedService(provider => provider.GetRequiredService<MembershipService>());
        services.AddSingleton(provider =>
        {
            var cluster = provider.GetRequiredService<IOptions<ClusterOptions>>().Value;
            return new RequestSigner(cluster.Secret!, cluster.MaxClockSkew, previousSecret: cluster.PreviousSecret, replayCacheCapacity: cluster.ReplayCacheCapacity);
        });
        services.AddSingleton<SiloTransportClient>();
        services.AddSingleton(provider => new ClusterMetrics(
            provider.GetRequiredService<Diagnostics.Prometheus.MetricsCollector>(),
            provider.GetRequiredService<IClusterMembership>(),
            provider.GetRequiredService<SiloTransportClient>(),
            provider.GetRequiredService<ILogger<ClusterMetrics>>()));
        services.AddSingleton<RemoteMethodTable>();
        services.AddSingleton<ClusterCallRouter>();
        services.AddSingleton<IGrainCallRouter>(provider => provider.GetRequiredService<ClusterCallRouter>());
    }

    private static AmazonDynamoDBClient CreateDynamoDbClient(DynamoDbJournalOptions options)
    {
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            return new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) });
        }

        // A local endpoint (dynalite) takes any credentials; use the default chain when it has some.
        var config = new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region };
        AWSCredentials credentials;
        try
        {
            credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException)
        {
            credentials = new BasicAWSCredentials("local", "local");
        }

        return new AmazonDynamoDBClient(credentials, config);
    }

    private static void Listen(KestrelServerOptions kestrel, string url)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"A silo serves plain HTTP (TLS ends at the load balancer); '{url}' is not http://.");
        }

        if (uri.IsLoopback && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(uri.Port);
        }
        else if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, uri.Port);
        }
        else
        {
            kestrel.ListenAnyIP(uri.Port);
        }
    }
}
