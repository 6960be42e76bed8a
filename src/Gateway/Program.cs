using UserData.Gateway.Hosting;

var app = await GatewayApplication.CreateAsync(args);
await app.RunAsync();

/// <summary>The entry point, public for test hosts.</summary>
public partial class Program;
