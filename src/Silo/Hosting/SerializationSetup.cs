using Orleans.Serialization;

namespace UserData.Silo.Hosting;

public static class SerializationSetup
{
    /// <summary>
    /// Orleans' System.Text.Json codec, for the JSON values the domain carries (<c>System.Text.Json.JsonElement</c>:
    /// profile attributes, audit values); every other type uses Orleans' generated serializers.
    /// </summary>
    public static IServiceCollection AddUserDataSerialization(this IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddJsonSerializer(isSupported: _ => false));
}
