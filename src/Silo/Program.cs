using UserData.Silo.Health;
using UserData.Silo.Hosting;
using UserData.Silo.Telemetry;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
}

builder.AddUserDataConsoleLogs();
await builder.AddUserDataSiloAsync();
builder.AddUserDataTelemetry();

var app = builder.Build();
app.MapUserDataHealth();
app.MapUserDataMetrics();
await app.RunAsync();
