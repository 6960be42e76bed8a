using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using UserData.Grains.Audit;
using UserData.Grains.Users;

namespace UserData.Grains.Tests.Domain;

/// <summary>
/// JSON values cross grain calls between processes as their JSON text (<c>JsonElementSurrogate</c>), with Orleans'
/// serializer as a silo and a client configure it, and a local call hands them over without a copy.
/// </summary>
public sealed class JsonElementSerializationTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void A_profile_crosses_a_process_boundary_with_its_attributes_as_json_text_and_no_type_name()
    {
        var attributes = JsonElement.Parse("""{"theme":"dark","limits":{"n":[1,2.5,"x",null,true]},"empty":{}}""");
        var profile = new UserProfile(Guid.NewGuid().ToString(), "a@example.com", "A", Roles.User, attributes, 3, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var serializer = _services.GetRequiredService<Serializer<UserProfile>>();

        var bytes = serializer.SerializeToArray(profile);
        var read = serializer.Deserialize(bytes)!;

        Assert.Equal(attributes.GetRawText(), read.Attributes.GetRawText());
        Assert.Equal(profile with { Attributes = default }, read with { Attributes = default });
        // The old codec wrote "System.Text.Json.JsonElement, System.Text.Json" before every value, and checked it on every read.
        Assert.DoesNotContain("System.Text.Json", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_null_and_scalar_values_keep_their_kind()
    {
        var serializer = _services.GetRequiredService<Serializer<FieldChange>>();

        var elements = _services.GetRequiredService<Serializer<JsonElement>>();

        var added = serializer.Deserialize(serializer.SerializeToArray(new FieldChange(null, JsonElement.Parse("42"))))!;
        var cleared = serializer.Deserialize(serializer.SerializeToArray(new FieldChange(JsonElement.Parse("\"old\""), JsonElement.Parse("null"))))!;
        var undefined = elements.Deserialize(elements.SerializeToArray(default));

        Assert.Null(added.Old);
        Assert.Equal(42, added.New!.Value.GetInt32());
        Assert.Equal("old", cleared.Old!.Value.GetString());
        Assert.Equal(JsonValueKind.Null, cleared.New!.Value.ValueKind);
        Assert.Equal(JsonValueKind.Undefined, undefined.ValueKind);
    }

    [Fact]
    public void A_local_call_hands_the_element_over_without_parsing_it_again()
    {
        var updated = new ProfileUpdated("A", JsonElement.Parse("""{"a":[1,2,3]}"""), new Dictionary<string, FieldChange>());

        var copy = _services.GetRequiredService<DeepCopier<ProfileUpdated>>().Copy(updated);

        Assert.NotSame(updated, copy);
        // A struct's Equals compares its fields: the same document and position, where a deep copy would parse a new document.
        Assert.True(updated.Attributes.Equals(copy.Attributes));
    }
}
