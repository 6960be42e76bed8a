using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserData.JournalWriter;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Storage;

// Usage: UserData.JournalWriter --Storage:Provider=Sqlite --Storage:Sqlite:Path=... [--Writers=32]
// Prints "ready", then "ack <grain> <entry>" after every append the journal acknowledged, until killed.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddGrainRuntime(builder.Configuration).AddGrain<ITallyGrain, TallyGrain>();
builder.Services.AddJournalStorage(builder.Configuration);
using var host = builder.Build();
await host.StartAsync();

var grains = host.Services.GetRequiredService<IGrainFactory>();
var writers = builder.Configuration.GetValue("Writers", 32);
var output = Console.Out;
await output.WriteLineAsync("ready");

await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
{
    var grain = grains.GetGrain<ITallyGrain>($"writer-{writer}");
    for (var entry = 1; ; entry++)
    {
        await grain.AddAsync(entry.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await output.WriteLineAsync($"ack writer-{writer} {entry}");
    }
})));
