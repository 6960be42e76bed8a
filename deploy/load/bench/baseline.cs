#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false

// The bare-Kestrel baseline of the benchmark: answers every GET with the bytes of a real GET /me response,
// so the gateway's cost (auth, grain call, JSON, envelope) can be compared against the server alone.
var body = await File.ReadAllBytesAsync(args[0]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
app.Run(async context =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body);
});
await app.RunAsync(args[1]);
