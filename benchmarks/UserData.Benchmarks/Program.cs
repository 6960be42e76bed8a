using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using UserData.Benchmarks;

// BenchmarkDotNet builds each benchmark process from this project and its references; on a shared 2-core machine that
// can take longer than its default two minutes.
var config = ManualConfig.Create(DefaultConfig.Instance);
config.BuildTimeout = TimeSpan.FromMinutes(15);
BenchmarkSwitcher.FromAssembly(typeof(GrainCallBenchmarks).Assembly).Run(args, config);
