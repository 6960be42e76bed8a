# syntax=docker/dockerfile:1
# The UserData gateway image. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t userdata-gateway:$(git rev-parse --short HEAD) .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Runtime/UserData.Runtime.csproj src/Runtime/
COPY src/Grains/UserData.Grains.csproj src/Grains/
COPY src/Gateway/UserData.Gateway.csproj src/Gateway/
RUN dotnet restore src/Gateway/UserData.Gateway.csproj
COPY src/ src/
RUN dotnet publish src/Gateway/UserData.Gateway.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the health check only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 userdata \
    && useradd --uid 10001 --gid userdata --no-create-home --shell /usr/sbin/nologin userdata
WORKDIR /app
COPY --from=build --chown=root:root /app ./
ENV ASPNETCORE_URLS=http://+:8080
# 8080: HTTP (API, /health, /metrics); 11111: silo-to-silo HTTP/2 (Cluster__SiloPort).
EXPOSE 8080 11111
USER 10001:10001
# Liveness only: readiness (/health/ready, storage reachable) is the load balancer's check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "UserData.Gateway.dll"]
