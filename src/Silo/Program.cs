using UserData.Silo.Hosting;

// The user grains join here once src/Grains provides them (AddUserDataGrains).
var app = await SiloHost.BuildAsync(args, static _ => { });
await app.RunAsync();
