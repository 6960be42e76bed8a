using UserData.Gateway.Hosting;

await GatewayApplication.Create(args).RunAsync();

/// <summary>The entry point, public for test hosts.</summary>
public partial class Program;
