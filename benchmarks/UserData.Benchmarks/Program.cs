using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using UserData.Benchmarks;

// Every job runs in this process (a mutator applies the toolchain to the classes' own jobs): each benchmark starts the
// product's silo anyway, and building a separate benchmark program per job takes many minutes on 2 shared cores.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
BenchmarkSwitcher.FromAssembly(typeof(GrainCallBenchmarks).Assembly).Run(args, config);
