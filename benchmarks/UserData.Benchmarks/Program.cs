using BenchmarkDotNet.Running;
using UserData.Benchmarks;

if (args is ["idle-memory"])
{
    return await IdleActivationMemory.RunAsync();
}

if (args is ["call-latency", .. var rest])
{
    return await CallLatency.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(LocalCallBenchmarks).Assembly).Run(args);
return 0;
