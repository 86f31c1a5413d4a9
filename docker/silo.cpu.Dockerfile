# syntax=docker/dockerfile:1
# A CPU silo: slide, map-assembly and cohort grains plus CPU inference workers (k8s/base/silo-cpu.yaml).
# Build from the repository root:  docker build -f docker/silo.cpu.Dockerfile -t opath/silo:dev .

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# cc and libjpeg's headers build libopath_jpeg.so, the tile reader's partial-tile decoder (pathology/Slides/Native).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg-dev \
 && rm -rf /var/lib/apt/lists/*
# Restore first, from the project files alone, so that a code change does not download the packages again.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY pathology/Pathology.csproj pathology/
COPY grains.interfaces/GrainInterfaces.csproj grains.interfaces/
COPY grains/Grains.csproj grains/
COPY silo/Silo.csproj silo/
RUN dotnet restore silo/Silo.csproj -p:TorchDevice=cpu
COPY pathology/ pathology/
COPY grains.interfaces/ grains.interfaces/
COPY grains/ grains/
COPY silo/ silo/
RUN dotnet publish silo/Silo.csproj -c Release --no-restore -p:TorchDevice=cpu -o /app

# ASP.NET Core runtime: the silo serves /healthz, /ready and /metrics (Silo:HealthPort). Ubuntu 24.04 ships
# GCC 13's libstdc++ (GLIBCXX_3.4.32), so libLibTorchSharp.so loads without the Debian 12 fix of Directory.Build.targets.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenslide0 libturbojpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# libtorch keeps oneDNN primitives per input shape; a worker scoring a cohort meets many (dense regions differ in width).
# 256 of them instead of oneDNN's 1024 took 148 MiB off an 8-slide cohort's peak at the same speed (BENCHMARKS.md).
ENV ONEDNN_PRIMITIVE_CACHE_CAPACITY=256
COPY --from=build /app ./
# The image's non-root "app" user (uid 1654); the pods run as it (runAsUser: 1654).
USER 1654
# Orleans silo-to-silo, client gateway, health and metrics.
EXPOSE 11111 30000 8080
ENTRYPOINT ["dotnet", "OrleansPathology.Silo.dll"]
