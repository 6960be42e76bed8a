using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.Runtime;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.Tests.Clustering;

public sealed class MembershipMetricsTests
{
    [Fact]
    public async Task Membership_operations_are_timed_and_a_refused_write_is_not_counted_as_a_failure()
    {
        var timed = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ProviderInstruments.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument.Name == "userdata.storage.operation.duration" ? timed : null, tags));
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument.Name == "userdata.storage.operation.errors" ? failed : null, tags));
        listener.Start();
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry(SiloStatus.Active);
        Assert.True(await table.InsertAtNextVersionAsync(entry));

        Assert.False(await table.InsertAtNextVersionAsync(entry));

        using var gateways = test.GatewayList();
        Assert.Single(await gateways.GetGatewaysAsync(CancellationToken.None));
        Assert.Contains("dynamodb/membership/initialize", timed);
        Assert.Contains("dynamodb/membership/insert-row", timed);
        Assert.Contains("dynamodb/membership/read-all", timed);
        Assert.Contains("dynamodb/membership/get-gateways", timed);
        Assert.DoesNotContain("dynamodb/membership/insert-row", failed);
    }

    private static void Record(ConcurrentBag<string>? into, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (into is not null)
        {
            into.Add($"{Tag(tags, "provider")}/{Tag(tags, "store")}/{Tag(tags, "operation")}");
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
