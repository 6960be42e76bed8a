using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserData.JournalHost;
using UserData.Providers.Sqlite.Journal;

// Usage: UserData.JournalHost --Path=<database file> --SiloPort=<port> --GatewayPort=<port> [--Writers=32]
// Runs a silo on the SQLite event journal and, from each writer, appends entries 1, 2, ... to the grain writer-N,
// printing "ack <grain id> <entry>" once each append was confirmed, until killed.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
var configuration = builder.Configuration;
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(configuration.GetValue<int>("SiloPort"), configuration.GetValue<int>("GatewayPort"))
    .AddSqliteEventJournal(Program.JournalName, options => options.Path = configuration["Path"]!));
using var host = builder.Build();
await host.StartAsync();

var grains = host.Services.GetRequiredService<IGrainFactory>();
await Task.WhenAll(Enumerable.Range(0, configuration.GetValue("Writers", 32)).Select(writer => Task.Run(async () =>
{
    var grain = grains.GetGrain<IAppendLogGrain>($"writer-{writer}");
    for (var entry = 1; ; entry++)
    {
        var text = entry.ToString(CultureInfo.InvariantCulture);
        await grain.AppendAsync(text);
        await Console.Out.WriteLineAsync($"ack {grain.GetGrainId()} {text}");
    }
})));

internal static partial class Program
{
    public const string JournalName = "Journal";
}
