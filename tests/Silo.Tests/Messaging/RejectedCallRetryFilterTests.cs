using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Invocation;
using UserData.Silo.Messaging;

namespace UserData.Silo.Tests.Messaging;

public sealed class RejectedCallRetryFilterTests
{
    private readonly RejectedCallRetryFilter _filter = new(NullLogger<RejectedCallRetryFilter>.Instance);

    [Fact]
    public async Task A_call_to_a_grain_rejected_undelivered_is_sent_again_until_it_is_delivered()
    {
        var call = new Call(GrainId.Create("user", "u1"), rejections: 3);

        await _filter.Invoke(call);

        Assert.Equal(4, call.Attempts);
    }

    [Fact]
    public async Task A_call_to_a_grain_rejected_every_time_fails_after_the_last_attempt()
    {
        var call = new Call(GrainId.Create("user", "u1"), rejections: int.MaxValue);

        await Assert.ThrowsAsync<OrleansMessageRejectionException>(() => _filter.Invoke(call));

        Assert.Equal(8, call.Attempts);
    }

    [Fact]
    public async Task A_rejected_call_to_a_system_target_fails_at_once_for_Orleans_to_retry_elsewhere()
    {
        // The directory partition of a killed silo: every attempt goes to the same dead address.
        var directory = SystemTargetGrainId.Create(GrainType.Create("sys.svc.dir.mem"), SiloAddress.New(System.Net.IPAddress.Loopback, 11111, 1)).GrainId;
        var call = new Call(directory, rejections: int.MaxValue);

        await Assert.ThrowsAsync<OrleansMessageRejectionException>(() => _filter.Invoke(call));

        Assert.Equal(1, call.Attempts);
    }

    private sealed class Call(GrainId target, int rejections) : IOutgoingGrainCallContext
    {
        public int Attempts { get; private set; }

        public GrainId TargetId => target;

        public Task Invoke()
        {
            Attempts++;
            return Attempts <= rejections ? Task.FromException(Rejection()) : Task.CompletedTask;
        }

        // Orleans creates the exception only internally, when a silo rejects a message.
        private static OrleansMessageRejectionException Rejection() =>
            (OrleansMessageRejectionException)Activator.CreateInstance(
                typeof(OrleansMessageRejectionException), BindingFlags.NonPublic | BindingFlags.Instance, null, ["Silo stopping"], null)!;

        public IInvokable Request => throw new NotSupportedException();

        public object Grain => throw new NotSupportedException();

        public GrainId? SourceId => null;

        public GrainInterfaceType InterfaceType => default;

        public string InterfaceName => "ITest";

        public string MethodName => "Call";

        public MethodInfo InterfaceMethod => throw new NotSupportedException();

        public object? Result { get; set; }

        public Response? Response { get; set; }

        public IGrainContext? SourceContext => null;
    }
}
