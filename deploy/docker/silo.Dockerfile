# syntax=docker/dockerfile:1
# The UserData silo image (hosts the grains; HTTP only for /health, /health/ready, /metrics). Build from the repository root:
#   docker build -f deploy/docker/silo.Dockerfile -t userdata-silo:$(git rev-parse --short HEAD) .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/Grains/UserData.Grains.csproj src/Grains/
COPY src/Providers/UserData.Providers.csproj src/Providers/
COPY src/Lake/UserData.Lake.csproj src/Lake/
COPY src/Silo/UserData.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/UserData.Silo.csproj
COPY src/ src/
RUN dotnet publish src/Silo/UserData.Silo.csproj -c Release --no-restore -o /app /p:UseAppHost=false

# Debian/Ubuntu-based ASP.NET Core runtime: ICU is in it (InvariantGlobalization is off: NFKC normalization needs ICU).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the container health check only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /app ./
ENV ASPNETCORE_URLS=http://+:8080
# 8080: HTTP (/health, /metrics); 11111: silo-to-silo (Cluster__SiloPort); 30000: the gateways' Orleans clients (Cluster__GatewayPort).
EXPOSE 8080 11111 30000
# The image's own non-root user (app, uid 1654): the application files stay root-owned and read-only to it.
USER $APP_UID
# Liveness only: readiness (/health/ready: storage reachable, silo or cluster client up) is the load balancer's check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "UserData.Silo.dll"]
