using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Testing;

using UserData.TestSupport;

namespace UserData.Runtime.Tests.Grains;

public sealed class GrainModelTests : IAsyncLifetime
{
    private readonly Gates _gates = new();
    private TestCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.GrainFactory;

    public async Task InitializeAsync() => _cluster = await StartAsync(_ => { });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task<TestCluster> StartAsync(Action<GrainRuntimeOptions> configure) =>
        TestCluster.StartAsync(
            1,
            services =>
            {
                services.AddSingleton(_gates);
                new GrainRuntimeBuilder(services)
                    .AddGrain<ICounterGrain, CounterGrain>()
                    .AddGrain<IGateGrain, GateGrain>()
                    .AddGrain<ISlowActivationGrain, SlowActivationGrain>();
            },
            configure);

    [Fact]
    public async Task A_thousand_concurrent_read_modify_writes_on_one_grain_end_at_exactly_a_thousand()
    {
        var counter = Grains.GetGrain<ICounterGrain>("rmw");

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(counter.IncrementSlowlyAsync)));

        Assert.Equal(1000, await counter.GetAsync());
        Assert.Equal(Enumerable.Range(1, 1000), results.Order());
    }

    [Fact]
    public async Task Calls_from_one_caller_run_in_the_order_they_were_made()
    {
        var counter = Grains.GetGrain<ICounterGrain>("order");

        await Task.WhenAll(Enumerable.Range(0, 500).Select(counter.RecordAsync).ToList());

        Assert.Equal(Enumerable.Range(0, 500), await counter.GetRecordedAsync());
    }

    [Fact]
    public async Task A_call_does_not_start_while_another_call_to_the_grain_is_running()
    {
        var grain = Grains.GetGrain<IGateGrain>("turns");

        var first = grain.PassAsync("a");
        await _gates.WhenEntered("turns:a");
        var second = grain.PassAsync("b");
        Assert.False(_gates.HasEntered("turns:b"));

        _gates.Open("turns:a");
        _gates.Open("turns:b");
        await Task.WhenAll(first, second);
        Assert.Equal(["enter turns:a", "exit turns:a", "enter turns:b", "exit turns:b"], _gates.Log);
    }

    [Fact]
    public async Task Read_only_calls_run_together_but_never_beside_a_write()
    {
        var grain = Grains.GetGrain<IGateGrain>("reads");

        var write = grain.PassAsync("w");
        await _gates.WhenEntered("reads:w");
        var read1 = grain.ReadAsync("r1");
        var read2 = grain.ReadAsync("r2");
        Assert.False(_gates.HasEntered("reads:r1"));

        _gates.Open("reads:w");
        await write;
        await _gates.WhenEntered("reads:r1");
        await _gates.WhenEntered("reads:r2"); // both inside at once: neither gate is open yet
        _gates.Open("reads:r1");
        _gates.Open("reads:r2");
        await Task.WhenAll(read1, read2);
        Assert.Equal("exit reads:w", _gates.Log[1]);
    }

    [Fact]
    public async Task A_full_queue_rejects_the_next_call_at_once_and_the_grain_keeps_serving()
    {
        await using var cluster = await StartAsync(options => options.MaxQueueLength = 2);
        var grain = cluster.GrainFactory.GetGrain<IGateGrain>("full");
        var running = grain.PassAsync("g");
        await _gates.WhenEntered("full:g");
        var queued = new[] { grain.PingAsync(), grain.PingAsync() };

        var rejected = grain.PingAsync();

        Assert.True(rejected.IsFaulted);
        var overload = await Assert.ThrowsAsync<GrainOverloadedException>(() => rejected);
        Assert.Contains("full", overload.Message, StringComparison.Ordinal);
        _gates.Open("full:g");
        await running;
        Assert.All(await Task.WhenAll(queued), answer => Assert.Equal(1, answer));
        Assert.Equal(1, await grain.PingAsync());
    }

    [Fact]
    public async Task An_exception_reaches_the_caller_with_its_type_and_message_and_the_activation_survives()
    {
        var counter = Grains.GetGrain<ICounterGrain>("throws");
        await counter.IncrementSlowlyAsync();
        var activation = await counter.GetActivationIdAsync();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.FailAsync("domain rule broken"));

        Assert.Equal("domain rule broken", thrown.Message);
        Assert.Equal(activation, await counter.GetActivationIdAsync());
        Assert.Equal(1, await counter.GetAsync());
    }

    [Fact]
    public async Task A_call_without_an_answer_within_the_response_timeout_fails_with_a_timeout()
    {
        await using var cluster = await StartAsync(options => options.ResponseTimeout = TimeSpan.FromMilliseconds(200));
        var grain = cluster.GrainFactory.GetGrain<IGateGrain>("slow");

        var timeout = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => grain.PassAsync("never"));

        Assert.Contains("gate/slow", timeout.Message, StringComparison.Ordinal);
        _gates.Open("slow:never");
    }

    [Fact]
    public async Task An_activation_that_exceeds_its_timeout_fails_the_call_and_the_next_call_activates_afresh()
    {
        await using var cluster = await StartAsync(options => options.ActivationTimeout = TimeSpan.FromMilliseconds(200));
        var grain = cluster.GrainFactory.GetGrain<ISlowActivationGrain>("stuck");

        var failed = await Assert.ThrowsAsync<GrainActivationException>(grain.PingAsync);

        Assert.Contains("Activation of grain slowactivation/stuck failed", failed.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(failed.InnerException);
        _gates.Open("activate:stuck");
        Assert.Equal(1, await grain.PingAsync());
    }

    [Fact]
    public async Task An_idle_grain_is_collected_and_the_next_call_creates_a_new_activation()
    {
        await using var cluster = await StartAsync(options =>
        {
            options.CollectionAge = TimeSpan.FromMilliseconds(100);
            options.CollectionQuantum = TimeSpan.FromMilliseconds(20);
        });
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>("idle");
        var first = await counter.GetActivationIdAsync();

        await Eventually.TrueAsync(() => cluster.Silos[0].ActivationCount == 0);

        Assert.NotEqual(first, await counter.GetActivationIdAsync());
    }

    [Fact]
    public async Task The_callers_execution_context_flows_into_a_queued_call()
    {
        var gate = Grains.GetGrain<IGateGrain>("context");
        var counter = Grains.GetGrain<ICounterGrain>("context");
        var busy = gate.PassAsync("hold");
        await _gates.WhenEntered("context:hold");

        CounterGrain.CallerContext.Value = "request-42";
        var seen = counter.GetCallerContextAsync();
        CounterGrain.CallerContext.Value = null;
        _gates.Open("context:hold");

        await busy;
        Assert.Equal("request-42", await seen);
    }

    [Fact]
    public void Bad_references_give_clear_exceptions()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Grains.GetGrain<IUnregisteredGrain>("x"));
        Assert.Contains("No grain class is registered for IUnregisteredGrain", unknown.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<ArgumentException>(() => Grains.GetGrain<ICounterGrain>(""));
        Assert.Contains("must not be empty", empty.Message, StringComparison.Ordinal);

        var tooLong = Assert.Throws<ArgumentException>(() => Grains.GetGrain<ICounterGrain>(new string('é', 600)));
        Assert.Contains($"at most {GrainId.MaxKeyBytes} UTF-8 bytes", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grain_interface_that_breaks_the_rules_is_refused_when_the_silo_starts()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => TestCluster.StartAsync(
            1, services => new GrainRuntimeBuilder(services).AddGrain<IBadGrain, BadGrain>()));

        Assert.Contains("IBadGrain.NotATask returns Int32", refused.Message, StringComparison.Ordinal);
    }
}
