using UserData.Grains.Hosting;
using UserData.Silo.Hosting;

var app = await SiloHost.BuildAsync(args, static grains => grains.AddUserDataGrains());
await app.RunAsync();
