using UserData.Cluster.Tests.Grains;
using UserData.Silo.Hosting;

namespace UserData.Cluster.Tests;

/// <summary>
/// The test assembly doubles as the silo executable of the multi-process tests: <c>dotnet UserData.Cluster.Tests.dll
/// silo [configuration]</c> runs the real silo host with the test grain. The test runner never calls this.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["silo", ..])
        {
            await Console.Error.WriteLineAsync("usage: UserData.Cluster.Tests silo [--key=value ...]");
            return 2;
        }

        var app = await SiloHost.BuildAsync(args[1..], grains => grains.AddGrain<ILedgerGrain, LedgerGrain>());
        await app.RunAsync();
        return 0;
    }
}
