using BenchmarkDotNet.Running;
using UserData.Benchmarks;

if (args is ["idle-memory"])
{
    return await IdleActivationMemory.RunAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(LocalCallBenchmarks).Assembly).Run(args);
return 0;
